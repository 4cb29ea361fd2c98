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

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  // biome-ignore lint/style/noNonNullAssertion: indices are within bounds by construction
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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
