import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomic } from '../../strategies/atomic.ts';
import { type DbPool, openPool, type Session } from '../../strategies/pool.ts';
import type { ExecutorSettingsInput } from '../../strategies/settings.ts';
import type { Strategy } from '../../strategies/strategy.ts';
import { inTransaction } from '../../strategies/transaction.ts';
import { resetAndSeed } from '../../workloads/schema.ts';
import type { Attempt } from '../../workloads/workload.ts';
import { specFor } from '../helpers/db.ts';
import { createExecutor, type TestExecutor as Executor } from '../helpers/executor.ts';

/**
 * What the server's hot path relies on in its database sessions (strategies/pool.ts): statements
 * with parameters are prepared once per connection under a stable name, the row-lock wait limit
 * is a session setting made at connect time, and a transaction opens with one statement.
 */
const spec = specFor('postgres', 't_srv_session_pg');
const SIZES = { accounts: 5, initialBalance: 1000, events: 1, seatsPerEvent: 3 };

describe('PostgreSQL sessions of the server pool', () => {
  let pool: DbPool;

  beforeAll(async () => {
    await resetAndSeed(spec, SIZES);
    // One connection, so every use() sees the same session.
    pool = openPool(spec, { size: 1, lockTimeout: 1234, isolation: 'default' });
  });
  afterAll(async () => {
    await pool.end();
  });

  it('prepares a parameterised statement once per connection, under one name', async () => {
    const text = 'SELECT balance FROM accounts WHERE id = $1';
    const names = (s: Session) =>
      s.query<{ name: string }>('SELECT name FROM pg_prepared_statements WHERE statement = $1', [text]);
    const first = await pool.use(async (s) => (await s.query<{ balance: string }>(text, [2])).rows);
    expect(first.map((r) => Number(r.balance))).toEqual([1000]);
    await pool.use((s) => s.query(text, [3]));
    const prepared = await pool.use(names);
    expect(prepared.rows).toHaveLength(1);
    expect(prepared.rows[0]?.name).toMatch(/^lb\d+$/);
  });

  it('lock_timeout is the session setting from lockTimeout', async () => {
    const r = await pool.use((s) => s.query<{ t: string }>("SELECT current_setting('lock_timeout') AS t"));
    expect(r.rows[0]?.t).toBe('1234ms');
    // Also inside a transaction opened the way strategies open one.
    const inTx = await pool.use(async (s) => {
      await s.query('BEGIN');
      const t = await s.query<{ t: string }>("SELECT current_setting('lock_timeout') AS t");
      await s.query('ROLLBACK');
      return t.rows[0]?.t;
    });
    expect(inTx).toBe('1234ms');
  });

  it('a parameterless text may hold several statements; the last one answers', async () => {
    const r = await pool.use((s) => s.query<{ x: number }>('SELECT 1 AS x; SELECT 2 AS x'));
    expect(r.rows).toEqual([{ x: 2 }]);
  });

  it('use(fn, arg) hands the argument to fn; a failing statement rejects with the driver error', async () => {
    const read = (s: Session, id: number) =>
      s.query<{ id: number }>('SELECT id FROM accounts WHERE id = $1', [id]);
    expect((await pool.use(read, 4)).rows).toEqual([{ id: 4 }]);
    await expect(
      pool.use((s) => s.query('SELECT * FROM no_such_table WHERE id = $1', [1])),
    ).rejects.toMatchObject({
      code: '42P01',
    });
    // The connection is still good for the next operation.
    expect((await pool.use(read, 5)).rows).toEqual([{ id: 5 }]);
  });

  it('BEGIN sent with the first parameterised statement opens a transaction that outlives it', async () => {
    const r = await pool.use(async (s) => {
      await s.begin('BEGIN ISOLATION LEVEL SERIALIZABLE');
      const first = await s.query<{ x: number }>('SELECT $1::int AS x', [7]);
      // Still in the transaction BEGIN opened: its isolation, and one transaction id throughout.
      const inside = await s.query<{ i: string; tx: string }>(
        "SELECT current_setting('transaction_isolation') AS i, pg_current_xact_id()::text AS tx",
      );
      const again = await s.query<{ tx: string }>('SELECT pg_current_xact_id()::text AS tx');
      await s.query('COMMIT');
      return { first: first.rows, inside: inside.rows[0], again: again.rows[0] };
    });
    expect(r.first).toEqual([{ x: 7 }]);
    expect(r.inside?.i).toBe('serializable');
    expect(r.again?.tx).toBe(r.inside?.tx);
  });

  it('a failing first statement after BEGIN rejects; ROLLBACK ends the transaction it opened', async () => {
    const r = await pool.use(async (s) => {
      await s.begin('BEGIN');
      const err = await s.query('SELECT 1 / $1::int', [0]).catch((e: unknown) => e);
      // The transaction BEGIN opened is aborted (25P02) until ROLLBACK.
      const aborted = await s.query('SELECT 1').catch((e: unknown) => e);
      await s.query('ROLLBACK');
      const after = await s.query<{ x: number }>('SELECT $1::int AS x', [1]);
      return { err, aborted, after: after.rows };
    });
    expect(r.err).toMatchObject({ code: '22012' });
    expect(r.aborted).toMatchObject({ code: '25P02' });
    expect(r.after).toEqual([{ x: 1 }]);
  });

  it('BEGIN followed by a parameterless text, or by nothing, opens nothing it leaves behind', async () => {
    const inTx = await pool.use(async (s) => {
      await s.begin('BEGIN');
      const r = await s.query<{ tx: string | null }>(
        'SELECT pg_current_xact_id_if_assigned()::text AS tx; SELECT now() = statement_timestamp() AS tx',
      );
      await s.query('COMMIT');
      return r.rows[0]?.tx;
    });
    // Inside a transaction now() is its start, not this statement's.
    expect(String(inTx)).toBe('false');
    await pool.use((s) => s.begin('BEGIN'));
    // The next operation on the same connection is not inside a transaction.
    const outside = await pool.use((s) =>
      s.query<{ x: boolean }>(
        'SELECT now() = statement_timestamp() AS x; SELECT now() = statement_timestamp() AS x',
      ),
    );
    expect(outside.rows[0]?.x).toBe(true);
  });
});

describe('statements batched with the next one on PostgreSQL (BEGIN, queryLater)', () => {
  let pool: DbPool;
  const balance = async (id: number) =>
    Number(
      (await pool.use((s) => s.query<{ b: string }>('SELECT balance AS b FROM accounts WHERE id = $1', [id])))
        .rows[0]?.b,
    );
  const ledgerRows = async (opId: string) =>
    (await pool.use((s) => s.query('SELECT op_id FROM ledger WHERE op_id = $1', [opId]))).rows.length;
  /** One deposit the way strategies write one: BEGIN, UPDATE, the ledger row queued, COMMIT. */
  const deposit = (s: Session, opId: string) =>
    inTransaction(s, 'BEGIN', async () => {
      await s.query('UPDATE accounts SET balance = balance + $1 WHERE id = $2', [5, 3]);
      await s.queryLater(
        "INSERT INTO ledger (op_id, kind, account_id, amount) VALUES ($1, 'deposit', $2, $3)",
        [opId, 3, 5],
      );
      return { kind: 'ok' };
    });

  beforeAll(async () => {
    await resetAndSeed(spec, SIZES);
    pool = openPool(spec, { size: 1, lockTimeout: 1000, isolation: 'default' });
  });
  afterAll(async () => {
    await pool.end();
  });

  it('a queued write commits with the COMMIT it precedes, on a fresh connection and after', async () => {
    // The first deposit on the connection sends its statements in turn (parsing them), later ones
    // in batches: both commit everything.
    for (const opId of ['later-1', 'later-2', 'later-3']) {
      expect(await pool.use((s) => deposit(s, opId))).toEqual({ kind: 'ok' });
      expect(await ledgerRows(opId)).toBe(1);
    }
    expect(await balance(3)).toBe(1015);
  });

  it('a queued write that fails fails the COMMIT, and nothing of its transaction stays', async () => {
    const before = await balance(3);
    // later-2 is in the ledger already: the insert fails, the COMMIT behind it never runs.
    await expect(pool.use((s) => deposit(s, 'later-2'))).rejects.toMatchObject({ code: '23505' });
    expect(await balance(3)).toBe(before);
    // The connection was rolled back and goes on: batched statements still find their names.
    expect(await pool.use((s) => deposit(s, 'later-4'))).toEqual({ kind: 'ok' });
    expect(await balance(3)).toBe(before + 5);
  });

  it('a ROLLBACK drops a queued write unsent', async () => {
    const before = await balance(3);
    const r = await pool.use((s) =>
      inTransaction(s, 'BEGIN', async () => {
        await s.query('UPDATE accounts SET balance = balance + $1 WHERE id = $2', [5, 3]);
        await s.queryLater(
          "INSERT INTO ledger (op_id, kind, account_id, amount) VALUES ($1, 'deposit', $2, $3)",
          ['later-dropped', 3, 5],
        );
        return { kind: 'rejected', reason: 'insufficient_funds' };
      }),
    );
    expect(r).toEqual({ kind: 'rejected', reason: 'insufficient_funds' });
    expect(await ledgerRows('later-dropped')).toBe(0);
    expect(await balance(3)).toBe(before);
  });
});

describe('executor transactions on PostgreSQL', () => {
  const seen: { isolation: string; lockTimeout: string }[] = [];
  /** atomic, whose account attempt reports the settings its transaction runs with. */
  const probe: Strategy = atomic;
  const probeWays = {
    account: ((s, _op, ctx) =>
      inTransaction(s, ctx.begin, async () => {
        const r = await s.query<{ i: string; t: string }>(
          "SELECT current_setting('transaction_isolation') AS i, current_setting('lock_timeout') AS t",
        );
        seen.push({ isolation: r.rows[0]?.i ?? '', lockTimeout: r.rows[0]?.t ?? '' });
        return { kind: 'ok' };
      })) satisfies Attempt<unknown>,
  };
  const executors: Executor[] = [];
  const open = (strategy: Strategy | 'atomic', settings: ExecutorSettingsInput) => {
    const e = createExecutor({
      spec,
      strategy,
      settings: { pool: 1, ...settings },
      ...(strategy === probe ? { ways: probeWays } : {}),
    });
    executors.push(e);
    return e;
  };
  beforeAll(async () => {
    await resetAndSeed(spec, SIZES);
  });
  afterAll(async () => {
    await Promise.all(executors.map((e) => e.close()));
  });

  it('open at the configured isolation, with the lock wait limit of the settings', async () => {
    await open(probe, { isolation: 'repeatable-read', lockTimeout: 2000 }).deposit({
      accountId: 1,
      amount: 1,
      opId: 'probe-1',
    });
    await open(probe, { lockTimeout: 750 }).deposit({ accountId: 1, amount: 1, opId: 'probe-2' });
    expect(seen).toEqual([
      { isolation: 'repeatable read', lockTimeout: '2s' },
      { isolation: 'read committed', lockTimeout: '750ms' },
    ]);
  });

  it('one deposit after another on the same connection; a repeated opId gets the stored outcome', async () => {
    const executor = open('atomic', {});
    for (let i = 1; i <= 3; i++) {
      const r = await executor.deposit({ accountId: 2, amount: 10, opId: `sess-${i}` });
      expect(r).toMatchObject({
        outcome: { kind: 'ok', balance: 1000 + 10 * i },
        attempts: 1,
        conflicts: [],
      });
    }
    const again = await executor.deposit({ accountId: 2, amount: 10, opId: 'sess-2' });
    expect(again.outcome).toEqual({ kind: 'ok', duplicate: true });
  });
});
