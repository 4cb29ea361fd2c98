import { median } from '../bench/stats/median.ts';

/** Summary of one figure over the repeats of a cell. */
export interface Spread {
  /** Number of repeats the figure is over (>= 1). */
  n: number;
  median: number;
  min: number;
  max: number;
  /** The repeats' values in repeat order. */
  values: number[];
}

/** Returns null for no values: a cell whose repeats all failed has no spread. */
export function spreadOf(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  return {
    n: values.length,
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    values: [...values],
  };
}
