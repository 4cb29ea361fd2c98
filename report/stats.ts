import { median } from '../bench/stats/median.ts';

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

export function figureOf(values: readonly number[]): Figure {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** True when the spread shows a real difference between repeats. */
export function hasSpread(f: Figure): boolean {
  return f.n > 1 && f.min !== f.max;
}
