import type { LatencySummary, Metrics } from '../../core/result-schema.ts';
import { addEncoded, summarizeEncoded } from '../load/histogram.ts';

/** Percentiles of several measurements taken together: every response of every one counted once. */
export interface MergedLatency {
  /** All responses. */
  latencyMs: LatencySummary;
  /** 2xx responses only. */
  successLatencyMs: LatencySummary;
}

/**
 * The percentiles of the repeats' histograms added together. This, not the median of the repeats'
 * p99s, is the p99 of all their responses: a percentile of a union is not a middle value of the
 * parts' percentiles (a repeat with a slow tail moves the union's p99 however the others fare).
 * Null when a repeat lacks histograms (runs written before schema 2) or there is none.
 */
export function mergedLatency(repeats: readonly Metrics[]): MergedLatency | null {
  if (repeats.length === 0) return null;
  const all: string[] = [];
  const ok: string[] = [];
  for (const m of repeats) {
    if (!m.histograms) return null;
    all.push(m.histograms.latencyUs);
    ok.push(m.histograms.successLatencyUs);
  }
  return {
    latencyMs: summarizeEncoded(addEncoded(all)),
    successLatencyMs: summarizeEncoded(addEncoded(ok)),
  };
}
