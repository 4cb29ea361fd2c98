/**
 * Confidence intervals for the figures a report ranks. Pure functions over plain numbers; the
 * recorder, the report and the comparison all use these, so a figure is judged the same way
 * everywhere.
 *
 * Per-second samples of one run are autocorrelated (a slow second tends to follow a slow second),
 * so a t-interval over the seconds themselves is too narrow. The method of batch means groups
 * consecutive seconds into batches large enough that the batch means are close to independent,
 * then takes a t-interval over the batch means. Across repeats (separate server processes,
 * interleaved with other cells) the repeats' figures are independent, and a t-interval over them
 * is the honest one.
 */

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * The t quantile for a 95% two-sided interval with `df` degrees of freedom. Beyond 30 the
 * Cornish-Fisher expansion around the normal quantile is within 0.001 of the table value.
 */
export function tQuantile95(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be >= 1, got ${df}`);
  if (df <= T975.length) return T975[df - 1] as number;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Sample standard deviation (n - 1); 0 for fewer than two values. */
export function stdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

/** Lag-1 autocorrelation of a series; 0 for fewer than three values or a constant series. */
export function lag1Autocorrelation(values: readonly number[]): number {
  if (values.length < 3) return 0;
  const m = mean(values);
  let num = 0;
  let den = 0;
  for (let i = 0; i < values.length; i++) {
    const d = (values[i] as number) - m;
    den += d * d;
    if (i > 0) num += d * ((values[i - 1] as number) - m);
  }
  return den === 0 ? 0 : num / den;
}

/** A 95% interval around `estimate`. */
export interface MeanInterval {
  estimate: number;
  low: number;
  high: number;
  /** Independent samples it rests on. */
  samples: number;
}

/** The t-interval of the mean of independent samples; null for fewer than two. */
export function meanInterval(values: readonly number[]): MeanInterval | null {
  if (values.length < 2) return null;
  const m = mean(values);
  const half = (tQuantile95(values.length - 1) * stdDev(values)) / Math.sqrt(values.length);
  return { estimate: m, low: m - half, high: m + half, samples: values.length };
}

/** Fewest batches an interval is computed from: below this the t quantile (2.78 at 4) is too wide to help. */
export const MIN_BATCHES = 5;
/** Batch means with a lag-1 autocorrelation at or below this are treated as independent. */
export const MAX_BATCH_AUTOCORRELATION = 0.2;

/**
 * Batch sizes (in samples) from 1 up, keeping at least MIN_BATCHES batches: the first size whose
 * batch means have a lag-1 autocorrelation of at most MAX_BATCH_AUTOCORRELATION, or the largest
 * size allowed when none does (the interval is then as honest as the window permits). Trailing
 * samples that do not fill a batch are left out of the batches.
 */
export function chooseBatchSize(series: readonly number[]): number {
  const largest = Math.floor(series.length / MIN_BATCHES);
  for (let size = 1; size <= largest; size++) {
    if (lag1Autocorrelation(batchMeans(series, size)) <= MAX_BATCH_AUTOCORRELATION) return size;
  }
  return Math.max(1, largest);
}

/** Means of consecutive batches of `size` samples; an incomplete last batch is dropped. */
export function batchMeans(series: readonly number[], size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + size <= series.length; i += size) {
    let s = 0;
    for (let j = i; j < i + size; j++) s += series[j] as number;
    out.push(s / size);
  }
  return out;
}

/**
 * Batch-means interval of the mean of a per-window series (per-second goodput). Null when the
 * series has fewer than MIN_BATCHES windows. `batchSize` is in windows.
 */
export function batchMeansInterval(series: readonly number[]): (MeanInterval & { batchSize: number }) | null {
  if (series.length < MIN_BATCHES) return null;
  const size = chooseBatchSize(series);
  const iv = meanInterval(batchMeans(series, size));
  return iv ? { ...iv, batchSize: size } : null;
}

/** Half the interval's width as a share of its estimate (0.05 = ±5%); Infinity for a zero estimate. */
export function relativeHalfWidth(iv: { estimate: number; low: number; high: number }): number {
  const half = (iv.high - iv.low) / 2;
  return iv.estimate === 0 ? (half === 0 ? 0 : Number.POSITIVE_INFINITY) : half / Math.abs(iv.estimate);
}

/** True when the two closed intervals share a point. */
export function intervalsOverlap(
  a: { low: number; high: number },
  b: { low: number; high: number },
): boolean {
  return a.low <= b.high && b.low <= a.high;
}
