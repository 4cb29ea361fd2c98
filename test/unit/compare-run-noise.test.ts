import { describe, expect, it } from 'vitest';
import { estimateRunNoise, MIN_NOISE_FIGURES, widenHalfWidth } from '../../compare/run-noise.ts';

/** A deterministic standard normal sample (Box-Muller over a fixed linear congruential sequence). */
function normals(n: number, seed = 7): number[] {
  let x = seed;
  const u = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x + 0.5) / 2147483648;
  };
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

describe('estimateRunNoise', () => {
  it('identical runs: no scatter, tau 0', () => {
    const n = estimateRunNoise(Array.from({ length: 12 }, () => ({ logRatio: 0, logSe: 0.03 })));
    expect([n.figures, n.scatter, n.tau]).toEqual([12, 0, 0]);
  });

  it('a uniform shift of every figure moves the median, not the scatter', () => {
    const n = estimateRunNoise(Array.from({ length: 12 }, () => ({ logRatio: Math.log(0.7), logSe: 0.03 })));
    expect(n.tau).toBe(0);
  });

  it('recovers the run-to-run spread of simulated A/A pairs beyond their own standard errors', () => {
    // 2,000 figures: own se 0.04, run-to-run sd 0.15; total sd sqrt(0.04² + 0.15²)
    const z = normals(4000);
    const points = Array.from({ length: 2000 }, (_, i) => ({
      logRatio: 0.15 * (z[2 * i] as number) + 0.04 * (z[2 * i + 1] as number),
      logSe: 0.04,
    }));
    const n = estimateRunNoise(points);
    expect(n.scatter).toBeGreaterThan(0.145);
    expect(n.scatter).toBeLessThan(0.165);
    expect(n.tau).toBeGreaterThan(0.14);
    expect(n.tau).toBeLessThan(0.16);
  });

  it('scatter the figures own intervals explain leaves tau at 0', () => {
    const z = normals(400, 11);
    const n = estimateRunNoise(z.map((v) => ({ logRatio: 0.05 * v, logSe: 0.06 })));
    expect(n.tau).toBe(0);
  });

  it('a few cells that really changed do not inflate it', () => {
    const z = normals(24, 3);
    const points = z.map((v, i) => ({ logRatio: (i < 4 ? Math.log(0.2) : 0) + 0.05 * v, logSe: 0.02 }));
    const n = estimateRunNoise(points);
    expect(n.scatter).toBeLessThan(0.1);
  });

  it(`below ${MIN_NOISE_FIGURES} figures there is no estimate`, () => {
    const few = estimateRunNoise(
      Array.from({ length: MIN_NOISE_FIGURES - 1 }, (_, i) => ({ logRatio: i / 10, logSe: 0.01 })),
    );
    expect(few.tau).toBeNull();
    expect(estimateRunNoise([]).figures).toBe(0);
    // non-finite points (a figure at zero) are left out
    expect(estimateRunNoise([{ logRatio: Number.NEGATIVE_INFINITY, logSe: 0.1 }]).figures).toBe(0);
  });

  it('degrees of freedom: 37% of the figures less one (the efficiency of the median absolute deviation)', () => {
    const n = estimateRunNoise(
      Array.from({ length: 28 }, (_, i) => ({ logRatio: (i % 7) / 20, logSe: 0.01 })),
    );
    expect(n.df).toBeCloseTo(0.37 * 27, 12);
  });
});

describe('widenHalfWidth', () => {
  const noise = { figures: 28, scatter: 0.2, ownSe: 0.05, tau: 0.15, df: 9.99 };
  it("adds tau times Student's t at its degrees of freedom in quadrature", () => {
    expect(widenHalfWidth(0.1, noise)).toBeCloseTo(Math.hypot(0.1, 2.262 * 0.15), 12);
  });
  it('leaves the half-width alone without a run-to-run term', () => {
    expect(widenHalfWidth(0.1, null)).toBe(0.1);
    expect(widenHalfWidth(0.1, { ...noise, tau: 0 })).toBe(0.1);
    expect(widenHalfWidth(0.1, { ...noise, tau: null })).toBe(0.1);
  });
});
