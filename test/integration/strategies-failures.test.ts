import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSql, type Sql } from '../../core/connect.ts';
import type { Dialect } from '../../core/names.ts';
import { mysqlLockName } from '../../strategies/advisory.ts';
import { OperationFailed } from '../../strategies/executor.ts';
import { naive } from '../../strategies/naive.ts';
import type { Strategy } from '../../strategies/strategy.ts';
import { resetAndSeed, type SeedSizes } from '../../workloads/schema.ts';
import { specFor } from '../helpers/db.ts';
import { createExecutor } from '../helpers/executor.ts';

/** How the strategies fail: lock timeouts, named locks left behind, and bugs that must not hide. */
const SIZES: SeedSizes = { accounts: 5, initialBalance: 1000, events: 1, seatsPerEvent: 3 };
const schemas = { postgres: 't_strat_fail_pg', mysql: 't_strat_fail_my' } as const satisfies Record<
  Dialect,
  string
>;

describe.each(['postgres', 'mysql'] as const)('strategy failures on %s', (dialect) => {
  const spec = specFor(dialect, schemas[dialect]);
  // MySQL lock waits are whole seconds.
  const lockTimeout = dialect === 'postgres' ? 200 : 1000;
  let db: Sql;

  beforeAll(async () => {
    db = await openSql(spec, { max: 1 });
  });
  beforeEach(async () => {
    await resetAndSeed(spec, SIZES);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** Another session takes the row lock of account 1 and keeps it until release(). */
  async function holdAccount1(): Promise<() => Promise<void>> {
    // A pool of one: BEGIN and the locking read share the connection.
    const holder = await openSql(spec, { max: 1 });
    await holder.query(dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
    await holder.query('SELECT balance FROM accounts WHERE id = 1 FOR UPDATE');
    return async () => {
      await holder.query('ROLLBACK');
      await holder.close();
    };
  }

  it('for-update: a lock wait past lockTimeout is the conflict lock-timeout, retried up to maxAttempts', async () => {
    const release = await holdAccount1();
    const ex = createExecutor({
      spec,
      strategy: 'for-update',
      settings: { lockTimeout, maxAttempts: 2, backoffBaseMs: 1 },
    });
    try {
      const r = await ex.deposit({ accountId: 1, amount: 5, opId: 'lt-1' });
      expect(r).toMatchObject({ outcome: { kind: 'conflict', reason: 'lock-timeout' }, attempts: 2 });
      expect(r.conflicts).toEqual(['lock-timeout', 'lock-timeout']);
    } finally {
      await release();
      await ex.close();
    }
  });

  it('advisory: the named lock is released when the transaction fails, and when it is refused', async () => {
    const ex = createExecutor({ spec, strategy: 'advisory', settings: { lockTimeout, maxAttempts: 1 } });
    const release = await holdAccount1();
    try {
      // The named lock is granted, then the UPDATE waits on the row lock and times out.
      const r = await ex.deposit({ accountId: 1, amount: 5, opId: 'ad-1' });
      expect(r.outcome).toEqual({ kind: 'conflict', reason: 'lock-timeout' });
    } finally {
      await release();
    }
    const refused = await ex.withdraw({ accountId: 2, amount: 5000, opId: 'ad-2' });
    expect(refused.outcome).toEqual({ kind: 'rejected', reason: 'insufficient_funds' });
    if (dialect === 'mysql') {
      for (const id of [1, 2]) {
        const name = mysqlLockName(spec.schema, { space: 'account', id });
        const { rows } = await db.query<{ free: number }>('SELECT IS_FREE_LOCK(?) AS free', [name]);
        expect(rows[0]?.free, name).toBe(1);
      }
    } else {
      const { rows } = await db.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory'");
      expect(rows).toHaveLength(0);
    }
    // And the account is usable at once.
    expect((await ex.deposit({ accountId: 1, amount: 5, opId: 'ad-3' })).outcome.kind).toBe('ok');
    await ex.close();
  });

  it('advisory: a named lock held by a slow request times out as lock-timeout', async () => {
    const slow = createExecutor({ spec, strategy: 'advisory', settings: { workMs: lockTimeout + 1000 } });
    const ex = createExecutor({ spec, strategy: 'advisory', settings: { lockTimeout, maxAttempts: 1 } });
    try {
      const first = slow.reserve({ eventId: 1, opId: 'al-slow' });
      await new Promise((r) => setTimeout(r, 300));
      const r = await ex.reserve({ eventId: 1, opId: 'al-1' });
      expect(r.outcome).toEqual({ kind: 'conflict', reason: 'lock-timeout' });
      expect((await first).outcome).toEqual({ kind: 'ok', seatId: 1 });
    } finally {
      await slow.close();
      await ex.close();
    }
  });

  it('for-update tickets: an empty locking read while a seat is free is not "sold out"', async () => {
    // Seat 3 is sold before the buyer's snapshot and freed while the buyer waits for seat 1, whose
    // holder then sells seats 1 and 2. PostgreSQL READ COMMITTED re-checks seats 1 and 2, drops
    // both and returns no row (seat 3 was not free in its snapshot); the strategy must look again.
    await db.query("UPDATE seats SET status = 'sold' WHERE id = 3");
    const holder = await openSql(spec, { max: 1 });
    const ex = createExecutor({ spec, strategy: 'for-update' });
    try {
      await holder.query(dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
      await holder.query('SELECT id FROM seats WHERE id = 1 FOR UPDATE');
      const buyer = ex.reserve({ eventId: 1, opId: 'rc-1' });
      await new Promise((r) => setTimeout(r, 300));
      await holder.query("UPDATE seats SET status = 'sold' WHERE id IN (1, 2)");
      await holder.query("UPDATE seats SET status = 'free' WHERE id = 3");
      await holder.query('COMMIT');
      const r = await buyer;
      expect(r.outcome).toEqual({ kind: 'ok', seatId: 3 });
      if (dialect === 'postgres') {
        expect({ attempts: r.attempts, conflicts: r.conflicts }).toEqual({ attempts: 1, conflicts: [] });
        expect(r.rechecks).toBeGreaterThan(0);
      } else {
        // InnoDB's locking read walks on to the newest free seat by itself; freeing seat 3 (the
        // workload never does) inserts into a gap the waiting buyer has asked for, and InnoDB may
        // pick the buyer as a deadlock victim: retried, never "sold out".
        expect(r.conflicts.every((c) => c === 'deadlock')).toBe(true);
        expect(r.rechecks).toBe(0);
      }
    } finally {
      await holder.close();
      await ex.close();
    }
  });

  it('an unexpected driver error is an exception (OperationFailed), not an outcome', async () => {
    const ex = createExecutor({ spec: { ...spec, schema: 't_strat_missing' }, strategy: 'atomic' });
    try {
      const err = await ex.deposit({ accountId: 1, amount: 5, opId: 'bug-1' }).catch((e) => e);
      expect(err).toBeInstanceOf(OperationFailed);
      expect((err as OperationFailed).errorClass).toBe('other');
      expect((err as OperationFailed).attempts).toBe(1);
    } finally {
      await ex.close();
    }
  });

  it('takes a Strategy object: a deliberately broken one shows its damage', async () => {
    // As the correctness check's tests use it: a strategy from outside the registry that claims
    // safety it does not have.
    const broken: Strategy = { ...naive, claimsSafe: () => true };
    const ex = createExecutor({ spec, strategy: broken, settings: { workMs: 5 } });
    try {
      const rs = await Promise.all(
        Array.from({ length: 20 }, (_, i) => ex.deposit({ accountId: 3, amount: 1, opId: `br-${i}` })),
      );
      expect(rs.every((r) => r.outcome.kind === 'ok')).toBe(true);
      expect((await ex.readAccount(3))?.balance).toBeLessThan(1020);
    } finally {
      await ex.close();
    }
  });
});
