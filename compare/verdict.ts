import type { Estimate } from './estimate.ts';
import { type RunNoise, widenHalfWidth } from './run-noise.ts';

/**
 * - regression / improved: the 95% interval of the ratio current / baseline lies entirely beyond
 *   the threshold, on the worse / better side (goodput: below 1 - threshold / above 1 + threshold;
 *   p99 and extra attempts the other way round).
 * - noise: no change detected. The ratio is within the threshold, or beyond it but its interval
 *   reaches back inside. In `both` mode also: absolute and relative comparisons disagree.
 * - not-judged: a side has no interval (a one-repeat run whose cells were too short for
 *   within-run batches, or a run recorded before intervals were), or its one-repeat cell was not
 *   steady or was disturbed, so its within-run interval says nothing about run-to-run noise
 *   (Estimate.withheld). Never fails a comparison.
 */
export type Verdict = 'improved' | 'regression' | 'noise' | 'not-judged';
export const VERDICTS = [
  'regression',
  'improved',
  'noise',
  'not-judged',
] as const satisfies readonly Verdict[];

/** Why a verdict was reached. */
export type VerdictReason =
  /** The ratio's interval lies entirely beyond the threshold. */
  | 'beyond-threshold'
  /** The ratio itself is within the threshold. */
  | 'within-threshold'
  /** The ratio is beyond the threshold, its interval is not. */
  | 'interval-reaches-threshold'
  /** No interval on a side, both figures at or below the floor (MetricSpec.quietBelowFloor). */
  | 'below-floor'
  /** No interval on a side. */
  | 'no-interval'
  /** A side's one-repeat cell was not steady: its within-run interval was set aside. */
  | 'not-steady'
  /** A side's one-repeat cell shared the machine with something busy: likewise. */
  | 'disturbed';

export interface JudgeOptions {
  better: 'bigger' | 'smaller';
  /** Fraction, e.g. 0.15 for 15%. */
  threshold: number;
  /** Judge figures without an interval that sit at or below `floor` on both sides as noise. */
  quietBelowFloor: number | null;
  /**
   * The run-to-run noise this pair of runs shows for the figure (run-noise.ts), added to every
   * ratio's interval; null: the runs' own intervals alone.
   */
  runNoise: RunNoise | null;
}

export interface Judgement {
  verdict: Verdict;
  reason: VerdictReason;
  /** current / baseline, both raised to the metric's floor; 1 = unchanged. */
  ratio: number;
  /** 95% interval of `ratio`; null when a side has no interval. */
  ratioInterval: { low: number; high: number } | null;
}

/**
 * The judging rule, for one figure; pure. The ratio's interval comes from the two intervals on
 * the log scale: ln(current / baseline) = ln(current) - ln(baseline), the errors of two separate
 * runs are independent, so their log half-widths (for a narrow interval, its relative half-width:
 * ±5% is about ±0.049) combine in quadrature, H = sqrt(hb² + hc²), and the ratio's interval is
 * [ratio·e^-H, ratio·e^H]. H then gains the run-to-run term the pair of runs measured across its
 * cells (widenHalfWidth: what two runs of the same code differ by beyond their own intervals). A
 * regression needs all of it beyond the threshold: a change large enough to matter, and neither
 * the runs' own noise nor the run-to-run noise able to explain it.
 */
export function judge(baseline: Estimate, current: Estimate, opts: JudgeOptions): Judgement {
  const ratio = current.floored / baseline.floored;
  if (baseline.logHalfWidth === null || current.logHalfWidth === null) {
    const quiet =
      opts.quietBelowFloor !== null &&
      baseline.value <= opts.quietBelowFloor &&
      current.value <= opts.quietBelowFloor;
    return quiet
      ? { verdict: 'noise', reason: 'below-floor', ratio, ratioInterval: null }
      : {
          verdict: 'not-judged',
          reason: baseline.withheld ?? current.withheld ?? 'no-interval',
          ratio,
          ratioInterval: null,
        };
  }
  const h = widenHalfWidth(Math.hypot(baseline.logHalfWidth, current.logHalfWidth), opts.runNoise);
  const ratioInterval = { low: ratio * Math.exp(-h), high: ratio * Math.exp(h) };
  const judged = (verdict: Verdict, reason: VerdictReason): Judgement => ({
    verdict,
    reason,
    ratio,
    ratioInterval,
  });
  const [below, above] = [1 - opts.threshold, 1 + opts.threshold];
  if (ratio >= below && ratio <= above) return judged('noise', 'within-threshold');
  if (ratioInterval.high < below)
    return judged(opts.better === 'bigger' ? 'regression' : 'improved', 'beyond-threshold');
  if (ratioInterval.low > above)
    return judged(opts.better === 'bigger' ? 'improved' : 'regression', 'beyond-threshold');
  return judged('noise', 'interval-reaches-threshold');
}
