import type { Sql } from '../../core/connect.ts';
import type { Dialect } from '../../core/names.ts';
import type { AttemptOutcome } from '../../strategies/outcome.ts';
import type { Session } from '../../strategies/pool.ts';
import { type LockingRead, lockingRead, type RmwStrategy } from '../rmw.ts';
import type { SeedSizes } from '../seed-sizes.ts';
import type { Finding } from '../workload.ts';
import { checkBalances } from './balances.ts';

/**
 * The accounts table, shared by the account and transfer workloads.
 * accounts(id, balance, version): balance in cents. No CHECK (balance >= 0): a strategy that lets
 * a balance go negative must be seen doing it, not stopped by the schema.
 */
export const ACCOUNT_TABLES = {
  postgres: () => [
    'CREATE TABLE IF NOT EXISTS accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL, version BIGINT NOT NULL DEFAULT 0)',
  ],
  mysql: () => [
    'CREATE TABLE IF NOT EXISTS accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL, version BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB',
  ],
} satisfies Record<Dialect, () => string[]>;

interface Statements {
  /** The plain balance read; strategies add their locking clause. */
  read: string;
  exists: string;
  setBalance: string;
  readVersioned: string;
  casBalance: string;
  change: string;
  count: string;
  putBack: string;
}

const sql = {
  postgres: {
    read: 'SELECT balance FROM accounts WHERE id = $1',
    exists: 'SELECT 1 AS x FROM accounts WHERE id = $1',
    setBalance: 'UPDATE accounts SET balance = $1, version = version + 1 WHERE id = $2',
    readVersioned: 'SELECT balance, version FROM accounts WHERE id = $1',
    casBalance: 'UPDATE accounts SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3',
    change:
      'UPDATE accounts SET balance = balance + $1, version = version + 1 WHERE id = $2 AND balance + $1 >= 0 RETURNING balance',
    count: 'SELECT COUNT(*) AS n, MAX(id) AS top FROM accounts',
    putBack: 'UPDATE accounts SET balance = $1, version = 0 WHERE balance <> $2 OR version <> 0',
  },
  mysql: {
    read: 'SELECT balance FROM accounts WHERE id = ?',
    exists: 'SELECT 1 AS x FROM accounts WHERE id = ?',
    setBalance: 'UPDATE accounts SET balance = ?, version = version + 1 WHERE id = ?',
    readVersioned: 'SELECT balance, version FROM accounts WHERE id = ?',
    casBalance: 'UPDATE accounts SET balance = ?, version = version + 1 WHERE id = ? AND version = ?',
    change:
      'UPDATE accounts SET balance = balance + ?, version = version + 1 WHERE id = ? AND balance + ? >= 0',
    count: 'SELECT COUNT(*) AS n, MAX(id) AS top FROM accounts',
    putBack: 'UPDATE accounts SET balance = ?, version = 0 WHERE balance <> ? OR version <> 0',
  },
} satisfies Record<Dialect, Statements>;

/** Rows per multi-row INSERT: well under PostgreSQL's 65,535 bind parameters. */
const BATCH = 5000;

/** Inserts rows in batches of multi-row INSERTs. */
export async function insertRows(sql: Sql, table: string, columns: string[], rows: (number | string)[][]) {
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

/** Accounts 1..sizes.accounts at the initial balance: changed rows put back, or everything seeded again. */
export async function resetAccounts(db: Sql, sizes: SeedSizes): Promise<'reset' | 'seeded'> {
  const q = sql[db.dialect];
  const r = (await db.query<{ n: unknown; top: unknown }>(q.count)).rows[0];
  if (Number(r?.n) === sizes.accounts && Number(r?.top ?? 0) === sizes.accounts) {
    await db.query(q.putBack, [sizes.initialBalance, sizes.initialBalance]);
    return 'reset';
  }
  await db.query('TRUNCATE TABLE accounts');
  const rows: number[][] = [];
  for (let id = 1; id <= sizes.accounts; id++) rows.push([id, sizes.initialBalance]);
  await insertRows(db, 'accounts', ['id', 'balance'], rows);
  return 'seeded';
}

/** The balance read of a read-modify-write strategy. */
export const balanceRead = (strategy: RmwStrategy): LockingRead =>
  lockingRead(strategy, { postgres: sql.postgres.read, mysql: sql.mysql.read });

type Read<T> = { found: true; value: T } | { found: false; outcome: AttemptOutcome };

export async function accountExists(s: Session, id: number): Promise<boolean> {
  return (await s.query(sql[s.dialect].exists, [id])).rows.length > 0;
}

/** Reads one balance with the strategy's read; an empty SKIP LOCKED read of an existing row is "busy". */
export async function readBalance(s: Session, read: LockingRead, id: number): Promise<Read<number>> {
  const row = (await s.query<{ balance: unknown }>(read.sql[s.dialect], [id])).rows[0];
  if (row) return { found: true, value: Number(row.balance) };
  if (read.empty[s.dialect] === 'skipped' && (await accountExists(s, id))) {
    return { found: false, outcome: { kind: 'retry', reason: 'row-busy' } };
  }
  return { found: false, outcome: { kind: 'not_found', entity: 'account', id } };
}

/**
 * The write of a read-modify-write: the computed value, correct only if the read kept others out.
 * Nothing is read back (the row is the one just read), so the statement is queued to go out with
 * the transaction's next ones (Session.queryLater); its error, if any, still ends the attempt.
 */
export function setBalance(s: Session, id: number, balance: number): Promise<void> {
  return s.queryLater(sql[s.dialect].setBalance, [balance, id]);
}

export interface Versioned {
  balance: number;
  version: number;
}

/** optimistic: the balance and its version, without a lock. */
export async function readVersioned(s: Session, id: number): Promise<Versioned | null> {
  const row = (await s.query<{ balance: unknown; version: unknown }>(sql[s.dialect].readVersioned, [id]))
    .rows[0];
  return row ? { balance: Number(row.balance), version: Number(row.version) } : null;
}

/** optimistic: true when the row still had the version read, and now has the new balance. */
export async function casBalance(s: Session, id: number, balance: number, version: number): Promise<boolean> {
  return (await s.query(sql[s.dialect].casBalance, [balance, id, version])).changed === 1;
}

/**
 * atomic: applies delta to one balance if it stays >= 0, in one statement. Zero rows changed is
 * then told apart: no such row, or not enough money (a plain read, off the hot path).
 */
export async function changeBalance(
  s: Session,
  id: number,
  delta: number,
): Promise<{ kind: 'ok'; balance?: number } | Exclude<AttemptOutcome, { kind: 'ok' }>> {
  const params = s.dialect === 'postgres' ? [delta, id] : [delta, id, delta];
  const r = await s.query<{ balance: unknown }>(sql[s.dialect].change, params);
  if (r.changed === 1) {
    const row = r.rows[0];
    return row ? { kind: 'ok', balance: Number(row.balance) } : { kind: 'ok' };
  }
  return (await accountExists(s, id))
    ? { kind: 'rejected', reason: 'insufficient_funds' }
    : { kind: 'not_found', entity: 'account', id };
}

/**
 * The invariants of both account workloads: each balance equals initialBalance + the ledger's
 * deltas for the account (else a lost update), none is negative, and the total equals the
 * seeded total + net deposits (transfers move money, never make it).
 */
export async function checkAccounts(db: Sql, sizes: SeedSizes): Promise<Finding[]> {
  const b = await checkBalances(db, sizes);
  const of = (kind: string) => b.examples.filter((e) => e.kind === kind);
  return [
    {
      kind: 'lost-update',
      count: b.lostUpdates,
      amount: b.lostAmount,
      words: ['lost update', 'lost updates'],
      examples: of('lost-update'),
    },
    {
      kind: 'negative-balance',
      count: b.negativeBalances,
      words: ['negative balance', 'negative balances'],
      examples: of('negative-balance'),
    },
    {
      kind: 'money-drift',
      count: b.moneyDrift === 0 ? 0 : 1,
      amount: b.moneyDrift,
      words: ['money drift', 'money drift'],
      examples: of('money-drift'),
    },
  ];
}
