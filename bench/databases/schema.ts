import type { Dialect } from '../../strategies/names.ts';
import type { ConnectionSpec, Sql } from './connect.ts';
import { openSql } from './connect.ts';

/**
 * The tables every workload shares, inside the harness's own schema.
 *
 * - accounts(id, balance, version): balance in cents. No CHECK (balance >= 0): a strategy that
 *   lets a balance go negative must be seen doing it, not stopped by the schema.
 * - events(id, capacity); seats(id, event_id, status 'free'|'sold', op_id, version): seat ids are
 *   global; the (event_id, status, id) index keeps InnoDB's locking reads from taking gap locks
 *   over the whole table (InnoDB locking reads on a non-unique index take next-key locks).
 * - ledger: one row per applied operation, written in the same transaction as the change.
 *   kind 'deposit'|'withdraw': amount is the signed delta applied to account_id.
 *   kind 'transfer': amount (> 0) moved from account_id to counter_account_id.
 *   kind 'reserve': seat_id of event_id taken; amount 0.
 *   op_id is the primary key: a repeated opId cannot be applied twice.
 * - lockbench_meta(k, v): the seed sizes, read back by the correctness checks.
 */
export interface SeedSizes {
  /** Number of accounts, ids 1..accounts. Default 1000. */
  accounts: number;
  /** Initial balance of every account, in cents. Default 1,000,000 (10,000.00). */
  initialBalance: number;
  /** Number of events, ids 1..events. Default 10. */
  events: number;
  /** Seats per event. Default 5000 (enough not to sell out in a short run). */
  seatsPerEvent: number;
}

export const DEFAULT_SEED: SeedSizes = {
  accounts: 1000,
  initialBalance: 1_000_000,
  events: 10,
  seatsPerEvent: 5000,
};

const ddl = {
  postgres: (schema: string) => [
    `CREATE SCHEMA IF NOT EXISTS ${schema}`,
    `CREATE TABLE IF NOT EXISTS ${schema}.accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL, version BIGINT NOT NULL DEFAULT 0)`,
    `CREATE TABLE IF NOT EXISTS ${schema}.events (id INT PRIMARY KEY, capacity INT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${schema}.seats (id INT PRIMARY KEY, event_id INT NOT NULL, status VARCHAR(8) NOT NULL, op_id VARCHAR(64) NULL, version BIGINT NOT NULL DEFAULT 0)`,
    `CREATE INDEX IF NOT EXISTS seats_event_status ON ${schema}.seats (event_id, status, id)`,
    `CREATE TABLE IF NOT EXISTS ${schema}.ledger (op_id VARCHAR(64) PRIMARY KEY, kind VARCHAR(16) NOT NULL, account_id INT NULL, counter_account_id INT NULL, amount BIGINT NOT NULL DEFAULT 0, event_id INT NULL, seat_id INT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    `CREATE TABLE IF NOT EXISTS ${schema}.lockbench_meta (k VARCHAR(32) PRIMARY KEY, v BIGINT NOT NULL)`,
  ],
  mysql: (schema: string) => [
    `CREATE DATABASE IF NOT EXISTS \`${schema}\``,
    `CREATE TABLE IF NOT EXISTS \`${schema}\`.accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL, version BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB`,
    `CREATE TABLE IF NOT EXISTS \`${schema}\`.events (id INT PRIMARY KEY, capacity INT NOT NULL) ENGINE=InnoDB`,
    `CREATE TABLE IF NOT EXISTS \`${schema}\`.seats (id INT PRIMARY KEY, event_id INT NOT NULL, status VARCHAR(8) NOT NULL, op_id VARCHAR(64) NULL, version BIGINT NOT NULL DEFAULT 0, INDEX seats_event_status (event_id, status, id)) ENGINE=InnoDB`,
    `CREATE TABLE IF NOT EXISTS \`${schema}\`.ledger (op_id VARCHAR(64) PRIMARY KEY, kind VARCHAR(16) NOT NULL, account_id INT NULL, counter_account_id INT NULL, amount BIGINT NOT NULL DEFAULT 0, event_id INT NULL, seat_id INT NULL, created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB`,
    `CREATE TABLE IF NOT EXISTS \`${schema}\`.lockbench_meta (k VARCHAR(32) PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB`,
  ],
} satisfies Record<Dialect, (schema: string) => string[]>;

const TABLES = ['accounts', 'events', 'seats', 'ledger', 'lockbench_meta'] as const;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Rows per multi-row INSERT: well under PostgreSQL's 65,535 bind parameters. */
const BATCH = 5000;

async function insertRows(
  sql: Sql,
  table: string,
  columns: string[],
  rows: (number | string)[][],
): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const chunk = rows.slice(i, i + BATCH);
    const params: (number | string)[] = [];
    const tuples = chunk.map((row) => {
      const marks = row.map((v) => {
        params.push(v);
        return sql.dialect === 'postgres' ? `$${params.length}` : '?';
      });
      return `(${marks.join(',')})`;
    });
    await sql.query(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${tuples.join(',')}`, params);
  }
}

/**
 * Creates the harness's tables if missing and brings them to the freshly seeded state. Touches
 * nothing outside `spec.schema`.
 *
 * When the tables already hold a seed of the same sizes (the usual case between the cells of a
 * run), only what a run changes is put back: the ledger is emptied, changed balances and sold seats
 * are reset (tens of ms). Otherwise, or with `full`, everything is emptied and seeded again
 * (about 1 s per 100k seats).
 */
export async function resetAndSeed(
  spec: ConnectionSpec,
  sizes: SeedSizes = DEFAULT_SEED,
  opts: { full?: boolean } = {},
): Promise<'reset' | 'seeded'> {
  if (!SCHEMA_NAME.test(spec.schema)) throw new Error(`invalid schema name ${JSON.stringify(spec.schema)}`);
  const sql = await openSql(spec, { max: 1, withSchema: false });
  const q = (t: string) => (spec.dialect === 'postgres' ? `${spec.schema}.${t}` : `\`${spec.schema}\`.${t}`);
  const p = (i: number) => (spec.dialect === 'postgres' ? `$${i}` : '?');
  const truncate = (t: string) => sql.query(`TRUNCATE TABLE ${q(t)}`);
  try {
    for (const stmt of ddl[spec.dialect](spec.schema)) await sql.query(stmt);
    if (!opts.full && (await seededWith(sql, q, sizes))) {
      await truncate('ledger');
      await sql.query(
        `UPDATE ${q('accounts')} SET balance = ${p(1)}, version = 0 WHERE balance <> ${p(2)} OR version <> 0`,
        [sizes.initialBalance, sizes.initialBalance],
      );
      await sql.query(
        `UPDATE ${q('seats')} SET status = 'free', op_id = NULL, version = 0 WHERE status <> 'free' OR op_id IS NOT NULL OR version <> 0`,
      );
      return 'reset';
    }
    for (const t of TABLES) await truncate(t);
    const accounts: number[][] = [];
    for (let id = 1; id <= sizes.accounts; id++) accounts.push([id, sizes.initialBalance]);
    await insertRows(sql, q('accounts'), ['id', 'balance'], accounts);
    const events: number[][] = [];
    const seats: (number | string)[][] = [];
    for (let e = 1; e <= sizes.events; e++) {
      events.push([e, sizes.seatsPerEvent]);
      for (let s = 1; s <= sizes.seatsPerEvent; s++)
        seats.push([(e - 1) * sizes.seatsPerEvent + s, e, 'free']);
    }
    await insertRows(sql, q('events'), ['id', 'capacity'], events);
    await insertRows(sql, q('seats'), ['id', 'event_id', 'status'], seats);
    await insertRows(
      sql,
      q('lockbench_meta'),
      ['k', 'v'],
      Object.entries(sizes).map(([k, v]) => [k, v]),
    );
    if (spec.dialect === 'postgres') await sql.query(`ANALYZE ${spec.schema}.seats`);
    return 'seeded';
  } finally {
    await sql.close();
  }
}

/** True when the tables hold exactly the rows a seed of these sizes makes (values may have changed). */
async function seededWith(sql: Sql, q: (t: string) => string, sizes: SeedSizes): Promise<boolean> {
  const { rows: meta } = await sql.query<{ k: string; v: string | number }>(
    `SELECT k, v FROM ${q('lockbench_meta')}`,
  );
  const m = new Map(meta.map((r) => [r.k, Number(r.v)]));
  if (!(Object.keys(sizes) as (keyof SeedSizes)[]).every((k) => m.get(k) === sizes[k]) || m.size !== 4)
    return false;
  const { rows } = await sql.query<Record<string, string | number | null>>(
    `SELECT (SELECT COUNT(*) FROM ${q('accounts')}) AS accounts, (SELECT MAX(id) FROM ${q('accounts')}) AS max_account,
            (SELECT COUNT(*) FROM ${q('events')}) AS events, (SELECT SUM(capacity) FROM ${q('events')}) AS capacity,
            (SELECT COUNT(*) FROM ${q('seats')}) AS seats, (SELECT MAX(id) FROM ${q('seats')}) AS max_seat`,
  );
  const r = rows[0] ?? {};
  const seats = sizes.events * sizes.seatsPerEvent;
  return (
    Number(r.accounts) === sizes.accounts &&
    Number(r.max_account ?? 0) === sizes.accounts &&
    Number(r.events) === sizes.events &&
    Number(r.capacity ?? 0) === seats &&
    Number(r.seats) === seats &&
    Number(r.max_seat ?? 0) === seats
  );
}

/** Reads back the sizes the tables were seeded with. */
export async function readSeed(sql: Sql): Promise<SeedSizes> {
  const { rows } = await sql.query<{ k: string; v: string | number }>('SELECT k, v FROM lockbench_meta');
  const m = new Map(rows.map((r) => [r.k, Number(r.v)]));
  const get = (k: keyof SeedSizes) => {
    const v = m.get(k);
    if (v === undefined) throw new Error(`lockbench_meta has no ${k}: was the schema seeded?`);
    return v;
  };
  return {
    accounts: get('accounts'),
    initialBalance: get('initialBalance'),
    events: get('events'),
    seatsPerEvent: get('seatsPerEvent'),
  };
}
