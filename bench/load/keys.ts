import type { Random } from './random.ts';

/**
 * Key choosers: which row (account or event id, 1..n) the next request touches. Set-up may cost
 * O(n) once (zeta); every `next()` is O(1) and allocates nothing.
 */
export interface KeyChooser {
  /** Ids are 1..n. */
  readonly n: number;
  next(): number;
}

/** How keys are chosen; the contention profiles pick one of these. */
export type KeySpec =
  | { kind: 'hot' }
  | { kind: 'uniform' }
  | {
      kind: 'hot-set';
      /** Number of hot rows, ids 1..size. Default 8. */
      size: number;
      /** Share of requests that go to the hot rows, 0..1. Default 0.9. */
      share: number;
    }
  | {
      kind: 'zipf';
      /** Skew; 0 is uniform, YCSB's default is 0.99. Must be in [0, 1). */
      theta: number;
    };

/** Every request on row 1: the worst case for any row lock. */
export function hotKeys(n: number): KeyChooser {
  checkN(n);
  return { n, next: () => 1 };
}

export function uniformKeys(n: number, rng: Random): KeyChooser {
  checkN(n);
  return { n, next: () => 1 + Math.floor(rng.float() * n) };
}

/**
 * `share` of the requests go uniformly to rows 1..size, the rest uniformly to the other rows, so
 * the hot share is exactly `share` (when size >= n, every row is hot).
 */
export function hotSetKeys(n: number, rng: Random, size = 8, share = 0.9): KeyChooser {
  checkN(n);
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`hot-set size must be a positive integer, got ${size}`);
  if (!(share >= 0 && share <= 1)) throw new RangeError(`hot-set share must be in [0, 1], got ${share}`);
  const hot = Math.min(size, n);
  const cold = n - hot;
  if (cold === 0) return { n, next: () => 1 + Math.floor(rng.float() * hot) };
  return {
    n,
    next: () =>
      rng.float() < share ? 1 + Math.floor(rng.float() * hot) : hot + 1 + Math.floor(rng.float() * cold),
  };
}

/** Generalised harmonic number: sum over i = 1..n of 1 / i^theta. O(n). */
export function zeta(n: number, theta: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += 1 / i ** theta;
  return sum;
}

/** Largest n the scrambled Zipfian accepts: keeps the 64-bit hash reduction exact in doubles. */
export const ZIPF_MAX_N = 10_000_000;

/**
 * YCSB's ScrambledZipfianGenerator: draw a Zipfian rank over n items with YCSB's
 * ZipfianGenerator (Gray et al., "Quickly generating billion-record synthetic databases"), then
 * spread the ranks over the key space with YCSB's 64-bit FNV hash, so the hot rows are not all
 * next to each other in the index.
 *
 * One deliberate difference: YCSB draws ranks over 10^10 items and folds them into n, which for a
 * small table flattens the head (the top row gets 1/zeta(10^10) = 3.8% at theta 0.99, not
 * 1/zeta(1000) = 13%). Here ranks are drawn over n items, so the top row's share is ~1/zeta(n)
 * and theta means what it says. Hashing mod n is not a permutation: a few rows share two ranks,
 * a few get none, as in YCSB.
 */
export function zipfKeys(n: number, rng: Random, theta = 0.99): KeyChooser {
  checkN(n);
  if (n > ZIPF_MAX_N) throw new RangeError(`zipf supports at most ${ZIPF_MAX_N} keys, got ${n}`);
  if (!(theta >= 0 && theta < 1)) throw new RangeError(`zipf theta must be in [0, 1), got ${theta}`);
  if (n === 1) return { n, next: () => 1 };
  const zetan = zeta(n, theta);
  const zeta2 = zeta(2, theta);
  const alpha = 1 / (1 - theta);
  const eta = (1 - (2 / n) ** (1 - theta)) / (1 - zeta2 / zetan);
  const second = 1 + 0.5 ** theta;
  const rank = (): number => {
    const u = rng.float();
    const uz = u * zetan;
    if (uz < 1) return 0;
    if (uz < second) return 1;
    return Math.min(n - 1, Math.floor(n * (eta * u - eta + 1) ** alpha));
  };
  return { n, next: () => 1 + fnvHash64Mod(rank(), n) };
}

const TWO32 = 4294967296;

/**
 * YCSB's `Utils.fnvhash64(value)` (FNV-1 over the 8 little-endian bytes of a long, then
 * `Math.abs`) reduced mod n, in two 32-bit halves so the hot path needs no BigInt.
 * `value` must be in [0, 2^32): the four high bytes are then zero.
 */
export function fnvHash64Mod(value: number, n: number): number {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  let v = value;
  for (let i = 0; i < 8; i++) {
    lo = (lo ^ (v & 0xff)) >>> 0;
    v >>>= 8;
    // h * (2^40 + 0x1b3) mod 2^64, with h = hi * 2^32 + lo: lo * 0x1b3 is exact in a double
    // (< 2^41), its high part carries into hi, and h << 40 adds lo << 8 to hi.
    const carry = Math.floor((lo * 0x1b3) / TWO32);
    hi = (Math.imul(hi, 0x1b3) + carry + (lo << 8)) >>> 0;
    lo = Math.imul(lo, 0x1b3) >>> 0;
  }
  if (hi >= 0x80000000) {
    // Java's Math.abs on a negative long: two's complement negation.
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    lo = (TWO32 - lo) % TWO32;
  }
  return ((hi % n) * (TWO32 % n) + lo) % n;
}

export function createKeyChooser(spec: KeySpec, n: number, rng: Random): KeyChooser {
  switch (spec.kind) {
    case 'hot':
      return hotKeys(n);
    case 'uniform':
      return uniformKeys(n, rng);
    case 'hot-set':
      return hotSetKeys(n, rng, spec.size, spec.share);
    case 'zipf':
      return zipfKeys(n, rng, spec.theta);
  }
}

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`key count must be a positive integer, got ${n}`);
}
