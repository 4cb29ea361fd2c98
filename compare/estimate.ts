import { figureInterval } from '../bench/stats/cell-interval.ts';
import { mean, meanInterval, tQuantile95 } from '../bench/stats/interval.ts';
import type { Interval, Metrics } from '../core/result-schema.ts';
import { type CellGroup, measuredRepeats } from './cell-groups.ts';
import { METRICS, type MetricName } from './metrics.ts';

/** What one run says about one figure of one cell: the figure and, where known, how noisy it is. */
export interface Estimate {
  /**
   * The figure, in the metric's unit: the mean over the measured repeats (with one repeat, its
   * figure), which is also the centre of `interval`. For a relative figure: the quotient.
   */
  value: number;
  /** 95% interval around `value`; null when the run carries no estimate of this figure's noise. */
  interval: { low: number; high: number } | null;
  /**
   * Where the interval comes from: 'repeats' (t-interval over the repeats, or over the paired
   * ratios of a relative figure), 'batch-means' or 'batch-percentiles' (within one run, see the
   * result schema), 'quotient' (a relative figure of one repeat: its two intervals combined); null
   * without an interval.
   */
  method: Interval['method'] | 'quotient' | null;
  /** Measured repeats behind the figure (relative: pairs of repeats, or the cell's for a quotient). */
  repeats: number;
  /** `value` raised to the metric's floor (METRICS[m].floor): what ratios are taken of. */
  floored: number;
  /**
   * Half-width of the interval on the log scale of the floored figure, bounds floored too: the
   * larger of ln(high / value) and ln(value / low), so the long lower tail of a wide symmetric
   * interval is not understated (a low at or below zero with no floor gives Infinity). For a
   * narrow interval this is its relative half-width. Null without an interval.
   */
  logHalfWidth: number | null;
  /**
   * Standard error on the same log scale: `logHalfWidth` over the t quantile its interval used
   * (samples - 1 degrees of freedom). What the run-to-run noise estimate weighs a figure's own
   * noise by (run-noise.ts). Null without an interval.
   */
  logSe: number | null;
  /**
   * Why a within-run interval was set aside, leaving the figure without one (see `withheldReason`):
   * 'not-steady' or 'disturbed'; null when the interval was kept or there was none to keep.
   */
  withheld: Withheld | null;
}

/** Why a one-repeat figure's within-run interval cannot judge a change between two runs. */
export type Withheld = 'not-steady' | 'disturbed';

/**
 * A within-run interval (batch means over one measured window) describes how the figure wobbled
 * inside that window, not how far another run would land from it. It stands in for the run-to-run
 * noise only when the window measured one settled state on an otherwise quiet machine. A window
 * whose goodput was still moving (the figure depends on when the measurement started: repeated
 * runs of such cells differ by far more than their own intervals) or that shared the machine with
 * something busy (another process took 15% or more of it) gives no estimate of that noise, so the
 * figure is not judged rather than judged on an interval too narrow for it. Repeats (separate
 * measurements spread over the run) carry their own t-interval and are always used.
 */
export function withheldReason(m: Metrics): Withheld | null {
  if (m.steady !== undefined && !m.steady.steady) return 'not-steady';
  if (m.interference?.suspect === true) return 'disturbed';
  return null;
}

/**
 * One metric of a cell over its measured repeats, with the interval that `figureInterval` assigns
 * (t-interval over >= 2 repeats, else the cell's own within-run interval, else none). Extra
 * attempts has no within-run interval in the schema: a t-interval over >= 2 repeats, else none.
 * Null when no repeat was measured.
 */
export function figureEstimate(group: CellGroup, metric: MetricName): Estimate | null {
  const spec = METRICS[metric];
  // biome-ignore lint/style/noNonNullAssertion: measuredRepeats keeps only cells with metrics
  const repeats = measuredRepeats(group).map((c) => c.metrics!);
  if (repeats.length === 0) return null;
  const values = repeats.map(spec.read);
  let interval: { low: number; high: number; estimate: number; samples: number } | null = null;
  let method: Estimate['method'] = null;
  let withheld: Withheld | null = null;
  if (spec.interval !== null) {
    const iv = figureInterval(repeats, spec.interval);
    // biome-ignore lint/style/noNonNullAssertion: one repeat here (figureInterval's rule)
    withheld = iv && iv.method !== 'repeats' ? withheldReason(repeats[0]!) : null;
    if (iv && withheld === null) [interval, method] = [iv, iv.method];
  } else if (repeats.length >= 2) {
    interval = meanInterval(values);
    if (interval) method = 'repeats';
  }
  const value = interval?.estimate ?? mean(values);
  const floor = spec.floor;
  const floored = Math.max(value, floor);
  const h = interval
    ? logHalfWidth(floored, Math.max(interval.low, floor), Math.max(interval.high, floor))
    : null;
  return {
    value,
    interval: interval ? { low: interval.low, high: interval.high } : null,
    method,
    repeats: repeats.length,
    floored,
    logHalfWidth: h,
    logSe: h === null || interval === null ? null : logStandardError(h, interval.samples),
    withheld,
  };
}

/** A log half-width back to its standard error: over Student's 97.5% quantile at samples - 1. */
export function logStandardError(logHalfWidth: number, samples: number): number {
  return logHalfWidth / tQuantile95(Math.max(1, samples - 1));
}

/** See Estimate.logHalfWidth; arguments already floored. */
export function logHalfWidth(value: number, low: number, high: number): number {
  if (value <= 0 || low <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(Math.log(high / value), Math.log(value / low), 0);
}

/**
 * `a` divided by `b` (both floored), for relative figures: a strategy over the reference strategy
 * of the same run. On the log scale the quotient's error is the difference of the two errors;
 * treated as independent, their half-widths add in quadrature, so the quotient's interval is wider
 * than either. A figure whose interval was withheld leaves the quotient without one, for the same
 * reason. (A cell and its reference share the runner and so co-vary; ignoring that makes the
 * interval too wide, never too narrow: it errs toward 'noise'.) No interval when either lacks one.
 */
export function quotientEstimate(a: Estimate, b: Estimate): Estimate {
  const value = a.floored / b.floored;
  const h =
    a.logHalfWidth === null || b.logHalfWidth === null ? null : Math.hypot(a.logHalfWidth, b.logHalfWidth);
  const se = a.logSe === null || b.logSe === null ? null : Math.hypot(a.logSe, b.logSe);
  return {
    value,
    interval: h === null ? null : { low: value * Math.exp(-h), high: value * Math.exp(h) },
    method: h === null ? null : 'quotient',
    repeats: a.repeats,
    floored: value,
    logHalfWidth: h,
    logSe: se,
    withheld: a.withheld ?? b.withheld,
  };
}
