import type { ConnectionSpec, Sql } from '../core/connect.ts';
import { openSql } from '../core/connect.ts';
import type { Dialect } from '../core/names.ts';
import { getWorkload } from './catalog.ts';
import { BUILTIN_WORKLOADS } from './registry.ts';
import { DEFAULT_SEED, type SeedSizes } from './seed-sizes.ts';

/**
 * The harness's own tables, inside its own schema; each workload brings its tables beside them
 * (workloads/<name>/: account and transfer share accounts; tickets has events and seats; queue
 * has jobs).
 *
 * - ledger: one row per applied operation, written in the same transaction as the change.
 *   kind 'deposit'|'withdraw': amount is the signed delta applied to account_id.
 *   kind 'transfer': amount (> 0) moved from account_id to counter_account_id.
 *   kind 'reserve': seat_id of event_id taken; amount 0.
 *   Other workloads: their own kinds; item_id is the row the operation created or took (queue:
 *   'enqueue' and 'claim' name the job).
 *   op_id is the primary key: a repeated opId cannot be applied twice.
 * - lockbench_meta(k, v): the seed sizes, read back by the correctness checks.
 */
export { DEFAULT_SEED, type SeedSizes } from './seed-sizes.ts';

const ddl = {
  postgres: (schema: string) => [
    `CREATE SCHEMA IF NOT EXISTS ${schema}`,
    `CREATE TABLE IF NOT EXISTS ${schema}.ledger (op_id VARCHAR(64) PRIMARY KEY, kind VARCHAR(16) NOT NULL, account_id INT NULL, counter_account_id INT NULL, amount BIGINT NOT NULL DEFAULT 0, event_id INT NULL, seat_id INT NULL, item_id BIGINT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    `CREATE TABLE IF NOT EXISTS ${schema}.lockbench_meta (k VARCHAR(32) PRIMARY KEY, v BIGINT NOT NULL)`,
  ],
  mysql: (schema: string) => [
    `CREATE DATABASE IF NOT EXISTS \`${schema}\``,
    `CREATE TABLE IF NOT EXISTS \`${schema}\`.ledger (op_id VARCHAR(64) PRIMARY KEY, kind VARCHAR(16) NOT NULL, account_id INT NULL, counter_account_id INT NULL, amount BIGINT NOT NULL DEFAULT 0, event_id INT NULL, seat_id INT NULL, item_id BIGINT NULL, created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB`,
    `CREATE TABLE IF NOT EXISTS \`${schema}\`.lockbench_meta (k VARCHAR(32) PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB`,
  ],
} satisfies Record<Dialect, (schema: string) => string[]>;

const drop = {
  postgres: (schema: string) => `DROP SCHEMA IF EXISTS ${schema} CASCADE`,
  mysql: (schema: string) => `DROP DATABASE IF EXISTS \`${schema}\``,
} satisfies Record<Dialect, (schema: string) => string>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * VACUUM (ANALYZE) of every table in the harness's schema, as pgbench does before each run. A
 * reset on PostgreSQL writes a new version of every row a cell changed and leaves the old ones
 * dead (in the heap and in every index whose key changed: a sold seat put back to free is a new
 * index entry beside a dead one), and so does the cell itself. Without this, a cell starts with
 * whatever the earlier cells left behind, and autovacuum wakes on it at a moment that depends on
 * them; with it, every cell starts from the same clean tables. MySQL/MariaDB purge old versions
 * in the background and need nothing here.
 */
async function vacuumSchema(sql: Sql, schema: string): Promise<void> {
  const tables = await sql.query<{ name: string }>(
    'SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY tablename',
    [schema],
  );
  if (tables.rows.length === 0) return;
  const names = tables.rows.map((t) => `${schema}.${quoteIdent(t.name)}`).join(', ');
  await sql.query(`VACUUM (ANALYZE) ${names}`);
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Creates the harness's tables and the workloads' if missing and brings them to the freshly
 * seeded state. Touches nothing outside `spec.schema`.
 *
 * The ledger is emptied; each workload's `reset` puts back only what a run changed when its tables
 * already hold its seed (the usual case between the cells of a run: tens of ms), or seeds them
 * again. Returns 'reset' when the seed sizes were already those, 'seeded' otherwise. With `full`,
 * the schema is dropped and everything created and seeded again (about 1 s per 100k seats).
 * `workloads` (default: every built-in one) names the workloads whose tables to reset.
 */
export async function resetAndSeed(
  spec: ConnectionSpec,
  sizes: SeedSizes = DEFAULT_SEED,
  opts: { full?: boolean; workloads?: readonly string[] } = {},
): Promise<'reset' | 'seeded'> {
  if (!SCHEMA_NAME.test(spec.schema)) throw new Error(`invalid schema name ${JSON.stringify(spec.schema)}`);
  const admin = await openSql(spec, { max: 1, withSchema: false });
  const q = (t: string) => (spec.dialect === 'postgres' ? `${spec.schema}.${t}` : `\`${spec.schema}\`.${t}`);
  let state: 'reset' | 'seeded';
  try {
    if (opts.full) await admin.query(drop[spec.dialect](spec.schema));
    for (const stmt of ddl[spec.dialect](spec.schema)) await admin.query(stmt);
    await addItemColumn(admin, spec.schema);
    await admin.query(`TRUNCATE TABLE ${q('ledger')}`);
    state = !opts.full && (await seededWith(admin, q, sizes)) ? 'reset' : 'seeded';
    if (state === 'seeded') {
      await admin.query(`TRUNCATE TABLE ${q('lockbench_meta')}`);
      const p = (i: number) => (spec.dialect === 'postgres' ? `$${i}` : '?');
      for (const [k, v] of Object.entries(sizes))
        await admin.query(`INSERT INTO ${q('lockbench_meta')} (k, v) VALUES (${p(1)}, ${p(2)})`, [k, v]);
    }
  } finally {
    await admin.close();
  }
  const sql = await openSql(spec, { max: 1 });
  try {
    for (const name of opts.workloads ?? Object.keys(BUILTIN_WORKLOADS)) {
      const workload = getWorkload(name);
      for (const stmt of workload.tables[spec.dialect]()) await sql.query(stmt);
      if ((await workload.reset(sql, sizes)) === 'seeded') state = 'seeded';
    }
    if (spec.dialect === 'postgres') await vacuumSchema(sql, spec.schema);
  } finally {
    await sql.close();
  }
  return state;
}

/**
 * A ledger made before item_id existed (an external database seeded by an older lockbench) gets
 * the column: CREATE TABLE IF NOT EXISTS leaves an existing table as it is. MySQL 8 has no
 * ADD COLUMN IF NOT EXISTS, so the catalogue is asked first.
 */
async function addItemColumn(sql: Sql, schema: string): Promise<void> {
  const p = (i: number) => (sql.dialect === 'postgres' ? `$${i}` : '?');
  const { rows } = await sql.query(
    `SELECT 1 AS x FROM information_schema.columns WHERE table_schema = ${p(1)} AND table_name = 'ledger' AND column_name = 'item_id'`,
    [schema],
  );
  if (rows.length > 0) return;
  const table = sql.dialect === 'postgres' ? `${schema}.ledger` : `\`${schema}\`.ledger`;
  await sql.query(`ALTER TABLE ${table} ADD COLUMN item_id BIGINT NULL`);
}

/** True when lockbench_meta holds exactly these seed sizes. */
async function seededWith(sql: Sql, q: (t: string) => string, sizes: SeedSizes): Promise<boolean> {
  const { rows: meta } = await sql.query<{ k: string; v: string | number }>(
    `SELECT k, v FROM ${q('lockbench_meta')}`,
  );
  const m = new Map(meta.map((r) => [r.k, Number(r.v)]));
  return (Object.keys(sizes) as (keyof SeedSizes)[]).every((k) => m.get(k) === sizes[k]) && m.size === 4;
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
