import { describe, expect, it } from 'vitest';
import { fnvHash64Mod, hotKeys, hotSetKeys, uniformKeys, zeta, zipfKeys } from '../../bench/load/keys.ts';
import { Random } from '../../bench/load/random.ts';

function counts(next: () => number, draws: number): Map<number, number> {
  const c = new Map<number, number>();
  for (let i = 0; i < draws; i++) {
    const k = next();
    c.set(k, (c.get(k) ?? 0) + 1);
  }
  return c;
}

/** YCSB's Utils.fnvhash64 with BigInt, as the reference. */
function fnvReference(value: number, n: number): number {
  let v = BigInt(value);
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < 8; i++) {
    h ^= v & 0xffn;
    v >>= 8n;
    h = (h * 1099511628211n) & 0xffffffffffffffffn;
  }
  let s = BigInt.asIntN(64, h);
  if (s < 0n) s = -s;
  return Number(s % BigInt(n));
}

describe('key choosers', () => {
  it('hot: always key 1', () => {
    const k = hotKeys(1000);
    expect(new Set(Array.from({ length: 100 }, () => k.next()))).toEqual(new Set([1]));
  });

  it('uniform: every key about equally often', () => {
    const n = 100;
    const c = counts(uniformKeys(n, new Random(3, 'keys')).next, 100_000);
    expect(c.size).toBe(n);
    for (let id = 1; id <= n; id++) {
      // Expected 1000 per key; sd ~31.
      expect(c.get(id)).toBeGreaterThan(850);
      expect(c.get(id)).toBeLessThan(1150);
    }
  });

  it('hot-set: the hot rows take their share, the rest spread over the other rows', () => {
    const n = 1000;
    const draws = 100_000;
    const c = counts(hotSetKeys(n, new Random(4, 'keys'), 8, 0.9).next, draws);
    let hot = 0;
    for (let id = 1; id <= 8; id++) hot += c.get(id) ?? 0;
    expect(hot / draws).toBeGreaterThan(0.89);
    expect(hot / draws).toBeLessThan(0.91);
    for (let id = 1; id <= 8; id++) expect((c.get(id) ?? 0) / hot).toBeCloseTo(1 / 8, 1);
    const cold = [...c.entries()].filter(([id]) => id > 8);
    expect(cold.length).toBeGreaterThan(950); // ~10,000 draws over 992 rows: nearly all hit
    expect(Math.max(...cold.map(([, v]) => v))).toBeLessThan(40);
    expect(Math.max(...c.keys())).toBeLessThanOrEqual(n);
  });

  it('hot-set with more hot rows than rows: uniform over all', () => {
    const c = counts(hotSetKeys(4, new Random(4, 'keys'), 8, 0.9).next, 4000);
    expect([...c.keys()].sort()).toEqual([1, 2, 3, 4]);
  });

  it('zeta matches its definition', () => {
    expect(zeta(1, 0.99)).toBe(1);
    expect(zeta(2, 0.5)).toBeCloseTo(1 + 1 / Math.SQRT2, 12);
  });

  it('fnvHash64Mod equals YCSB fnvhash64 % n (BigInt reference)', () => {
    for (const n of [1, 7, 1000, 65_537, 9_999_991]) {
      for (let i = 0; i < 500; i++) {
        const v = (i * 2_654_435_761) % 2 ** 32;
        expect(fnvHash64Mod(v, n)).toBe(fnvReference(v, n));
      }
    }
  });

  it('zipf 0.99 over 1000 keys: the top key gets ~1/zeta(N), the second ~half of that', () => {
    const n = 1000;
    const draws = 200_000;
    const c = counts(zipfKeys(n, new Random(42, 'keys'), 0.99).next, draws);
    const z = zeta(n, 0.99);
    const top = fnvHash64Mod(0, n) + 1;
    const second = fnvHash64Mod(1, n) + 1;
    // Ranks that hash onto the top key add their (small) mass to it.
    let expectedTop = 0;
    for (let r = 0; r < n; r++) if (fnvHash64Mod(r, n) + 1 === top) expectedTop += 1 / ((r + 1) ** 0.99 * z);
    const topShare = (c.get(top) ?? 0) / draws;
    expect(expectedTop).toBeLessThan(1.05 / z);
    expect(Math.abs(topShare - expectedTop) / expectedTop).toBeLessThan(0.03);
    expect(topShare).toBe(Math.max(...c.values()) / draws);
    expect((c.get(top) ?? 0) / (c.get(second) ?? 1)).toBeGreaterThan(1.8);
    expect((c.get(top) ?? 0) / (c.get(second) ?? 1)).toBeLessThan(2.2);
    // The hot keys are scattered, not ids 1, 2, 3.
    expect(top).not.toBe(1);
  });

  it('zipf with theta 0 is uniform over the hashed ranks', () => {
    const c = counts(zipfKeys(1000, new Random(1, 'keys'), 0).next, 100_000);
    expect(Math.max(...c.values()) / 100_000).toBeLessThan(0.01);
  });

  it('rejects bad parameters', () => {
    expect(() => zipfKeys(10, new Random(1, 'k'), 1)).toThrow(RangeError);
    expect(() => hotSetKeys(10, new Random(1, 'k'), 0, 0.9)).toThrow(RangeError);
    expect(() => uniformKeys(0, new Random(1, 'k'))).toThrow(RangeError);
  });
});
