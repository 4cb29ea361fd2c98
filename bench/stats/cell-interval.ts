import type { Interval, Metrics } from '../../core/result-schema.ts';
import { meanInterval } from './interval.ts';

/** The headline figures that carry an interval. */
export type IntervalFigure = 'goodputPerSec' | 'p99Ms';

const READ: Record<IntervalFigure, (m: Metrics) => number> = {
  goodputPerSec: (m) => m.goodputPerSec,
  p99Ms: (m) => m.latencyMs.p99,
};

/**
 * The interval a report or a comparison should quote for one figure of one cell over its repeats:
 * with two or more measured repeats, the t-interval over the repeats' figures (separate server
 * processes spread over the run: the level that varies most); with one, the cell's own
 * within-run interval; null when neither exists (a cell too short for batches, or a run made
 * before intervals were recorded). The same rule everywhere, so the report and `compare` never
 * disagree about what is noise.
 */
export function figureInterval(repeats: readonly Metrics[], figure: IntervalFigure): Interval | null {
  if (repeats.length >= 2) {
    const iv = meanInterval(repeats.map(READ[figure]));
    if (!iv) return null;
    return { ...iv, level: 0.95, method: 'repeats', batchSec: null };
  }
  const only = repeats[0];
  return only?.intervals?.[figure] ?? null;
}
