import { describe, expect, it } from 'vitest';
import { OP_ID_PATTERN, opIdGenerator } from '../../bench/load/op-id.ts';
import {
  createRequestBuilder,
  type LoadRequest,
  type RequestBuilderOptions,
} from '../../bench/load/request-builder.ts';

const sizes = { accounts: 100, events: 5 };
const take = (o: RequestBuilderOptions, n: number): LoadRequest[] => {
  const b = createRequestBuilder(o);
  return Array.from({ length: n }, () => b.next());
};

describe('request builder', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const o: RequestBuilderOptions = {
      workload: 'account',
      keys: { kind: 'uniform' },
      seed: 9,
      sizes,
      opIdPrefix: 'r1',
    };
    expect(take(o, 200)).toEqual(take(o, 200));
    const other = take({ ...o, seed: 10 }, 200).map((r) => r.path);
    expect(other).not.toEqual(take(o, 200).map((r) => r.path));
  });

  it('account: deposits and withdrawals in the set ratio, amounts in range, bodies that parse', () => {
    const reqs = take(
      {
        workload: 'account',
        keys: { kind: 'uniform' },
        seed: 1,
        sizes,
        mix: { depositShare: 0.25, minAmount: 5, maxAmount: 9 },
      },
      4000,
    );
    const deposits = reqs.filter((r) => r.op?.kind === 'deposit').length;
    expect(deposits / 4000).toBeGreaterThan(0.22);
    expect(deposits / 4000).toBeLessThan(0.28);
    for (const r of reqs.slice(0, 200)) {
      const body = JSON.parse(r.body as string);
      const op = r.op;
      if (op?.kind !== 'deposit' && op?.kind !== 'withdraw') throw new Error('not an account op');
      expect(r.method).toBe('POST');
      const amount = Math.abs(op.delta as number);
      expect(Math.sign(op.delta as number)).toBe(op.kind === 'deposit' ? 1 : -1);
      expect(r.path).toBe(`/accounts/${op.accountId}/${op.kind}`);
      expect(body).toEqual({ amount, opId: op.opId });
      expect(amount).toBeGreaterThanOrEqual(5);
      expect(amount).toBeLessThanOrEqual(9);
      expect(op.accountId).toBeGreaterThanOrEqual(1);
      expect(op.accountId).toBeLessThanOrEqual(100);
    }
  });

  it('transfer: two distinct accounts, even under the hot profile, in both orders', () => {
    const reqs = take({ workload: 'transfer', keys: { kind: 'hot' }, seed: 1, sizes }, 400);
    const pairs = new Set<string>();
    for (const r of reqs) {
      if (r.op?.kind !== 'transfer') throw new Error('not a transfer');
      expect(r.op.from).not.toBe(r.op.to);
      expect(JSON.parse(r.body as string)).toEqual({
        from: r.op.from,
        to: r.op.to,
        amount: r.op.amount,
        opId: r.op.opId,
      });
      pairs.add(`${r.op.from}>${r.op.to}`);
    }
    expect(pairs).toEqual(new Set(['1>2', '2>1']));
  });

  it('tickets: the event from the chooser, only an opId in the body', () => {
    const reqs = take({ workload: 'tickets', keys: { kind: 'uniform' }, seed: 1, sizes }, 500);
    const events = new Set(reqs.map((r) => (r.op?.kind === 'reserve' ? r.op.eventId : 0)));
    expect(events).toEqual(new Set([1, 2, 3, 4, 5]));
    const first = reqs[0] as LoadRequest;
    expect(first.path).toMatch(/^\/events\/[1-5]\/reservations$/);
    expect(Object.keys(JSON.parse(first.body as string))).toEqual(['opId']);
  });

  it('mixes in reads at the set share; reads carry no opId', () => {
    const reqs = take(
      { workload: 'account', keys: { kind: 'uniform' }, seed: 1, sizes, mix: { readShare: 0.3 } },
      5000,
    );
    const reads = reqs.filter((r) => r.method === 'GET');
    expect(reads.length / 5000).toBeGreaterThan(0.27);
    expect(reads.length / 5000).toBeLessThan(0.33);
    for (const r of reads) {
      expect(r.op).toBeNull();
      expect(r.body).toBeUndefined();
      expect(r.path).toMatch(/^\/accounts\/\d+$/);
    }
  });

  it('opIds are unique, valid, and carry the prefix', () => {
    const reqs = take(
      { workload: 'tickets', keys: { kind: 'hot' }, seed: 1, sizes, opIdPrefix: 'runA_h2' },
      50_000,
    );
    const ids = reqs.map((r) => r.op?.opId as string);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [ids[0], ids[ids.length - 1]]) {
      expect(id).toMatch(OP_ID_PATTERN);
      expect(id?.startsWith('runA_h2-')).toBe(true);
    }
  });

  it('two generators without a prefix do not collide', () => {
    const a = opIdGenerator();
    const b = opIdGenerator();
    expect(a()).not.toBe(b());
    expect(() => opIdGenerator('bad prefix!')).toThrow(RangeError);
    expect(() => opIdGenerator('x'.repeat(60))).toThrow(RangeError);
  });
});
