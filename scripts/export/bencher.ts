import type { RunResult } from '../../bench/result-schema.ts';
import type { MetricName } from '../compare/metrics.ts';
import { measuredCells, tidy } from './measured-cells.ts';

/** One Metric of Bencher Metric Format: value plus optional bounds. */
export interface BencherMetric {
  /** Median over the repeats. */
  value: number;
  /** Smallest repeat. */
  lower_value?: number;
  /** Largest repeat. */
  upper_value?: number;
}

/** Bencher Metric Format (BMF) JSON: benchmark name -> measure slug -> metric. */
export type BencherMetricFormat = Record<string, Record<string, BencherMetric>>;

/**
 * Measure slugs. Bencher creates a measure on first use; units: goodput ops/s, latency-p99 ms (not
 * Bencher's built-in `latency`, which is in ns), extra-attempts attempts per success.
 */
export const BENCHER_MEASURES: Record<MetricName, string> = {
  goodput: 'goodput',
  p99: 'latency-p99',
  extraAttempts: 'extra-attempts',
};

/** BMF JSON for a run; pure. Benchmark names as in the github-action-benchmark files, without the metric. */
export function toBencherMetricFormat(result: RunResult): BencherMetricFormat {
  const out: BencherMetricFormat = {};
  for (const cell of measuredCells(result)) {
    const measures: Record<string, BencherMetric> = {};
    for (const [metric, slug] of Object.entries(BENCHER_MEASURES) as [MetricName, string][]) {
      const s = cell.figures[metric];
      measures[slug] = { value: tidy(s.median), lower_value: tidy(s.min), upper_value: tidy(s.max) };
    }
    out[cell.name] = measures;
  }
  return out;
}
