import { mean, tQuantile95 } from '../stats/interval.ts';
import { fitVariancePrior, moderate, type VariancePrior } from '../stats/moderated-variance.ts';

/**
 * The statistics of a paired A/B run. Pure functions over plain numbers.
 *
 * Each pair measures A and B back to back on the same machine, so whatever the machine did in
 * that minute hits both. Per pair i the figure is r_i = ln(B_i / A_i); the pairs are independent
 * (separate server processes, separate minutes), so a t-interval over the r_i is the interval of
 * the mean log ratio, and exponentiated it is the interval of the geometric-mean ratio B/A. With
 * a handful of pairs per cell, the variance of the r_i is moderated across the run's cells
 * (bench/stats/moderated-variance.ts): the cells share the machine, so each borrows from the
 * others' variances as far as they agree, and its t quantile has the degrees of freedom it borrowed.
 */

/** The order of pair `index` (0-based): AB, BA, AB, ... so a drift over the run favours neither side. */
export function pairOrder(index: number): readonly ['A', 'B'] | readonly ['B', 'A'] {
  return index % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
}

/** Goodput below this (ops/s) and p99 below this (ms) are raised to it before a ratio is taken. */
export const RATIO_FLOOR = { goodputPerSec: 1, p99Ms: 0.01 } as const;
export type AbFigure = keyof typeof RATIO_FLOOR;

/** One measured pair: each side's figure. */
export interface PairFigures {
  a: number;
  b: number;
}

/** The B/A ratio over the pairs with its 95% interval; interval null below two pairs. */
export interface RatioInterval {
  /** exp(mean of ln(B_i / A_i)): the geometric mean of the pairs' ratios. */
  ratio: number;
  low: number | null;
  high: number | null;
  /** Pairs it rests on. */
  pairs: number;
  /** Half-width of the interval on the log scale (ln(high / ratio)); null without an interval. */
  logHalfWidth: number | null;
  /** Degrees of freedom of its t quantile (pairs - 1, plus what the prior lends; Infinity: all); null without an interval. */
  df: number | null;
}

/** The run's priors for the variance of ln(B/A), one per figure; null: each cell on its own. */
export type RatioPriors = Record<AbFigure, VariancePrior | null>;
export const NO_PRIORS: RatioPriors = { goodputPerSec: null, p99Ms: null };

/** Sample variance (n - 1) of the log ratios. */
function logVariance(r: readonly number[]): number {
  const m = mean(r);
  return r.reduce((a, v) => a + (v - m) ** 2, 0) / (r.length - 1);
}

/** The prior of one figure from every cell's pairs (cells with at least two pairs count). */
export function ratioPrior(
  cells: readonly (readonly PairFigures[])[],
  figure: AbFigure,
): VariancePrior | null {
  return fitVariancePrior(
    cells
      .filter((pairs) => pairs.length >= 2)
      .map((pairs) => ({ variance: logVariance(logRatios(pairs, figure)), df: pairs.length - 1 })),
  );
}

export function logRatios(pairs: readonly PairFigures[], figure: AbFigure): number[] {
  const floor = RATIO_FLOOR[figure];
  return pairs.map((p) => Math.log(Math.max(p.b, floor) / Math.max(p.a, floor)));
}

/** The t quantile at `df` degrees of freedom, fractional ones rounded down (the wider interval). */
const tAt = (df: number): number => tQuantile95(Math.floor(Math.min(df, 1e6)));

export function pairedRatio(
  pairs: readonly PairFigures[],
  figure: AbFigure,
  prior: VariancePrior | null = null,
): RatioInterval {
  if (pairs.length === 0) throw new RangeError('a ratio needs at least one pair');
  const r = logRatios(pairs, figure);
  const m = mean(r);
  if (r.length < 2) {
    return { ratio: Math.exp(m), low: null, high: null, pairs: pairs.length, logHalfWidth: null, df: null };
  }
  const v = moderate({ variance: logVariance(r), df: r.length - 1 }, prior);
  const half = tAt(v.df) * Math.sqrt(v.variance / r.length);
  return {
    ratio: Math.exp(m),
    low: Math.exp(m - half),
    high: Math.exp(m + half),
    pairs: pairs.length,
    logHalfWidth: half,
    df: v.df,
  };
}

/** Why sampling of a cell ended. */
export type StopReason = 'target' | 'resolved' | 'budget' | 'time' | 'failed' | 'unsupported' | 'interrupted';

export interface StoppingRule {
  /** Pairs before the target may end a cell (AB_MIN_PAIRS). */
  minPairs: number;
  /** Most pairs per cell. */
  maxPairs: number;
  /** Both intervals within ± this share of their ratio (0.05: ±5%). */
  target: number;
  /** The verdict's threshold (0.1: ±10%): a goodput interval wholly on one side of each bound is resolved. */
  threshold: number;
}

/** Whether an interval is within ± target: exp(half-width) - 1 <= target. */
export function narrowEnough(r: RatioInterval, target: number): boolean {
  return r.logHalfWidth !== null && Math.exp(r.logHalfWidth) - 1 <= target;
}

/**
 * Whether a goodput interval already answers the verdict's question whatever more pairs would
 * add: wholly below 1 - threshold (a regression), wholly above 1 + threshold, or wholly within
 * ±threshold (unchanged). This is tachometer's auto-sampling rule ("stop once the difference is
 * resolved against every horizon"): a cell whose answer is known gives its time to the cells
 * that still straddle a bound.
 */
export function resolved(r: RatioInterval, threshold: number): boolean {
  return r.low !== null && r.high !== null && placeInterval(r.low, r.high, threshold) !== 'across';
}

/** Where an interval [lo, hi] lies against 1 ± threshold: wholly below, wholly above, wholly within, or across a bound. */
function placeInterval(lo: number, hi: number, threshold: number): 'below' | 'above' | 'within' | 'across' {
  if (hi < 1 - threshold) return 'below';
  if (lo > 1 + threshold) return 'above';
  if (lo >= 1 - threshold && hi <= 1 + threshold) return 'within';
  return 'across';
}

/**
 * The stopping rule of one cell, asked after each pair, once at least minPairs pairs are in, the
 * intervals taken under the run's priors so far: stop on `target` when the intervals of both
 * ratios (goodput, p99) are within ± target; on `resolved` when the goodput interval is resolved
 * against the threshold (resolved(); p99 is reported, it does not fail a run, so it is not waited
 * for); on `budget` at maxPairs; otherwise go on (null). Stopping when the answer is known looks
 * at the data more than once, so a chance extreme at an early look is kept (measured: one "faster"
 * at 3 pairs in 6 runs of the CI matrix, see README); the minimum of pairs bounds it. The run's
 * wall-time budget is the caller's.
 */
export function stopReason(
  pairs: readonly { goodputPerSec: PairFigures; p99Ms: PairFigures }[],
  rule: StoppingRule,
  priors: RatioPriors = NO_PRIORS,
): 'target' | 'resolved' | 'budget' | null {
  if (pairs.length >= rule.minPairs && pairs.length >= 2) {
    const g = pairedRatio(
      pairs.map((p) => p.goodputPerSec),
      'goodputPerSec',
      priors.goodputPerSec,
    );
    const l = pairedRatio(
      pairs.map((p) => p.p99Ms),
      'p99Ms',
      priors.p99Ms,
    );
    if (narrowEnough(g, rule.target) && narrowEnough(l, rule.target)) return 'target';
    if (resolved(g, rule.threshold)) return 'resolved';
  }
  return pairs.length >= rule.maxPairs ? 'budget' : null;
}

export type VerdictKind = 'slower' | 'faster' | 'same' | 'inconclusive';

export interface AbVerdict {
  kind: VerdictKind;
  /** B is worse than A beyond the threshold with the whole interval: the run fails on it. */
  regression: boolean;
  /** The sentence a report shows: "B is 0.82× A (0.78–0.86): slower". */
  text: string;
}

const x = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * Reads a ratio against the threshold. For goodput bigger is better; for p99 smaller is better, so
 * "worse" is a ratio above 1. With the whole interval beyond 1 ∓ threshold on the worse side: a
 * regression. Within [1 - threshold, 1 + threshold]: no difference detected. Beyond 1 but not
 * the threshold: slower/faster, not a regression. An interval that straddles a threshold and 1,
 * or none at all: inconclusive.
 */
export function abVerdict(r: RatioInterval, figure: AbFigure, threshold: number): AbVerdict {
  const [worse, better] = figure === 'goodputPerSec' ? ['slower', 'faster'] : ['higher', 'lower'];
  const what = figure === 'goodputPerSec' ? 'B is' : 'B’s p99 is';
  const head = `${what} ${x(r.ratio)}× A`;
  if (r.low === null || r.high === null) {
    return {
      kind: 'inconclusive',
      regression: false,
      text: `inconclusive: ${r.pairs} pair(s), no interval (${head})`,
    };
  }
  const iv = `(${x(r.low)}–${x(r.high)})`;
  // Normalised to "bigger is better" (for p99: A/B); a higher p99 is 'slower' too.
  const [lo, hi] = figure === 'goodputPerSec' ? [r.low, r.high] : [1 / r.high, 1 / r.low];
  const kindWorse: VerdictKind = 'slower';
  const kindBetter: VerdictKind = 'faster';
  const place = placeInterval(lo, hi, threshold);
  if (place === 'below') return { kind: kindWorse, regression: true, text: `${head} ${iv}: ${worse}` };
  if (place === 'above') return { kind: kindBetter, regression: false, text: `${head} ${iv}: ${better}` };
  if (place === 'within') {
    return { kind: 'same', regression: false, text: `no difference detected ${iv}` };
  }
  const pct = `${Math.round(threshold * 100)}%`;
  if (hi < 1) {
    return { kind: kindWorse, regression: false, text: `${head} ${iv}: ${worse}, not clearly beyond ${pct}` };
  }
  if (lo > 1) {
    return {
      kind: kindBetter,
      regression: false,
      text: `${head} ${iv}: ${better}, not clearly beyond ${pct}`,
    };
  }
  return { kind: 'inconclusive', regression: false, text: `inconclusive: interval too wide ${iv}` };
}
