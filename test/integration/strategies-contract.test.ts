import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSql, type Sql } from '../../core/connect.ts';
import { type Dialect, STRATEGY_NAMES, type StrategyName } from '../../core/names.ts';
import type { ConflictReason, OperationResult } from '../../strategies/outcome.ts';
import { getStrategy } from '../../strategies/registry.ts';
import { resetAndSeed, type SeedSizes } from '../../workloads/schema.ts';
import { specFor } from '../helpers/db.ts';
import { createExecutor, type TestExecutor as Executor } from '../helpers/executor.ts';

/**
 * The contract every strategy meets on every dialect (BenchBase style: one suite, each strategy a
 * row). Each strategy gets a fresh seed; each test works on rows of its own:
 *   account: sequential on accounts 1-2, hot row on account 3
 *   transfer: sequential on 5-6, concurrent ring on 7-9, deadlock demo on 10-11
 *   tickets: sequential on event 1 (seats 1-10), concurrent on event 2 (seats 11-20)
 * Concurrency tests run 40 operations at once with workMs 5 on a 16-connection pool, so many
 * requests read the same row before any writes: naive must be seen losing updates and
 * overselling, every other strategy must keep the invariants exactly.
 */
const SIZES: SeedSizes = { accounts: 12, initialBalance: 1000, events: 2, seatsPerEvent: 10 };
const INITIAL = SIZES.initialBalance;
const PARALLEL = 40;
const SETTINGS = { workMs: 5, pool: 16 } as const;
const schemas = { postgres: 't_strat_pg', mysql: 't_strat_my' } as const satisfies Record<Dialect, string>;

interface LedgerRow {
  op_id: string;
  kind: string;
  account_id: number | null;
  counter_account_id: number | null;
  amount: number;
  event_id: number | null;
  seat_id: number | null;
}

const q = (dialect: Dialect, text: string) => {
  let i = 0;
  return dialect === 'postgres' ? text.replace(/\?/g, () => `$${++i}`) : text;
};

async function ledger(db: Sql, prefix: string): Promise<LedgerRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    q(
      db.dialect,
      'SELECT op_id, kind, account_id, counter_account_id, amount, event_id, seat_id FROM ledger WHERE op_id LIKE ?',
    ),
    [`${prefix}%`],
  );
  const num = (v: unknown) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    op_id: String(r.op_id),
    kind: String(r.kind),
    account_id: num(r.account_id),
    counter_account_id: num(r.counter_account_id),
    amount: Number(r.amount),
    event_id: num(r.event_id),
    seat_id: num(r.seat_id),
  }));
}

async function balances(db: Sql, ids: number[]): Promise<Map<number, number>> {
  const { rows } = await db.query<{ id: unknown; balance: unknown }>(
    `SELECT id, balance FROM accounts WHERE id IN (${ids.map(Number).join(',')})`,
  );
  return new Map(rows.map((r) => [Number(r.id), Number(r.balance)]));
}

/** Each account's expected balance from the ledger: initial + deposits - withdrawals +- transfers. */
function expectedBalances(rows: LedgerRow[], ids: number[]): Map<number, number> {
  const m = new Map(ids.map((id) => [id, INITIAL]));
  const add = (id: number | null, v: number) => {
    if (id !== null && m.has(id)) m.set(id, (m.get(id) as number) + v);
  };
  for (const r of rows) {
    if (r.kind === 'transfer') {
      add(r.account_id, -r.amount);
      add(r.counter_account_id, r.amount);
    } else add(r.account_id, r.amount);
  }
  return m;
}

async function soldSeats(db: Sql, eventId: number): Promise<{ id: number; op_id: string | null }[]> {
  const { rows } = await db.query<{ id: unknown; op_id: unknown }>(
    q(db.dialect, "SELECT id, op_id FROM seats WHERE event_id = ? AND status = 'sold' ORDER BY id"),
    [eventId],
  );
  return rows.map((r) => ({ id: Number(r.id), op_id: r.op_id === null ? null : String(r.op_id) }));
}

const kinds = (rs: OperationResult[]) => rs.map((r) => r.outcome.kind);
const okResults = (rs: OperationResult[]) => rs.filter((r) => r.outcome.kind === 'ok');
const conflictCount = (rs: OperationResult[], ...reasons: ConflictReason[]) =>
  rs.reduce((n, r) => n + r.conflicts.filter((c) => reasons.includes(c)).length, 0);

/** What a strategy's contention on one hot account looks like: waits, or named retries. */
const HOT_ROW_SIGNATURE: Record<StrategyName, 'waits' | ConflictReason[]> = {
  naive: 'waits',
  'for-update': 'waits',
  nowait: ['lock-not-available'],
  'skip-locked': ['row-busy'],
  optimistic: ['version-conflict'],
  atomic: 'waits',
  serializable: ['serialization', 'deadlock'],
  advisory: 'waits',
};

describe.each(['postgres', 'mysql'] as const)('strategies on %s', (dialect) => {
  const spec = specFor(dialect, schemas[dialect]);
  let db: Sql;

  beforeAll(async () => {
    await resetAndSeed(spec, SIZES);
    db = await openSql(spec, { max: 2 });
  });
  afterAll(async () => {
    await db?.close();
  });

  describe.each(STRATEGY_NAMES)('%s', (name) => {
    const safe = getStrategy(name).claimsSafe('account');
    let ex: Executor;

    beforeAll(async () => {
      await resetAndSeed(spec, SIZES);
      ex = createExecutor({ spec, strategy: name, settings: SETTINGS });
    });
    afterAll(async () => {
      await ex?.close();
    });

    it('account, sequential: applies, refuses, and applies an opId once', async () => {
      const d = await ex.deposit({ accountId: 1, amount: 100, opId: 'a-d1' });
      expect(d).toMatchObject({ outcome: { kind: 'ok' }, attempts: 1, conflicts: [] });
      const w = await ex.withdraw({ accountId: 1, amount: 300, opId: 'a-w1' });
      expect(w.outcome.kind).toBe('ok');
      if (w.outcome.kind === 'ok' && w.outcome.balance !== undefined)
        expect(w.outcome.balance).toBe(INITIAL - 200);
      const big = await ex.withdraw({ accountId: 1, amount: INITIAL, opId: 'a-w2' });
      expect(big.outcome).toEqual({ kind: 'rejected', reason: 'insufficient_funds' });
      // Identical repeats get the stored outcome and nothing moves.
      expect((await ex.deposit({ accountId: 1, amount: 100, opId: 'a-d1' })).outcome).toEqual({
        kind: 'ok',
        duplicate: true,
      });
      expect((await ex.withdraw({ accountId: 1, amount: 300, opId: 'a-w1' })).outcome).toEqual({
        kind: 'ok',
        duplicate: true,
      });
      // Repeats with other amounts reuse the key for another operation: refused, nothing moves.
      expect((await ex.deposit({ accountId: 1, amount: 5, opId: 'a-d1' })).outcome).toMatchObject({
        kind: 'key_reused',
        opId: 'a-d1',
      });
      expect((await ex.withdraw({ accountId: 1, amount: 7, opId: 'a-w1' })).outcome).toMatchObject({
        kind: 'key_reused',
        opId: 'a-w1',
      });
      expect((await ex.deposit({ accountId: 999, amount: 5, opId: 'a-d2' })).outcome).toEqual({
        kind: 'not_found',
        entity: 'account',
        id: 999,
      });
      expect((await ex.readAccount(1))?.balance).toBe(INITIAL - 200);
      expect((await ex.readAccount(2))?.balance).toBe(INITIAL);
      const rows = await ledger(db, 'a-');
      expect(rows.map((r) => [r.op_id, r.kind, r.account_id, r.amount]).sort()).toEqual([
        ['a-d1', 'deposit', 1, 100],
        ['a-w1', 'withdraw', 1, -300],
      ]);
    });

    it('transfer, sequential: moves money in one transaction, refuses overdrafts, applies an opId once', async () => {
      expect((await ex.transfer({ from: 6, to: 5, amount: 250, opId: 't-1' })).outcome.kind).toBe('ok');
      expect((await ex.transfer({ from: 5, to: 6, amount: 100, opId: 't-2' })).outcome.kind).toBe('ok');
      expect((await ex.transfer({ from: 5, to: 6, amount: 5000, opId: 't-3' })).outcome).toEqual({
        kind: 'rejected',
        reason: 'insufficient_funds',
      });
      expect((await ex.transfer({ from: 6, to: 5, amount: 250, opId: 't-1' })).outcome).toEqual({
        kind: 'ok',
        duplicate: true,
      });
      expect((await ex.transfer({ from: 5, to: 999, amount: 1, opId: 't-4' })).outcome.kind).toBe(
        'not_found',
      );
      expect(() => ex.transfer({ from: 5, to: 5, amount: 1, opId: 't-5' })).toThrow(RangeError);
      const b = await balances(db, [5, 6]);
      expect([b.get(5), b.get(6)]).toEqual([INITIAL + 150, INITIAL - 150]);
      const rows = await ledger(db, 't-');
      expect(rows.map((r) => [r.op_id, r.account_id, r.counter_account_id, r.amount]).sort()).toEqual([
        ['t-1', 6, 5, 250],
        ['t-2', 5, 6, 100],
      ]);
    });

    it('tickets, sequential: one distinct seat per reservation, then sold out; an opId gets its seat back', async () => {
      const seats: number[] = [];
      for (let i = 0; i < SIZES.seatsPerEvent; i++) {
        const r = await ex.reserve({ eventId: 1, opId: `s-${i}` });
        expect(r.outcome.kind).toBe('ok');
        if (r.outcome.kind === 'ok') seats.push(r.outcome.seatId as number);
      }
      expect([...seats].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect((await ex.reserve({ eventId: 1, opId: 's-late' })).outcome).toEqual({
        kind: 'rejected',
        reason: 'sold_out',
      });
      expect((await ex.reserve({ eventId: 1, opId: 's-3' })).outcome).toEqual({
        kind: 'ok',
        duplicate: true,
        seatId: seats[3],
      });
      expect((await ex.reserve({ eventId: 99, opId: 's-x' })).outcome.kind).toBe('not_found');
      const sold = await soldSeats(db, 1);
      expect(sold.map((s) => [s.id, s.op_id])).toEqual(
        seats.map((id, i) => [id, `s-${i}`]).sort((a, b) => Number(a[0]) - Number(b[0])),
      );
      expect((await ledger(db, 's-')).length).toBe(SIZES.seatsPerEvent);
      expect(await ex.readEvent(1)).toEqual({ id: 1, capacity: 10, free: 0, sold: 10 });
    });

    it(`account, ${PARALLEL} at once on one row: ${safe ? 'balance = initial + ledger, never negative' : 'loses updates'}`, async () => {
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          i % 2 === 0
            ? ex.deposit({ accountId: 3, amount: 10, opId: `h-${i}` })
            : ex.withdraw({ accountId: 3, amount: 100, opId: `h-${i}` }),
        ),
      );
      const rows = await ledger(db, 'h-');
      const actual = (await balances(db, [3])).get(3) as number;
      const expected = expectedBalances(rows, [3]).get(3) as number;
      expect(kinds(results).every((k) => k === 'ok' || k === 'rejected' || k === 'conflict')).toBe(true);
      // Every acknowledged operation is in the ledger, and nothing else is.
      expect(rows.map((r) => r.op_id).sort()).toEqual(
        results.flatMap((r, i) => (r.outcome.kind === 'ok' ? [`h-${i}`] : [])).sort(),
      );
      if (!safe) {
        expect(actual, 'naive must lose updates under concurrency').not.toBe(expected);
        return;
      }
      expect(actual).toBe(expected);
      expect(actual).toBeGreaterThanOrEqual(0);
      const signature = HOT_ROW_SIGNATURE[name];
      if (signature === 'waits') {
        expect(results.every((r) => r.attempts === 1 && r.conflicts.length === 0)).toBe(true);
      } else {
        expect(
          conflictCount(results, ...signature),
          `${name} retries on ${signature.join('/')}`,
        ).toBeGreaterThan(0);
        expect(results.some((r) => r.attempts > 1)).toBe(true);
      }
      for (const r of results)
        expect(r.conflicts.length).toBe(r.outcome.kind === 'conflict' ? r.attempts : r.attempts - 1);
    });

    it(`transfer, ${PARALLEL} at once around a ring of three accounts: ${safe ? 'money conserved' : 'money appears or vanishes'}`, async () => {
      const ring = [7, 8, 9];
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) => {
          const from = ring[i % 3] as number;
          const to = ring[(i + 1 + (i % 2)) % 3] as number;
          return ex.transfer({ from, to, amount: 30, opId: `r-${i}` });
        }),
      );
      const rows = await ledger(db, 'r-');
      const actual = await balances(db, ring);
      const expected = expectedBalances(rows, ring);
      expect(rows).toHaveLength(okResults(results).length);
      if (!safe) {
        expect(
          ring.some((id) => actual.get(id) !== expected.get(id)),
          'naive must lose updates',
        ).toBe(true);
        return;
      }
      for (const id of ring) expect(actual.get(id)).toBe(expected.get(id));
      expect([...actual.values()].reduce((a, b) => a + b, 0)).toBe(3 * INITIAL);
      expect([...actual.values()].every((b) => b >= 0)).toBe(true);
      if (HOT_ROW_SIGNATURE[name] === 'waits') {
        // Id-ordered locks cannot deadlock: nothing to retry.
        expect(results.every((r) => r.attempts === 1)).toBe(true);
      }
    });

    it(`tickets, ${PARALLEL} buyers for 10 seats: ${safe ? 'no seat sold twice, sold = acknowledged <= capacity' : 'oversells'}`, async () => {
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) => ex.reserve({ eventId: 2, opId: `b-${i}` })),
      );
      const acked = okResults(results).map((r) =>
        r.outcome.kind === 'ok' ? (r.outcome.seatId as number) : 0,
      );
      const sold = await soldSeats(db, 2);
      const rows = await ledger(db, 'b-');
      expect(rows).toHaveLength(acked.length);
      if (!safe) {
        const doubleBooked = acked.length - new Set(acked).size;
        expect(doubleBooked, 'naive must sell a seat twice').toBeGreaterThan(0);
        expect(acked.length).toBeGreaterThan(sold.length);
        return;
      }
      expect(new Set(acked).size).toBe(acked.length);
      expect(acked.length).toBe(sold.length);
      expect(acked.length).toBeLessThanOrEqual(10);
      expect([...acked].sort((a, b) => a - b)).toEqual(sold.map((s) => s.id));
      for (const s of sold) expect(rows.find((r) => r.seat_id === s.id)?.op_id).toBe(s.op_id);
      const soldOut = results.filter((r) => r.outcome.kind === 'rejected').length;
      const conflicts = results.filter((r) => r.outcome.kind === 'conflict').length;
      expect(acked.length + soldOut + conflicts).toBe(PARALLEL);
      // Nobody is told "sold out" while a seat is left.
      if (soldOut > 0) expect(sold.length).toBe(10);
      if (HOT_ROW_SIGNATURE[name] === 'waits' && name !== 'atomic') {
        expect(results.every((r) => r.attempts === 1)).toBe(true);
      }
    });
  });

  it('for-update with lockOrder "request": opposite transfers deadlock, are retried, and money is conserved', async () => {
    await resetAndSeed(spec, SIZES);
    const ex = createExecutor({
      spec,
      strategy: 'for-update',
      settings: { ...SETTINGS, lockOrder: 'request' },
    });
    try {
      // Two opposite transfers started together each lock their first row, then wait for the
      // other's. PostgreSQL finds the cycle after deadlock_timeout (1 s), so go round by round
      // and stop at the first deadlock instead of piling them up.
      await Promise.all([ex.readAccount(10), ex.readAccount(11)]);
      const results: OperationResult[] = [];
      for (let round = 0; round < 10 && conflictCount(results, 'deadlock') === 0; round++) {
        results.push(
          ...(await Promise.all([
            ex.transfer({ from: 10, to: 11, amount: 5, opId: `x-${round}-a` }),
            ex.transfer({ from: 11, to: 10, amount: 7, opId: `x-${round}-b` }),
          ])),
        );
      }
      expect(conflictCount(results, 'deadlock')).toBeGreaterThan(0);
      expect(kinds(results).every((k) => k === 'ok')).toBe(true);
      const rows = await ledger(db, 'x-');
      expect(rows).toHaveLength(results.length);
      const actual = await balances(db, [10, 11]);
      const expected = expectedBalances(rows, [10, 11]);
      expect([actual.get(10), actual.get(11)]).toEqual([expected.get(10), expected.get(11)]);
      expect((actual.get(10) as number) + (actual.get(11) as number)).toBe(2 * INITIAL);
    } finally {
      await ex.close();
    }
  });
});
