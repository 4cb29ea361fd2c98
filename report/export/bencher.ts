import type { MetricName } from '../../compare/metrics.ts';
import type { RunResult } from '../../core/result-schema.ts';
import { measuredCells, tidy } from './measured-cells.ts';

/** One Metric of Bencher Metric Format: value plus optional bounds. */
export interface BencherMetric {
  /** Mean over the repeats (one repeat: its figure). */
  value: number;
  /** Low end of the figure's 95% interval (the one `compare` judges by); absent without one. */
  lower_value?: number;
  /** High end of that interval. */
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
      const { value, interval } = cell.estimates[metric];
      measures[slug] = interval
        ? { value: tidy(value), lower_value: tidy(interval.low), upper_value: tidy(interval.high) }
        : { value: tidy(value) };
    }
    out[cell.name] = measures;
  }
  return out;
}
