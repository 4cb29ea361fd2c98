import { mean, stdDev } from './interval.ts';

/**
 * Whether per-second goodput has settled. A fresh strategy server warms up for seconds (V8 tiers
 * hot functions up, its pool's new database sessions fill their caches): goodput climbs, and a
 * figure taken during the climb ranks who warmed fastest. The test is the explainable one from
 * the benchmarking literature: no marked linear trend over the window (slope as a percentage of
 * the mean per second) and a bounded coefficient of variation; the measured window must also end
 * near its mean and not climb every second.
 */
export interface SteadyRule {
  /** Largest |slope| allowed, % of the window's mean per second. */
  maxTrendPctPerSec: number;
  /** Largest coefficient of variation (standard deviation / mean) allowed. */
  maxCov: number;
  /** Largest |last / mean - 1| allowed. */
  maxLastDeviation: number;
}

/**
 * Ends the warm-up: the last WARMUP_WINDOW_SEC seconds must show no trend beyond 4%/s and a CoV
 * of at most 10%. Tighter than the measured window's rule, so that a window that starts steady
 * stays steady through ordinary noise.
 */
export const WARMUP_RULE: SteadyRule = { maxTrendPctPerSec: 4, maxCov: 0.1, maxLastDeviation: 0.1 };
/** Seconds of warm-up the decision looks back over. */
export const WARMUP_WINDOW_SEC = 3;

/**
 * Judges a measured window. The last-second bound (±15%) is the plain check anyone can run on
 * run.json; the CoV bound lets a noisy but level plateau (a retrying strategy) pass while a
 * sawtooth of ±30% does not.
 */
export const MEASURED_RULE: SteadyRule = { maxTrendPctPerSec: 5, maxCov: 0.2, maxLastDeviation: 0.15 };

export interface Steadiness {
  steady: boolean;
  /** Least-squares slope, % of the mean per second (0 for a zero mean). */
  trendPctPerSec: number;
  cov: number;
  /** last / mean (1 for a zero mean). */
  lastToMean: number;
  /** Every value above the one before (at least three values). */
  monotoneClimb: boolean;
}

/** Least-squares slope of the series against 0, 1, 2, ... (units per step). */
export function slope(series: readonly number[]): number {
  const n = series.length;
  if (n < 2) return 0;
  const xMean = (n - 1) / 2;
  const yMean = mean(series);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - xMean) * ((series[i] as number) - yMean);
    den += (i - xMean) ** 2;
  }
  return num / den;
}

/**
 * Applies `rule` to a per-second series. A window of fewer than three seconds cannot show a trend
 * and is not steady; an all-zero window (nothing succeeded) is level and steady.
 */
export function judgeSteadiness(series: readonly number[], rule: SteadyRule): Steadiness {
  if (series.length < 3) {
    return { steady: false, trendPctPerSec: 0, cov: 0, lastToMean: 1, monotoneClimb: false };
  }
  const m = mean(series);
  let monotoneClimb = true;
  for (let i = 1; i < series.length; i++)
    if ((series[i] as number) <= (series[i - 1] as number)) monotoneClimb = false;
  if (m === 0) return { steady: true, trendPctPerSec: 0, cov: 0, lastToMean: 1, monotoneClimb: false };
  const trendPctPerSec = (100 * slope(series)) / m;
  const cov = stdDev(series) / m;
  const lastToMean = (series[series.length - 1] as number) / m;
  const steady =
    Math.abs(trendPctPerSec) <= rule.maxTrendPctPerSec &&
    cov <= rule.maxCov &&
    Math.abs(lastToMean - 1) <= rule.maxLastDeviation &&
    !monotoneClimb;
  return { steady, trendPctPerSec, cov, lastToMean, monotoneClimb };
}

/** True when the warm-up seen so far (per-second goodput) has settled. */
export function warmupSettled(series: readonly number[]): boolean {
  if (series.length < WARMUP_WINDOW_SEC) return false;
  return judgeSteadiness(series.slice(-WARMUP_WINDOW_SEC), WARMUP_RULE).steady;
}
