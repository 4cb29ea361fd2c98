import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';
import type { LatencySummary } from '../../core/result-schema.ts';

/** One hour in microseconds: anything slower is recorded as one hour (and is a timeout anyway). */
export const HIGHEST_US = 3_600_000_000;

/**
 * An HdrHistogram of microseconds, 3 significant digits, fixed size (~95 KB) whatever the number
 * of values: memory stays flat over a run.
 */
export function latencyHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });
}

/** Records a duration given in milliseconds (performance.now() differences) as microseconds. */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(Math.min(Math.max(us, 0), HIGHEST_US));
}

/** Percentiles in milliseconds; all zero when the histogram is empty. */
export function summarize(h: Histogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, count: 0 };
  const ms = (p: number) => h.getValueAtPercentile(p) / 1000;
  return { p50: ms(50), p90: ms(90), p99: ms(99), p999: ms(99.9), max: h.maxValue / 1000, count };
}

/** Compressed base64 (HdrHistogram V2 encoding, readable by any HdrHistogram library). */
export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  const decoded = decodeFromCompressedBase64(encoded);
  // Decoding sizes the histogram to its content; merging needs the full range.
  const h = latencyHistogram();
  h.add(decoded);
  decoded.destroy();
  return h;
}

/** The encoded histograms added together, encoded again: the exact histogram of all their values. */
export function addEncoded(encoded: readonly string[]): string {
  const [head, ...tail] = encoded;
  if (head === undefined) throw new RangeError('no histogram to add');
  const h = decodeHistogram(head);
  try {
    for (const e of tail) {
      const o = decodeHistogram(e);
      h.add(o);
      o.destroy();
    }
    return encodeHistogram(h);
  } finally {
    h.destroy();
  }
}

/** The percentiles of one encoded histogram, milliseconds. */
export function summarizeEncoded(encoded: string): LatencySummary {
  const h = decodeHistogram(encoded);
  try {
    return summarize(h);
  } finally {
    h.destroy();
  }
}
