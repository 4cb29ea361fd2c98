import type { Cell, ErrorClasses, Metrics } from '../../core/result-schema.ts';
import { summarizeEncoded } from '../load/histogram.ts';
import { type LoadResult, mergeLoadResults, noOutcomes, toMetricsPart } from '../load/load-result.ts';

/** A measured cell of schema 2: its metrics carry the histograms a merge needs. */
type Mergeable = Cell & { metrics: Metrics & { histograms: NonNullable<Metrics['histograms']> } };

export function isMergeable(cell: Cell): cell is Mergeable {
  return cell.metrics !== null && cell.metrics.histograms !== undefined;
}

/** The load side of a recorded cell, as a driver returned it (operations are kept apart, see operations-file.ts). */
function asLoadResult(cell: Mergeable): LoadResult {
  const m = cell.metrics;
  return {
    model: cell.model,
    durationSec: m.durationSec,
    warmupSec: m.steady?.warmupSec ?? 0,
    warmupPolicy: m.steady?.warmupPolicy ?? 'fixed',
    warmupCapped: m.steady?.warmupCapped ?? false,
    warmupGoodput: m.steady?.warmupGoodput ?? [],
    outcomes: m.outcomes,
    warmupOutcomes: noOutcomes(),
    histograms: m.histograms,
    timeseries: m.timeseries,
    driverCpuSec: m.cpu.driverSec,
    serverCpuSec: m.cpu.serverSec,
    acknowledged: [],
    indeterminate: [],
    target: { connections: cell.connections, rate: cell.rate, stages: [] },
  };
}

function sumRecord(records: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * The metrics of segments that ran side by side (same cell, same start, separate processes or
 * hosts): counts add up, the histograms are added exactly (per second too, so the p99 interval and
 * the timeline's p99s come from the merged seconds), goodput is the total over the longest part's
 * window.
 * Retries are weighted by each part's successes; error classes and database deltas add up
 * (each part reports what its own servers counted).
 */
export function mergeSegmentMetrics(parts: readonly Mergeable[]): Metrics {
  const load = toMetricsPart(mergeLoadResults(parts.map(asLoadResult)));
  // Each merged second's p99 from its merged histogram (mergeLoadResults keeps the parts' largest,
  // an upper bound); the timeline and the per-second histograms are filed together, second by second.
  const seconds = load.histograms?.perSecondUs ?? [];
  if (seconds.length === load.timeseries.length)
    load.timeseries = load.timeseries.map((p, i) => ({
      ...p,
      p99Ms: summarizeEncoded(seconds[i] as string).p99,
    }));
  const metrics = parts.map((p) => p.metrics);
  const ok = metrics.reduce((s, m) => s + m.outcomes.ok, 0);
  const weight = (m: Metrics) => (ok > 0 ? m.outcomes.ok / ok : 1 / metrics.length);
  const attempts: Record<string, number> = sumRecord(metrics.map((m) => m.retries.attemptsHistogram));
  const interference = metrics
    .map((m) => m.interference ?? null)
    .reduce<Metrics['interference']>(
      (worst, i) => (i && (!worst || i.otherShare > worst.otherShare) ? i : worst),
      null,
    );
  return {
    ...load,
    cpu: {
      driverSec: load.cpu.driverSec,
      serverSec: metrics.reduce((s, m) => s + m.cpu.serverSec, 0),
    },
    retries: {
      extraAttemptsPerSuccess: metrics.reduce((s, m) => s + weight(m) * m.retries.extraAttemptsPerSuccess, 0),
      retriedShare: Math.min(
        1,
        metrics.reduce((s, m) => s + weight(m) * m.retries.retriedShare, 0),
      ),
      attemptsHistogram: attempts,
    },
    errors: sumRecord(metrics.map((m) => m.errors)) as ErrorClasses,
    database: sumRecord(metrics.map((m) => m.database)),
    interference,
  };
}
