import type { IntervalFigure } from '../bench/stats/cell-interval.ts';
import type { Metrics } from '../core/result-schema.ts';

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
   * Figures (and their interval bounds) are raised to this floor before they are divided: ratio =
   * max(current, floor) / max(baseline, floor). It keeps tiny figures from producing huge ratios:
   * extra attempts per success going 0.001 -> 0.002 is ×1.00, not ×2. Same unit as the metric.
   */
  floor: number;
  /**
   * Whether relative mode divides this metric by the reference strategy's. Extra attempts per
   * success is already a per-operation ratio (it does not scale with the runner's speed) and the
   * usual reference (atomic) has none, so it is always compared as measured.
   */
  relative: boolean;
  /**
   * The figure's name in a cell's `metrics.intervals`, whose interval `figureInterval` picks; null
   * where the schema records none (extra attempts: only repeats give it an interval).
   */
  interval: IntervalFigure | null;
  /**
   * With no interval on a side, a figure at or below `floor` on both sides is judged 'noise'
   * instead of 'not judged' (its floored ratio is exactly 1). Only for extra attempts: the schema
   * has no within-run interval for it, so a one-repeat run could never have it judged, and below
   * the floor retries are background whatever their noise.
   */
  quietBelowFloor: boolean;
  read: (m: Metrics) => number;
}

export const METRICS: Record<MetricName, MetricSpec> = {
  goodput: {
    label: 'goodput',
    unit: 'ops/s',
    better: 'bigger',
    floor: 1,
    relative: true,
    interval: 'goodputPerSec',
    quietBelowFloor: false,
    read: (m) => m.goodputPerSec,
  },
  p99: {
    label: 'p99',
    unit: 'ms',
    better: 'smaller',
    // Sub-millisecond p99s on loopback jump by 2x from scheduling alone.
    floor: 1,
    relative: true,
    interval: 'p99Ms',
    quietBelowFloor: false,
    read: (m) => m.latencyMs.p99,
  },
  extraAttempts: {
    label: 'extra attempts/success',
    unit: 'attempts/success',
    better: 'smaller',
    // 5 extra attempts per 100 successes: below that, retries are background noise.
    floor: 0.05,
    relative: false,
    interval: null,
    quietBelowFloor: true,
    read: (m) => m.retries.extraAttemptsPerSuccess,
  },
};
