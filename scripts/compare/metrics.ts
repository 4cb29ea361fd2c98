import type { Metrics } from '../../bench/result-schema.ts';

/** The three figures a comparison and the exporters track per cell. */
export const METRIC_NAMES = ['goodput', 'p99', 'extraAttempts'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface MetricSpec {
  /** Human label used in tables and benchmark names. */
  label: string;
  unit: string;
  /** Which direction is an improvement. */
  better: 'bigger' | 'smaller';
  /**
   * Absolute floor of the scale a change is measured against: change = (current - baseline) /
   * max(baseline, floor). It keeps tiny figures from producing huge percentages: extra attempts per
   * success going 0.001 -> 0.002 is +0.001 / 0.05 = 2%, not +100%. Same unit as the metric.
   */
  floor: number;
  /**
   * Whether relative mode divides this metric by the reference strategy's. Extra attempts per
   * success is already a per-operation ratio (it does not scale with the runner's speed) and the
   * usual reference (atomic) has none, so it is always compared as measured.
   */
  relative: boolean;
  read: (m: Metrics) => number;
}

export const METRICS: Record<MetricName, MetricSpec> = {
  goodput: {
    label: 'goodput',
    unit: 'ops/s',
    better: 'bigger',
    floor: 1,
    relative: true,
    read: (m) => m.goodputPerSec,
  },
  p99: {
    label: 'p99',
    unit: 'ms',
    better: 'smaller',
    // Sub-millisecond p99s on loopback jump by 2x from scheduling alone.
    floor: 1,
    relative: true,
    read: (m) => m.latencyMs.p99,
  },
  extraAttempts: {
    label: 'extra attempts/success',
    unit: 'attempts/success',
    better: 'smaller',
    // 5 extra attempts per 100 successes: below that, retries are background noise.
    floor: 0.05,
    relative: false,
    read: (m) => m.retries.extraAttemptsPerSuccess,
  },
};
