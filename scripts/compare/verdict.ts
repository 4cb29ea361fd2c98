import { rangesOverlap, type Spread } from './spread.ts';

/**
 * - ok: the median moved by no more than the threshold.
 * - regression / improved: the median moved beyond the threshold (worse / better) and the repeats'
 *   ranges [min, max] do not overlap; with a single repeat on either side, the threshold alone.
 * - noise: the median moved beyond the threshold but the ranges overlap, so the repeats cannot tell
 *   the two runs apart. In `both` mode also: absolute and relative comparisons disagree.
 */
export type Verdict = 'ok' | 'improved' | 'regression' | 'noise';
export const VERDICTS = ['ok', 'improved', 'regression', 'noise'] as const satisfies readonly Verdict[];

/** Why a verdict was reached, for the summary. */
export type VerdictReason =
  /** |change| <= threshold. */
  | 'within-threshold'
  /** Beyond the threshold and the ranges do not overlap. */
  | 'separated'
  /** Beyond the threshold, one side has a single repeat: no spread to weigh it against. */
  | 'single-repeat'
  /** Beyond the threshold but the ranges overlap. */
  | 'overlap';

export interface JudgeOptions {
  better: 'bigger' | 'smaller';
  /** See MetricSpec.floor; same unit as the values. */
  floor: number;
  /** Fraction, e.g. 0.15 for 15%. */
  threshold: number;
}

export interface Judgement {
  verdict: Verdict;
  reason: VerdictReason;
  /** (current median - baseline median) / max(|baseline median|, floor); signed, in the metric's direction. */
  change: number;
  /** current median / baseline median; null when the baseline median is 0. */
  ratio: number | null;
}

/** Noise-aware verdict for one figure; pure. */
export function judge(baseline: Spread, current: Spread, opts: JudgeOptions): Judgement {
  const scale = Math.max(Math.abs(baseline.median), opts.floor, Number.EPSILON);
  const change = (current.median - baseline.median) / scale;
  const ratio = baseline.median === 0 ? null : current.median / baseline.median;
  const worse = opts.better === 'bigger' ? -change : change;
  if (Math.abs(worse) <= opts.threshold) return { verdict: 'ok', reason: 'within-threshold', change, ratio };
  const direction = worse > 0 ? 'regression' : 'improved';
  if (baseline.n < 2 || current.n < 2) return { verdict: direction, reason: 'single-repeat', change, ratio };
  if (rangesOverlap(baseline, current)) return { verdict: 'noise', reason: 'overlap', change, ratio };
  return { verdict: direction, reason: 'separated', change, ratio };
}
