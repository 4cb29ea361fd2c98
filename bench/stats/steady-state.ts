import { mean, stdDev, tQuantile95 } from './interval.ts';

/**
 * Whether per-second goodput has settled. A fresh strategy server warms up for seconds (V8 tiers
 * hot functions up): goodput climbs, and a figure taken during the climb ranks who warmed fastest.
 * The test is the explainable one from the benchmarking literature: no significant linear trend
 * (slope as a percentage of the mean per second, judged against its own standard error, because
 * a retrying strategy's goodput is noisy second to second and three or five noisy seconds always
 * show some slope), and a bounded coefficient of variation; the measured window must also end
 * near its mean and not climb every second.
 */
export interface SteadyRule {
  /** Largest |slope| allowed, % of the window's mean per second, when the slope is significant. */
  maxTrendPctPerSec: number;
  /** Largest coefficient of variation (standard deviation / mean) allowed. */
  maxCov: number;
  /** Largest |last / mean - 1| allowed. */
  maxLastDeviation: number;
}

/**
 * Ends the warm-up: over the last WARMUP_WINDOW_SEC seconds goodput does not climb by more than
 * 5% of its mean per second, and varies by at most 20%. One-sided: a warm-up is a climb, and a
 * decline (an event selling out, retries growing) is not something more warm-up would cure.
 */
export const WARMUP_RULE: SteadyRule = { maxTrendPctPerSec: 5, maxCov: 0.2, maxLastDeviation: 0.2 };
/** Seconds of warm-up the decision looks back over. */
export const WARMUP_WINDOW_SEC = 3;

/**
 * Judges a measured window. The last-second bound (±15%) is the plain check anyone can run on
 * run.json; the CoV bound lets a noisy but level plateau (a retrying strategy) pass while a
 * sawtooth of ±30% does not; a trend fails the window when it is beyond ±5%/s and significant
 * (its t statistic beyond the 95% two-sided t quantile).
 */
export const MEASURED_RULE: SteadyRule = { maxTrendPctPerSec: 5, maxCov: 0.2, maxLastDeviation: 0.15 };

export interface Steadiness {
  steady: boolean;
  /** Least-squares slope, % of the mean per second (0 for a zero mean). */
  trendPctPerSec: number;
  /** The slope over its standard error (0 for a perfect line or fewer than three values). */
  trendT: number;
  cov: number;
  /** last / mean (1 for a zero mean). */
  lastToMean: number;
  /** Every value above the one before (at least three values). */
  monotoneClimb: boolean;
}

/** Least-squares slope of the series against 0, 1, 2, ... (units per step) and its standard error. */
export function slopeFit(series: readonly number[]): { slope: number; se: number } {
  const n = series.length;
  if (n < 2) return { slope: 0, se: 0 };
  const xMean = (n - 1) / 2;
  const yMean = mean(series);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - xMean) * ((series[i] as number) - yMean);
    den += (i - xMean) ** 2;
  }
  const slope = num / den;
  if (n < 3) return { slope, se: 0 };
  let rss = 0;
  for (let i = 0; i < n; i++) rss += ((series[i] as number) - (yMean + slope * (i - xMean))) ** 2;
  return { slope, se: Math.sqrt(rss / (n - 2) / den) };
}

export function slope(series: readonly number[]): number {
  return slopeFit(series).slope;
}

/** A slope fails a window of `seconds` when it is beyond the bound and significant (|t| beyond the 95% t quantile, n - 2 df). */
function slopeFails(trendPctPerSec: number, trendT: number, seconds: number, maxTrend: number): boolean {
  return Math.abs(trendPctPerSec) > maxTrend && seconds > 2 && Math.abs(trendT) > tQuantile95(seconds - 2);
}

/**
 * Applies `rule` to a per-second series. A window of fewer than three seconds cannot show a trend
 * and is not steady; an all-zero window (nothing succeeded) is level and steady.
 */
export function judgeSteadiness(series: readonly number[], rule: SteadyRule): Steadiness {
  const flat = { trendPctPerSec: 0, trendT: 0, cov: 0, lastToMean: 1, monotoneClimb: false };
  if (series.length < 3) return { steady: false, ...flat };
  const m = mean(series);
  let monotoneClimb = true;
  for (let i = 1; i < series.length; i++)
    if ((series[i] as number) <= (series[i - 1] as number)) monotoneClimb = false;
  if (m === 0) return { steady: true, ...flat };
  const fit = slopeFit(series);
  const trendPctPerSec = (100 * fit.slope) / m;
  const trendT = fit.se > 0 ? fit.slope / fit.se : fit.slope === 0 ? 0 : Math.sign(fit.slope) * Infinity;
  const cov = stdDev(series) / m;
  const lastToMean = (series[series.length - 1] as number) / m;
  const steady =
    !slopeFails(trendPctPerSec, trendT, series.length, rule.maxTrendPctPerSec) &&
    cov <= rule.maxCov &&
    Math.abs(lastToMean - 1) <= rule.maxLastDeviation &&
    !monotoneClimb;
  return { steady, trendPctPerSec, trendT, cov, lastToMean, monotoneClimb };
}

/**
 * True when the warm-up seen so far (per-second goodput) has settled: over the last
 * WARMUP_WINDOW_SEC seconds, no climb beyond WARMUP_RULE's slope, no rise every second, and a
 * bounded variation. Three seconds cannot make a slope significant, so here the slope itself is
 * bounded, on the rising side only.
 */
export function warmupSettled(series: readonly number[]): boolean {
  if (series.length < WARMUP_WINDOW_SEC) return false;
  const w = series.slice(-WARMUP_WINDOW_SEC);
  const m = mean(w);
  if (m === 0) return w.every((v) => v === 0);
  let rising = true;
  for (let i = 1; i < w.length; i++) if ((w[i] as number) <= (w[i - 1] as number)) rising = false;
  return (
    (100 * slope(w)) / m <= WARMUP_RULE.maxTrendPctPerSec &&
    stdDev(w) / m <= WARMUP_RULE.maxCov &&
    Math.abs((w[w.length - 1] as number) / m - 1) <= WARMUP_RULE.maxLastDeviation &&
    !rising
  );
}

/** Why a measured window failed its rule (unsteadyCause). */
export type UnsteadyCause = 'trend' | 'bursty';

/**
 * Why a window was not steady, from the figures run.json keeps. 'trend': goodput moved through
 * the window (it rose every second, or its slope was beyond the rule's bound and, where the rule
 * asks, significant): the figure depends on when measuring began. 'bursty': it stayed level but
 * swung second to second beyond the CoV or last-second bound: the figure does not depend on its
 * start, only its interval is wide. The two call for different cures (a longer warm-up; longer
 * cells or repeats), and most unsteady cells are the second kind: measured over 20-s windows on
 * 2 cores, goodput swung by a CoV of 0.06-0.36 (median 0.12), the retry-bound strategies on one
 * hot row most (0.25-0.27) with no significant slope, and 5-s windows cut from those level
 * windows missed the ±15% last-second bound 18% of the time (up to half for those strategies).
 * Null for a steady window.
 */
export function unsteadyCause(
  s: Pick<Steadiness, 'steady' | 'trendPctPerSec' | 'monotoneClimb'> & {
    trendT?: number;
    rule: { maxTrendPctPerSec: number; trendMustBeSignificant?: boolean };
  },
  seconds: number,
): UnsteadyCause | null {
  if (s.steady) return null;
  if (s.monotoneClimb) return 'trend';
  // Runs made before the significance test (no trendT) failed any slope beyond the bound.
  const moved =
    s.rule.trendMustBeSignificant !== true || s.trendT === undefined
      ? Math.abs(s.trendPctPerSec) > s.rule.maxTrendPctPerSec
      : slopeFails(s.trendPctPerSec, s.trendT, seconds, s.rule.maxTrendPctPerSec);
  return moved ? 'trend' : 'bursty';
}
