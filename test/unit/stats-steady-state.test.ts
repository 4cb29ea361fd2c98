import { describe, expect, it } from 'vitest';
import { Random } from '../../bench/load/random.ts';
import {
  judgeSteadiness,
  MEASURED_RULE,
  slope,
  slopeFit,
  unsteadyCause,
  WARMUP_RULE,
  warmupSettled,
} from '../../bench/stats/steady-state.ts';

/** A seeded noisy series around `level` with relative noise `rel` (uniform, ±rel). */
function noisy(level: number, rel: number, n: number, seed: number): number[] {
  const rng = new Random(seed, 'test');
  return Array.from({ length: n }, () => level * (1 + rel * (2 * rng.float() - 1)));
}

describe('steady-state rule on synthetic per-second goodput', () => {
  const ramp = [400, 600, 800, 1000, 1200, 1400];
  const plateau = [1000, 1000, 1000, 1000, 1000];
  const sawtooth = [700, 1000, 1300, 700, 1000, 1300, 700, 1000];

  it('a ramp is not steady: a strong trend and a monotone climb', () => {
    const j = judgeSteadiness(ramp, MEASURED_RULE);
    expect(j.steady).toBe(false);
    expect(j.monotoneClimb).toBe(true);
    expect(j.trendPctPerSec).toBeGreaterThan(15);
    expect(warmupSettled(ramp)).toBe(false);
  });

  it('a plateau is steady, with no trend and no variation', () => {
    const j = judgeSteadiness(plateau, MEASURED_RULE);
    expect(j).toMatchObject({ steady: true, trendPctPerSec: 0, cov: 0, lastToMean: 1 });
    expect(warmupSettled(plateau)).toBe(true);
  });

  it('a sawtooth of ±30% is not steady (its variation is too large), though it has no trend', () => {
    const j = judgeSteadiness(sawtooth, MEASURED_RULE);
    expect(Math.abs(j.trendPctPerSec)).toBeLessThan(MEASURED_RULE.maxTrendPctPerSec);
    expect(j.cov).toBeGreaterThan(MEASURED_RULE.maxCov);
    expect(j.steady).toBe(false);
    expect(warmupSettled(sawtooth)).toBe(false);
  });

  it('a noisy plateau (±5%) is steady in nearly every draw, by both rules', () => {
    let measured = 0;
    let warm = 0;
    for (let seed = 1; seed <= 200; seed++) {
      if (judgeSteadiness(noisy(1000, 0.05, 6, seed), MEASURED_RULE).steady) measured++;
      if (warmupSettled(noisy(1000, 0.05, 3, seed))) warm++;
    }
    expect(measured).toBeGreaterThanOrEqual(190);
    // Three seconds can rise by chance (1 in 6): the warm-up then simply runs one more second.
    expect(warm).toBeGreaterThanOrEqual(120);
  });

  it('a ramp that levels off settles only once the last three seconds are level', () => {
    const series = [395, 787, 963, 1020, 1168, 1342, 1222, 1356, 1242, 1221, 1223, 1280];
    const settledAt = series.findIndex((_, i) => warmupSettled(series.slice(0, i + 1)));
    expect(settledAt).toBeGreaterThanOrEqual(5);
    expect(judgeSteadiness(series.slice(settledAt + 1), MEASURED_RULE).steady).toBe(true);
  });

  it('too short a window is never steady; an all-zero window is level', () => {
    expect(judgeSteadiness([1000, 1000], MEASURED_RULE).steady).toBe(false);
    expect(judgeSteadiness([0, 0, 0, 0], MEASURED_RULE).steady).toBe(true);
  });

  it('slope is the least-squares slope per step, with its standard error', () => {
    expect(slope([1, 3, 5, 7])).toBeCloseTo(2, 10);
    expect(slope([5, 5, 5])).toBe(0);
    expect(slopeFit([1, 3, 5, 7]).se).toBeCloseTo(0, 10);
    // 1, 3, 2: slope 0.5, residuals -0.5, 1, -0.5: se = sqrt(1.5 / 1 / 2).
    expect(slopeFit([1, 3, 2]).se).toBeCloseTo(Math.sqrt(0.75), 10);
  });

  it('a noisy level window (a retrying strategy, ±20% per second) is steady far more often than a fixed slope bound would allow', () => {
    let steady = 0;
    let unguarded = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const s = noisy(1000, 0.2, 5, seed);
      const j = judgeSteadiness(s, MEASURED_RULE);
      if (j.steady) steady++;
      if (Math.abs(j.trendPctPerSec) <= MEASURED_RULE.maxTrendPctPerSec) unguarded++;
    }
    expect(unguarded).toBeLessThan(340);
    expect(steady).toBeGreaterThan(unguarded);
  });

  it('a climb of 10%/s under ±5% noise is caught: its trend is significant', () => {
    let caught = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const s = noisy(1000, 0.05, 5, seed).map((v, i) => v * (1 + 0.1 * i));
      if (!judgeSteadiness(s, MEASURED_RULE).steady) caught++;
    }
    expect(caught).toBeGreaterThanOrEqual(190);
  });

  it('the warm-up rule is one-sided: a decline does not keep warming, a climb does', () => {
    expect(warmupSettled([1200, 1100, 1000])).toBe(true);
    expect(warmupSettled([1000, 1050, 1040])).toBe(true);
    expect(warmupSettled([900, 1000, 1100])).toBe(false);
    expect(WARMUP_RULE.maxTrendPctPerSec).toBe(5);
  });
});

describe('why a window was not steady', () => {
  const rule = { ...MEASURED_RULE, trendMustBeSignificant: true };
  const cause = (series: number[]) =>
    unsteadyCause({ ...judgeSteadiness(series, MEASURED_RULE), rule }, series.length);

  it('a ramp or a significant decline is still changing; a level window that swings is bursty', () => {
    expect(cause([400, 600, 800, 1000, 1200, 1400])).toBe('trend');
    expect(cause([1000, 930, 870, 800, 740])).toBe('trend');
    // A sawtooth of ±30%: no trend, too much variation.
    expect(cause([700, 1000, 1300, 700, 1000, 1300, 700, 1000])).toBe('bursty');
    // Level, but the last second 28% above the mean (an optimistic cell on one hot row, measured).
    expect(cause([540, 570, 645, 565, 755].map((v, i) => (i === 4 ? 820 : v)))).toBe('bursty');
    expect(cause([1000, 1010, 990, 1005, 995])).toBeNull();
  });

  it('a run from before the significance test fails any slope beyond the bound as a trend', () => {
    const old = { steady: false, trendPctPerSec: 6, monotoneClimb: false, rule: { maxTrendPctPerSec: 5 } };
    expect(unsteadyCause(old, 5)).toBe('trend');
    expect(unsteadyCause({ ...old, trendPctPerSec: 2 }, 5)).toBe('bursty');
  });
});
