import { describe, expect, it } from 'vitest';
import { Random, randomStreams } from '../../bench/load/random.ts';

const draw = (r: Random, n: number) => Array.from({ length: n }, () => r.uint32());

describe('Random (sfc32)', () => {
  it('repeats its sequence for the same seed and stream', () => {
    expect(draw(new Random(7, 'keys'), 100)).toEqual(draw(new Random(7, 'keys'), 100));
  });

  it('differs across seeds, across streams of one seed, and across the high half of a seed', () => {
    const base = draw(new Random(7, 'keys'), 20);
    expect(draw(new Random(8, 'keys'), 20)).not.toEqual(base);
    expect(draw(new Random(7, 'ops'), 20)).not.toEqual(base);
    expect(draw(new Random(7 + 2 ** 32, 'keys'), 20)).not.toEqual(base);
  });

  it('gives floats in [0, 1) with a mean near 1/2 and ints within bounds', () => {
    const r = new Random(1, 'ops');
    let sum = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < 100_000; i++) {
      const f = r.float();
      sum += f;
      lo = Math.min(lo, f);
      hi = Math.max(hi, f);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) seen.add(r.int(3, 9));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps streams independent: extra draws on one do not shift another', () => {
    const a = randomStreams(5);
    const b = randomStreams(5);
    draw(a.ops, 1000);
    expect(draw(a.keys, 50)).toEqual(draw(b.keys, 50));
  });

  it('rejects a seed that is not a safe integer', () => {
    expect(() => new Random(1.5, 'keys')).toThrow(RangeError);
  });
});
