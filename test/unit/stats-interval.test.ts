import { describe, expect, it } from 'vitest';
import { Random } from '../../bench/load/random.ts';
import {
  batchMeans,
  batchMeansInterval,
  chooseBatchSize,
  intervalsOverlap,
  lag1Autocorrelation,
  meanInterval,
  relativeHalfWidth,
  tQuantile95,
} from '../../bench/stats/interval.ts';

/** Standard normal draws (Box-Muller) from a seeded stream. */
function normals(n: number, rng: Random): number[] {
  return Array.from({ length: n }, () => {
    const u = 1 - rng.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
  });
}

/** AR(1): x_t = phi x_{t-1} + e_t, stationary start, mean `mu`. */
function ar1(n: number, phi: number, mu: number, sd: number, rng: Random): number[] {
  const e = normals(n, rng);
  const out: number[] = [];
  let x = ((e[0] as number) * sd) / Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) {
    if (i > 0) x = phi * x + (e[i] as number) * sd;
    out.push(mu + x);
  }
  return out;
}

describe('interval statistics', () => {
  it('t quantiles match the table and converge to the normal quantile', () => {
    expect(tQuantile95(1)).toBe(12.706);
    expect(tQuantile95(4)).toBe(2.776);
    expect(tQuantile95(30)).toBe(2.042);
    expect(tQuantile95(60)).toBeCloseTo(2.0003, 3);
    expect(tQuantile95(1000)).toBeCloseTo(1.9623, 3);
    expect(() => tQuantile95(0)).toThrow(RangeError);
  });

  it('the t-interval of 1..5 is 3 ± 2.776 x 1.5811 / sqrt 5 (a known case)', () => {
    const iv = meanInterval([1, 2, 3, 4, 5]);
    expect(iv?.estimate).toBe(3);
    expect(iv?.high).toBeCloseTo(3 + (2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 10);
    expect(iv?.low).toBeCloseTo(3 - (2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 10);
    expect(meanInterval([7])).toBeNull();
  });

  it('batch means group consecutive samples and drop an incomplete last batch', () => {
    expect(batchMeans([1, 3, 5, 7, 9], 2)).toEqual([2, 6]);
    expect(batchMeansInterval([1, 2, 3, 4])).toBeNull();
  });

  it('independent samples keep batches of one; strongly correlated ones get larger batches', () => {
    const rng = new Random(7, 'test');
    expect(chooseBatchSize(ar1(60, 0, 1000, 50, rng))).toBe(1);
    const correlated = ar1(60, 0.9, 1000, 50, rng);
    expect(lag1Autocorrelation(correlated)).toBeGreaterThan(0.5);
    expect(chooseBatchSize(correlated)).toBeGreaterThan(1);
  });

  it('covers the true mean about 95% of the time on independent samples', () => {
    const rng = new Random(11, 'test');
    let covered = 0;
    const trials = 2000;
    for (let i = 0; i < trials; i++) {
      const iv = batchMeansInterval(ar1(10, 0, 1000, 50, rng));
      if (iv && iv.low <= 1000 && 1000 <= iv.high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.92);
    expect(covered / trials).toBeLessThan(0.98);
  });

  it('on correlated samples, batch means cover the mean far more often than the naive interval', () => {
    const rng = new Random(13, 'test');
    let batched = 0;
    let naive = 0;
    const trials = 2000;
    for (let i = 0; i < trials; i++) {
      const s = ar1(30, 0.6, 1000, 50, rng);
      const b = batchMeansInterval(s);
      const n = meanInterval(s);
      if (b && b.low <= 1000 && 1000 <= b.high) batched++;
      if (n && n.low <= 1000 && 1000 <= n.high) naive++;
    }
    expect(naive / trials).toBeLessThan(0.85);
    expect(batched / trials).toBeGreaterThan(naive / trials + 0.04);
  });

  it('overlap and relative half-width', () => {
    expect(intervalsOverlap({ low: 1, high: 3 }, { low: 3, high: 4 })).toBe(true);
    expect(intervalsOverlap({ low: 1, high: 2 }, { low: 2.5, high: 4 })).toBe(false);
    expect(relativeHalfWidth({ estimate: 100, low: 90, high: 110 })).toBeCloseTo(0.1, 10);
  });
});
