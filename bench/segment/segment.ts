/**
 * Execution segments, as k6 splits one test across pods: segment k of n drives its share of a
 * cell's load. Pure arithmetic, so every segment process computes the same split on its own.
 */

export interface SegmentSpec {
  /** 1-based. */
  index: number;
  count: number;
}

export const WHOLE: SegmentSpec = { index: 1, count: 1 };

/**
 * Segment k's share of an integer total: floor(total k / n) - floor(total (k - 1) / n). The
 * shares of all n segments add up to the total exactly and differ by at most one.
 */
export function shareOf(total: number, s: SegmentSpec): number {
  return Math.floor((total * s.index) / s.count) - Math.floor((total * (s.index - 1)) / s.count);
}

/**
 * The seed of segment k's random streams (keys, operation mix, arrivals): the user seed for
 * segment 1 (so 1/1 is the whole run's own stream), a different one for every other segment, so
 * the segments do not send the same keys in lockstep. Same seed and k, same requests.
 */
export function segmentSeed(seed: number, s: SegmentSpec): number {
  if (s.index === 1) return seed;
  // A large odd multiplier spreads neighbouring k over the 31-bit seed space.
  return (seed + Math.imul(s.index - 1, 0x9e3779b1)) >>> 1;
}

/** The server segment k drives: round robin over the URLs. */
export function serverFor(urls: readonly string[], s: SegmentSpec): string {
  const url = urls[(s.index - 1) % urls.length];
  if (url === undefined) throw new RangeError('no server URL');
  return url;
}

/** Appended to the opIds' prefix, so no two segments' operations share an opId. */
export function segmentTag(s: SegmentSpec): string {
  return s.count === 1 ? '' : `s${s.index}`;
}
