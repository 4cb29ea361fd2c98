/**
 * One figure over the repeats of a cell: the median the report quotes and the spread (min–max)
 * that says how much to trust it. With one repeat, median = min = max and n = 1.
 */
export interface Figure {
  median: number;
  min: number;
  max: number;
  /** Number of repeats the figure is over. */
  n: number;
}

/** Median of the values (mean of the middle two for an even count). Throws on an empty list: a bug. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] as number;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] as number) + hi) / 2;
}

export function figureOf(values: readonly number[]): Figure {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** True when the spread shows a real difference between repeats. */
export function hasSpread(f: Figure): boolean {
  return f.n > 1 && f.min !== f.max;
}
