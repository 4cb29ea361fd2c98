import { afterAll, describe, expect, it } from 'vitest';
import { openSql, resetAndSeed, type Sql } from '../../bench/databases/index.ts';
import { specFor } from '../helpers/db.ts';

const sizes = { accounts: 20, initialBalance: 500, events: 3, seatsPerEvent: 7 };

describe.each(['postgres', 'mysql'] as const)('reset between cells on %s', (dialect) => {
  const spec = specFor(dialect, 't_reset');
  const opened: Sql[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
  });
  const p = (i: number) => (dialect === 'postgres' ? `$${i}` : '?');

  async function state(sql: Sql) {
    const one = async (text: string) => Number(Object.values((await sql.query(text)).rows[0] ?? {})[0]);
    return {
      ledger: await one('SELECT COUNT(*) FROM ledger'),
      total: await one('SELECT SUM(balance) FROM accounts'),
      versions: await one('SELECT SUM(version) FROM accounts'),
      sold: await one(`SELECT COUNT(*) FROM seats WHERE status <> 'free' OR op_id IS NOT NULL`),
      seats: await one('SELECT COUNT(*) FROM seats'),
    };
  }

  it('puts back only what a run changed when the sizes are the same, and reseeds when they differ', async () => {
    expect(await resetAndSeed(spec, sizes, { full: true })).toBe('seeded');
    const sql = await openSql(spec);
    opened.push(sql);
    const fresh = await state(sql);
    expect(fresh).toEqual({ ledger: 0, total: 20 * 500, versions: 0, sold: 0, seats: 21 });

    // What a run leaves behind: balances and versions changed, seats sold, ledger rows.
    await sql.query(
      `UPDATE accounts SET balance = balance + 7, version = version + 1 WHERE id = ${p(1)}`,
      [3],
    );
    await sql.query(`UPDATE seats SET status = 'sold', op_id = 'x' WHERE id = ${p(1)}`, [5]);
    await sql.query(`INSERT INTO ledger (op_id, kind, account_id, amount) VALUES ('x', 'deposit', 3, 7)`);
    expect(await state(sql)).not.toEqual(fresh);

    expect(await resetAndSeed(spec, sizes)).toBe('reset');
    expect(await state(sql)).toEqual(fresh);

    // A different size, or a row that a seed would not have, means a full seed.
    expect(await resetAndSeed(spec, { ...sizes, seatsPerEvent: 8 })).toBe('seeded');
    expect((await state(sql)).seats).toBe(24);
    await sql.query(`DELETE FROM accounts WHERE id = ${p(1)}`, [20]);
    expect(await resetAndSeed(spec, { ...sizes, seatsPerEvent: 8 })).toBe('seeded');
    expect((await state(sql)).total).toBe(20 * 500);
  });

  it('adds item_id to a ledger made before it existed, keeping the table', async () => {
    const old = specFor(dialect, 't_reset_old');
    const admin = await openSql(old, { withSchema: false });
    opened.push(admin);
    const q = (t: string) => (dialect === 'postgres' ? `t_reset_old.${t}` : `\`t_reset_old\`.${t}`);
    await admin.query(
      dialect === 'postgres'
        ? 'DROP SCHEMA IF EXISTS t_reset_old CASCADE'
        : 'DROP DATABASE IF EXISTS t_reset_old',
    );
    await admin.query(dialect === 'postgres' ? 'CREATE SCHEMA t_reset_old' : 'CREATE DATABASE t_reset_old');
    await admin.query(
      `CREATE TABLE ${q('ledger')} (op_id VARCHAR(64) PRIMARY KEY, kind VARCHAR(16) NOT NULL, account_id INT NULL, counter_account_id INT NULL, amount BIGINT NOT NULL DEFAULT 0, event_id INT NULL, seat_id INT NULL)`,
    );
    await resetAndSeed(old, sizes, { workloads: ['queue'] });
    const sql = await openSql(old);
    opened.push(sql);
    await sql.query(`INSERT INTO ledger (op_id, kind, amount, item_id) VALUES ('j', 'claim', 0, 7)`);
    const { rows } = await sql.query<{ item_id: unknown }>('SELECT item_id FROM ledger');
    expect(rows.map((r) => Number(r.item_id))).toEqual([7]);
  });
});

describe('reset between cells on postgres: vacuum', () => {
  it('vacuums every table of the schema after the reset, so a cell starts without dead rows', async () => {
    const spec = specFor('postgres', 't_vacuum');
    await resetAndSeed(spec, sizes, { full: true });
    const sql = await openSql(spec);
    try {
      await sql.query(`UPDATE seats SET status = 'sold', op_id = 'y' WHERE id <= $1`, [4]);
      const before = Date.now();
      expect(await resetAndSeed(spec, sizes)).toBe('reset');
      const rows = (
        await sql.query<{ relname: string; last_vacuum: Date | null }>(
          'SELECT relname, last_vacuum FROM pg_stat_user_tables WHERE schemaname = $1 ORDER BY relname',
          [spec.schema],
        )
      ).rows;
      expect(rows.map((r) => r.relname)).toEqual(expect.arrayContaining(['accounts', 'ledger', 'seats']));
      for (const r of rows) expect(r.last_vacuum?.getTime() ?? 0, r.relname).toBeGreaterThanOrEqual(before);
    } finally {
      await sql.close();
    }
  });
});
