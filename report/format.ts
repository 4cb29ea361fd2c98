import type { Figure } from './stats.ts';
import { hasSpread } from './stats.ts';

/*
 * Number formatting for every renderer. The locale is fixed so that a report renders the same on
 * every machine (tests compare text).
 */

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** 1234 -> "1,234". */
export function fmtCount(n: number): string {
  return whole.format(n);
}

/** Requests or operations per second: whole numbers from 100 up, one decimal below. */
export function fmtRate(perSec: number): string {
  return perSec >= 100 ? whole.format(perSec) : oneDecimal.format(perSec);
}

/** Milliseconds with precision that matches the magnitude: 0.42, 3.17, 31.7, 317. */
export function fmtMs(ms: number): string {
  if (ms >= 100) return whole.format(ms);
  if (ms >= 10) return oneDecimal.format(ms);
  return twoDecimals.format(ms);
}

/** A ratio such as extra attempts per success: two decimals. */
export function fmtRatio(x: number): string {
  return twoDecimals.format(x);
}

/** A share 0..1 as a percentage; small non-zero shares keep a decimal so they do not read as 0%. */
export function fmtPercent(share: number): string {
  const pct = share * 100;
  if (pct === 0) return '0%';
  if (pct < 10) return `${oneDecimal.format(pct)}%`;
  return `${whole.format(pct)}%`;
}

/** Cents as money units with two decimals: 123456 -> "1,234.56". The currency is not the harness's business. */
export function fmtMoney(cents: number): string {
  return twoDecimals.format(cents / 100);
}

/**
 * A figure over repeats: "1,520" alone, or "1,520 (1,480–1,560)" when repeats differ; `unit` goes
 * right after the median ("17.1 ms (16.8–17.3)").
 */
export function fmtFigure(f: Figure, fmt: (n: number) => string, unit = ''): string {
  return hasSpread(f) ? `${fmt(f.median)}${unit} (${fmt(f.min)}–${fmt(f.max)})` : `${fmt(f.median)}${unit}`;
}

/** "1 repeat" / "3 repeats" and similar. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmtCount(n)} ${n === 1 ? one : many}`;
}

/** ["a"] -> "a"; ["a","b"] -> "a and b"; ["a","b","c"] -> "a, b and c". */
export function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * "1,777 ± 60", "17.1 ± 3.2": an interval's estimate and half-width. The half-width keeps the
 * estimate's decimals, so the two read as one figure.
 */
export function fmtPlusMinus(
  iv: { estimate: number; low: number; high: number },
  fmt: (n: number) => string,
): string {
  const estimate = fmt(iv.estimate);
  const decimals = estimate.includes('.') ? estimate.length - estimate.indexOf('.') - 1 : 0;
  const half = new Intl.NumberFormat('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format((iv.high - iv.low) / 2);
  return `${estimate} ± ${half}`;
}

/** A ratio as a signed change: 1.38 -> "+38%", 0.97 -> "−3%" (a true minus sign). */
export function fmtChange(ratio: number): string {
  const pct = (ratio - 1) * 100;
  const digits = Math.abs(pct) < 1 ? oneDecimal : whole;
  const abs = digits.format(Math.abs(pct));
  if (abs === '0' || abs === '0.0') return '±0%';
  return `${pct > 0 ? '+' : '−'}${abs}%`;
}
