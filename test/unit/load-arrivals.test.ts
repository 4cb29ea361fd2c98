import { describe, expect, it } from 'vitest';
import { arrivalSchedule } from '../../bench/load/arrivals.ts';
import type { LoadStage } from '../../bench/load/profiles.ts';
import { Random } from '../../bench/load/random.ts';

const all = (s: { next(): number | null }) => {
  const out: number[] = [];
  for (let t = s.next(); t !== null; t = s.next()) out.push(t);
  return out;
};
const steady = (sec: number): LoadStage[] => [{ durationSec: sec, scale: 1, label: 'steady' }];

describe('arrival schedule', () => {
  it('constant: rate x duration arrivals, evenly spaced, warm-up first', () => {
    const t = all(
      arrivalSchedule({
        rate: 100,
        warmupSec: 1,
        stages: steady(2),
        process: 'constant',
        rng: new Random(1, 'arrivals'),
      }),
    );
    expect(t.length).toBe(300);
    expect(t[0]).toBe(0);
    expect(t[1]).toBeCloseTo(10, 9);
    expect(t[t.length - 1]).toBeLessThan(3000);
  });

  it('poisson: about rate x duration arrivals, same for the same seed', () => {
    const make = (seed: number) =>
      all(
        arrivalSchedule({
          rate: 1000,
          warmupSec: 0,
          stages: steady(10),
          process: 'poisson',
          rng: new Random(seed, 'arrivals'),
        }),
      );
    const a = make(3);
    expect(a.length).toBeGreaterThan(9700); // sd ~100
    expect(a.length).toBeLessThan(10300);
    expect(make(3)).toEqual(a);
    expect(make(4)).not.toEqual(a);
    const gaps = a.slice(1).map((x, i) => x - (a[i] as number));
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    expect(mean).toBeCloseTo(1, 1);
    // Exponential gaps: about 37% are longer than the mean.
    expect(gaps.filter((g) => g > mean).length / gaps.length).toBeCloseTo(Math.exp(-1), 1);
  });

  it('stages scale the rate from their first instant', () => {
    const stages: LoadStage[] = [
      { durationSec: 1, scale: 1, label: 'before' },
      { durationSec: 1, scale: 10, label: 'spike' },
      { durationSec: 1, scale: 1, label: 'after' },
    ];
    const t = all(
      arrivalSchedule({
        rate: 50,
        warmupSec: 0,
        stages,
        process: 'constant',
        rng: new Random(1, 'arrivals'),
      }),
    );
    const inSec = (s: number) => t.filter((x) => x >= s * 1000 && x < (s + 1) * 1000).length;
    expect(inSec(0)).toBe(50);
    expect(inSec(1)).toBeGreaterThanOrEqual(499);
    expect(inSec(1)).toBeLessThanOrEqual(500);
    expect(inSec(2)).toBeGreaterThanOrEqual(49);
    expect(inSec(2)).toBeLessThanOrEqual(50);
  });
});
