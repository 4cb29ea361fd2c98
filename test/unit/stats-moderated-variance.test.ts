import { describe, expect, it } from 'vitest';
import { pairedRatio, ratioPrior } from '../../bench/ab/paired.ts';
import {
  digamma,
  fitVariancePrior,
  moderate,
  trigamma,
  trigammaInverse,
} from '../../bench/stats/moderated-variance.ts';

/** mulberry32: a seeded uniform generator, so the simulations below are the same on every run. */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const chiSquare = (z: () => number, df: number) =>
  Array.from({ length: df }, () => z() ** 2).reduce((a, b) => a + b);

describe('digamma, trigamma and the inverse of trigamma (known values)', () => {
  it('matches closed forms', () => {
    const euler = 0.5772156649015329;
    expect(digamma(1)).toBeCloseTo(-euler, 10);
    expect(digamma(0.5)).toBeCloseTo(-euler - 2 * Math.LN2, 10);
    expect(digamma(10)).toBeCloseTo(2.251752589066721, 10);
    expect(trigamma(1)).toBeCloseTo(Math.PI ** 2 / 6, 8);
    expect(trigamma(0.5)).toBeCloseTo(Math.PI ** 2 / 2, 8);
    for (const x of [0.1, 1, 5, 50]) expect(trigammaInverse(trigamma(x))).toBeCloseTo(x, 6);
  });
});

describe('fitting the prior of the cells’ variances', () => {
  it('recovers d0 and s0² from cells drawn from the model', () => {
    // 4,000 cells, 5 pairs each (4 df); true s0² = 0.01, d0 = 8. (The method of moments is
    // unbiased but loose on d0: over seeds, 7.3-9.5 here, 6-14 with 2 df per cell.)
    const z = normal(uniform(7));
    const samples = Array.from({ length: 4000 }, () => {
      const sigma2 = (8 * 0.01) / chiSquare(z, 8);
      return { variance: (sigma2 * chiSquare(z, 4)) / 4, df: 4 };
    });
    const prior = fitVariancePrior(samples);
    expect(prior?.df).toBeGreaterThan(6);
    expect(prior?.df).toBeLessThan(11);
    expect(prior?.variance).toBeGreaterThan(0.0095);
    expect(prior?.variance).toBeLessThan(0.0106);
    expect(prior?.cells).toBe(4000);
  });

  it('lends with full weight when the cells differ no more than sampling explains', () => {
    const z = normal(uniform(11));
    const samples = Array.from({ length: 4000 }, () => ({ variance: (0.04 * chiSquare(z, 3)) / 3, df: 3 }));
    const prior = fitVariancePrior(samples);
    // One common variance: d0 is infinite or far above the cells' own 3 df.
    expect(prior?.df).toBeGreaterThan(50);
    expect(prior?.variance).toBeCloseTo(0.04, 2);
  });

  it('needs three cells with an interval; a zero variance does not break it', () => {
    expect(
      fitVariancePrior([
        { variance: 0.01, df: 2 },
        { variance: 0.02, df: 2 },
      ]),
    ).toBeNull();
    expect(
      fitVariancePrior([
        { variance: 0.01, df: 2 },
        { variance: 0.02, df: 2 },
        { variance: 0.5, df: 0 },
      ]),
    ).toBeNull();
    const p = fitVariancePrior([
      { variance: 0, df: 2 },
      { variance: 0.01, df: 2 },
      { variance: 0.02, df: 2 },
    ]);
    expect(Number.isFinite(p?.variance)).toBe(true);
  });

  it('a cell far noisier than the rest keeps most of its own variance', () => {
    const samples = [
      ...Array.from({ length: 11 }, (_, i) => ({ variance: 0.005 + 0.001 * i, df: 3 })),
      { variance: 0.5, df: 3 },
    ];
    const prior = fitVariancePrior(samples);
    expect(prior).not.toBeNull();
    const noisy = moderate({ variance: 0.5, df: 3 }, prior);
    expect(noisy.variance).toBeGreaterThan(0.1);
    expect(moderate({ variance: 0.5, df: 3 }, null)).toEqual({ variance: 0.5, df: 3 });
  });
});

describe('the paired interval with a prior', () => {
  it('is the t-interval with the moderated variance and the borrowed degrees of freedom (known data)', () => {
    const pairs = [
      { a: 100, b: 80 },
      { a: 200, b: 180 },
      { a: 50, b: 50 },
    ];
    const r = [Math.log(0.8), Math.log(0.9), 0];
    const m = r.reduce((a, b) => a + b) / 3;
    const v = r.reduce((s, x) => s + (x - m) ** 2, 0) / 2;
    const prior = { variance: 0.01, df: 10, cells: 12 };
    const moderated = (10 * 0.01 + 2 * v) / 12;
    const half = (2.179 * Math.sqrt(moderated)) / Math.sqrt(3); // t(12)
    const iv = pairedRatio(pairs, 'goodputPerSec', prior);
    expect(iv.df).toBe(12);
    expect(iv.low).toBeCloseTo(Math.exp(m - half), 12);
    expect(iv.high).toBeCloseTo(Math.exp(m + half), 12);
  });

  it('covers the true ratio about 95% of the time on simulated A/A runs of 12 cells × 3 pairs', () => {
    // Each cell has its own noise (sd of ln B/A between 0.05 and 0.25, as measured on a 2-core
    // machine); the true ratio is 1. The moderated interval must miss it about 5% of the time,
    // no more (too narrow: false regressions) and not far less (too wide: nothing learnt).
    const u = uniform(3);
    const z = normal(u);
    let missed = 0;
    let total = 0;
    let narrower = 0;
    for (let run = 0; run < 500; run++) {
      const cells = Array.from({ length: 12 }, () => {
        const sd = 0.05 + 0.2 * u();
        return Array.from({ length: 3 }, () => ({ a: 1000, b: 1000 * Math.exp(sd * z()) }));
      });
      const prior = ratioPrior(cells, 'goodputPerSec');
      for (const pairs of cells) {
        const iv = pairedRatio(pairs, 'goodputPerSec', prior);
        const own = pairedRatio(pairs, 'goodputPerSec');
        total++;
        if ((iv.low as number) > 1 || (iv.high as number) < 1) missed++;
        if ((iv.logHalfWidth as number) < (own.logHalfWidth as number)) narrower++;
      }
    }
    expect(missed / total).toBeGreaterThan(0.03);
    expect(missed / total).toBeLessThan(0.07);
    // It pays: most intervals are narrower than the cell's own t-interval with 2 df.
    expect(narrower / total).toBeGreaterThan(0.7);
  });
});
