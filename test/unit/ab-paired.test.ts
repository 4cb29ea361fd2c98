import { describe, expect, it } from 'vitest';
import {
  abVerdict,
  pairedRatio,
  pairOrder,
  type RatioInterval,
  resolved,
  stopReason,
} from '../../bench/ab/paired.ts';
import { compareCell } from '../../bench/ab/run-ab.ts';

const rule = { minPairs: 3, maxPairs: 8, target: 0.05, threshold: 0.1 };
const pair = (a: number, b: number, pa = 10, pb = pa * (a / b)) => ({
  goodputPerSec: { a, b },
  p99Ms: { a: pa, b: pb },
});

describe('interleaving order', () => {
  it('alternates AB, BA, AB, ... so a drift favours neither side', () => {
    expect([0, 1, 2, 3, 4].map((i) => pairOrder(i).join(''))).toEqual(['AB', 'BA', 'AB', 'BA', 'AB']);
    // Over any even number of pairs each side ran first exactly half the time.
    const firsts = [0, 1, 2, 3, 4, 5].map((i) => pairOrder(i)[0]);
    expect(firsts.filter((s) => s === 'A')).toHaveLength(3);
  });
});

describe('paired ratio interval', () => {
  it('is the t-interval of mean ln(B/A), exponentiated (known data)', () => {
    // ln ratios: ln 0.8, ln 0.9, ln 1.0 -> mean m, sd s, t(2) = 4.303.
    const pairs = [
      { a: 100, b: 80 },
      { a: 200, b: 180 },
      { a: 50, b: 50 },
    ];
    const r = [Math.log(0.8), Math.log(0.9), 0] as const;
    const m = (r[0] + r[1] + r[2]) / 3;
    const sd = Math.sqrt(r.reduce((s, v) => s + (v - m) ** 2, 0) / 2);
    const half = (4.303 * sd) / Math.sqrt(3);
    const iv = pairedRatio(pairs, 'goodputPerSec');
    expect(iv.ratio).toBeCloseTo(Math.exp(m), 12);
    expect(iv.low).toBeCloseTo(Math.exp(m - half), 12);
    expect(iv.high).toBeCloseTo(Math.exp(m + half), 12);
    expect(iv.ratio).toBeCloseTo(Math.cbrt(0.8 * 0.9), 12); // the geometric mean of the ratios
    expect(iv.pairs).toBe(3);
  });

  it('cancels a machine that slows both sides of a pair alike', () => {
    // The machine halves everything in pairs 2 and 3; B is 0.8x A throughout.
    const iv = pairedRatio(
      [
        { a: 1000, b: 800 },
        { a: 500, b: 400 },
        { a: 520, b: 416 },
      ],
      'goodputPerSec',
    );
    expect(iv.ratio).toBeCloseTo(0.8, 12);
    expect(iv.high).toBeCloseTo(0.8, 12);
  });

  it('has no interval with one pair and floors zeros', () => {
    const iv = pairedRatio([{ a: 0, b: 10 }], 'goodputPerSec');
    expect(iv.low).toBeNull();
    expect(iv.ratio).toBeCloseTo(10, 12);
  });
});

describe('stopping rule', () => {
  it('never stops on the target before the minimum of pairs', () => {
    expect(stopReason([pair(100, 100), pair(100, 100)], rule)).toBeNull();
  });

  it('stops on target once both intervals are within ±target', () => {
    const steady = [pair(100, 90), pair(100, 91), pair(100, 90.5)];
    expect(stopReason(steady, rule)).toBe('target');
  });

  it('goes on while either interval (goodput or p99) is too wide', () => {
    const noisyP99 = [pair(100, 90, 10, 10), pair(100, 91, 10, 20), pair(100, 90.5, 10, 7)];
    expect(stopReason(noisyP99, rule)).toBeNull();
    const noisyGoodput = [pair(100, 60), pair(100, 110), pair(100, 90)];
    expect(stopReason(noisyGoodput, rule)).toBeNull();
  });

  it('stops once the goodput verdict is resolved against the threshold, though p99 is still wide', () => {
    const wideP99 = (a: number, b: number, i: number) => pair(a, b, 10, [10, 25, 6, 18][i]);
    // 0.60-0.62: wholly below 0.9, a regression more pairs would not undo.
    const slower = [60, 62, 61].map((b, i) => wideP99(100, b, i));
    expect(stopReason(slower.slice(0, 2), rule)).toBeNull(); // never before the minimum of pairs
    expect(stopReason(slower, rule)).toBe('resolved');
    // 0.99-1.01: wholly within ±10%, unchanged.
    expect(
      stopReason(
        [99, 101, 100].map((b, i) => wideP99(100, b, i)),
        rule,
      ),
    ).toBe('resolved');
    // 0.95-1.35: straddles 1.1, so it goes on.
    expect(
      stopReason(
        [95, 135, 115].map((b, i) => wideP99(100, b, i)),
        rule,
      ),
    ).toBeNull();
  });

  it('an interval is resolved wholly beyond a bound or wholly within both, not across one', () => {
    expect(resolved(ratio(0.8, 0.75, 0.85), 0.1)).toBe(true);
    expect(resolved(ratio(1.3, 1.15, 1.45), 0.1)).toBe(true);
    expect(resolved(ratio(1.0, 0.92, 1.08), 0.1)).toBe(true);
    expect(resolved(ratio(0.9, 0.85, 0.95), 0.1)).toBe(false);
    expect(resolved(ratio(1.0, 0.85, 1.15), 0.1)).toBe(false);
    expect(resolved(ratio(0.5, null, null), 0.1)).toBe(false);
  });

  it('stops on budget at maxPairs', () => {
    const noisy = Array.from({ length: 8 }, (_, i) => pair(100, i % 2 ? 60 : 130));
    expect(stopReason(noisy.slice(0, 7), rule)).toBeNull();
    expect(stopReason(noisy, rule)).toBe('budget');
  });
});

const ratio = (r: number, low: number | null, high: number | null, pairs = 4): RatioInterval => ({
  ratio: r,
  low,
  high,
  pairs,
  logHalfWidth: low === null || high === null ? null : Math.log(high / r),
  df: low === null ? null : pairs - 1,
});

describe('verdict wording', () => {
  it.each([
    [ratio(0.82, 0.78, 0.86), 'slower', true, 'B is 0.82× A (0.78–0.86): slower'],
    [ratio(1.0, 0.97, 1.04), 'same', false, 'no difference detected (0.97–1.04)'],
    [ratio(0.95, 0.8, 1.1), 'inconclusive', false, 'inconclusive: interval too wide (0.80–1.10)'],
    [ratio(1.3, 1.2, 1.4), 'faster', false, 'B is 1.30× A (1.20–1.40): faster'],
    [ratio(0.96, 0.93, 0.99), 'slower', false, 'B is 0.96× A (0.93–0.99): slower, not clearly beyond 5%'],
    [ratio(0.9, null, null, 1), 'inconclusive', false, 'inconclusive: 1 pair(s), no interval (B is 0.90× A)'],
  ])('goodput %#', (r, kind, regression, text) => {
    expect(abVerdict(r, 'goodputPerSec', 0.05)).toEqual({ kind, regression, text });
  });

  it('reads p99 the other way: a higher p99 is worse', () => {
    expect(abVerdict(ratio(1.88, 1.36, 2.59), 'p99Ms', 0.05)).toEqual({
      kind: 'slower',
      regression: true,
      text: 'B’s p99 is 1.88× A (1.36–2.59): higher',
    });
    expect(abVerdict(ratio(0.5, 0.4, 0.6), 'p99Ms', 0.05).kind).toBe('faster');
  });
});

describe('compareCell on constructed data', () => {
  const head = (strategy: string) => ({
    keyA: `postgres/account/hot/${strategy}/closed/c16`,
    keyB: `postgres/account/hot/${strategy}/closed/c16`,
    strategy,
    workload: 'account',
    profile: 'hot',
  });
  const pairsOf = (ratios: number[], base = [1000, 700, 1200, 900]) =>
    ratios.map((r, i) => ({
      order: (i % 2 ? 'BA' : 'AB') as 'AB' | 'BA',
      a: { goodputPerSec: base[i % base.length] as number, p99Ms: 20 },
      b: { goodputPerSec: (base[i % base.length] as number) * r, p99Ms: 20 / r },
    }));

  it('flags the one strategy that slowed down and calls the others unchanged, whatever the machine did', () => {
    const slowed = compareCell(
      head('for-update'),
      pairsOf([0.8, 0.79, 0.81, 0.8]),
      'target',
      { a: false, b: false },
      0.05,
    );
    const same = compareCell(
      head('atomic'),
      pairsOf([1.01, 0.99, 1.0, 1.005]),
      'target',
      { a: false, b: false },
      0.05,
    );
    expect(slowed.goodputVerdict?.regression).toBe(true);
    expect(slowed.goodputVerdict?.text).toMatch(/^B is 0\.80× A \(0\.7\d–0\.8\d\): slower$/);
    expect(same.goodputVerdict?.kind).toBe('same');
    expect(same.goodputVerdict?.regression).toBe(false);
  });

  it('a uniform slowdown is a regression of every strategy, not a slower runner', () => {
    const all = ['naive', 'for-update', 'atomic'].map((s) =>
      compareCell(head(s), pairsOf([0.7, 0.71, 0.69]), 'target', { a: false, b: false }, 0.05),
    );
    expect(all.every((c) => c.goodputVerdict?.regression)).toBe(true);
  });

  it('a pair with a side missing is left out of the ratio', () => {
    const pairs = [
      ...pairsOf([0.9, 0.9]),
      { order: 'AB' as const, a: null, b: { goodputPerSec: 1, p99Ms: 1 } },
    ];
    const c = compareCell(head('nowait'), pairs, 'failed', { a: false, b: false }, 0.05);
    expect(c.goodput?.pairs).toBe(2);
    expect(c.stoppedBy).toBe('failed');
  });
});
