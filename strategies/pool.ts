import mysql from 'mysql2/promise';
import pg from 'pg';
import { type ConnectionSpec, mysqlPoolConfig, pgPoolConfig } from '../bench/databases/connect.ts';
import { classify } from './classify.ts';
import type { Dialect, IsolationLevel } from './names.ts';
import { mysqlLockWaitSeconds } from './settings.ts';

export type Row = Record<string, unknown>;

export interface StatementResult<T> {
  rows: T[];
  /**
   * Rows the statement changed. mysql2 sets CLIENT_FOUND_ROWS, so its `affectedRows` counts rows
   * an UPDATE matched; this is `changedRows` for UPDATE (a compare-and-set must read this) and
   * `affectedRows` otherwise. PostgreSQL: rowCount.
   */
  changed: number;
  /** MySQL: the OK packet's last insert id (set by `LAST_INSERT_ID(expr)` in an UPDATE). 0 on PostgreSQL. */
  insertId: number;
}

/** One checked-out connection. Not shared between operations. */
export interface Session {
  readonly dialect: Dialect;
  query<T = Row>(text: string, params?: readonly unknown[]): Promise<StatementResult<T>>;
  /** The connection is in an unknown state (a failed ROLLBACK, a lost lock release): destroy it on release. */
  discard(): void;
}

export interface DbPool {
  readonly dialect: Dialect;
  /** Runs `fn` on one pooled connection. A connection that failed is destroyed, never reused. */
  use<T>(fn: (s: Session) => Promise<T>): Promise<T>;
  end(): Promise<void>;
}

export interface PoolOptions {
  /** Connections. */
  size: number;
  /** MySQL only: innodb_lock_wait_timeout for every session (rounded up to seconds). */
  lockTimeoutMs: number;
  /** MySQL only: session isolation (PostgreSQL sets it per transaction in BEGIN). */
  isolation: IsolationLevel;
}

const noop = () => {};

/** Prepared-statement names for PostgreSQL, one per distinct text, shared by every connection. */
const pgStatementNames = new Map<string, string>();
function pgName(text: string): string {
  let name = pgStatementNames.get(text);
  if (name === undefined) {
    name = `lb${pgStatementNames.size + 1}`;
    pgStatementNames.set(text, name);
  }
  return name;
}

class PgSession implements Session {
  readonly dialect = 'postgres' as const;
  broken = false;
  constructor(private readonly client: pg.PoolClient) {}
  async query<T>(text: string, params?: readonly unknown[]): Promise<StatementResult<T>> {
    try {
      // Parameterised statements are prepared once per connection; a parameterless text may hold
      // several statements (BEGIN ...; SET LOCAL ...), which only the simple protocol allows.
      const r =
        params && params.length > 0
          ? await this.client.query({ name: pgName(text), text, values: params as unknown[] })
          : await this.client.query(text);
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      return { rows: (last?.rows ?? []) as T[], changed: last?.rowCount ?? 0, insertId: 0 };
    } catch (e) {
      if (classify(e) === 'connection') this.broken = true;
      throw e;
    }
  }
  discard(): void {
    this.broken = true;
  }
}

class MysqlSession implements Session {
  readonly dialect = 'mysql' as const;
  broken = false;
  constructor(private readonly conn: mysql.PoolConnection) {}
  async query<T>(text: string, params?: readonly unknown[]): Promise<StatementResult<T>> {
    try {
      const [res] = await this.conn.query(text, params as unknown[] | undefined);
      if (Array.isArray(res)) return { rows: res as T[], changed: 0, insertId: 0 };
      const h = res as mysql.ResultSetHeader;
      const isUpdate = text.charCodeAt(0) === 85 /* U */ || text.charCodeAt(0) === 117; /* u */
      return { rows: [], changed: isUpdate ? h.changedRows : h.affectedRows, insertId: h.insertId };
    } catch (e) {
      if (classify(e) === 'connection') this.broken = true;
      throw e;
    }
  }
  discard(): void {
    this.broken = true;
  }
}

const MYSQL_ISOLATION: Record<Exclude<IsolationLevel, 'default'>, string> = {
  'read-committed': 'READ COMMITTED',
  'repeatable-read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
};

function openPgPool(spec: ConnectionSpec, opts: PoolOptions): DbPool {
  const pool = new pg.Pool({ ...pgPoolConfig(spec, opts.size), idleTimeoutMillis: 30_000 });
  // A backend that dies while its client idles emits 'error' on the pool; unhandled, it would
  // crash the server. The next query on that client fails and is classified instead.
  pool.on('error', noop);
  const seen = new WeakSet<pg.PoolClient>();
  return {
    dialect: 'postgres',
    async use(fn) {
      const client = await pool.connect();
      if (!seen.has(client)) {
        // Same for a client checked out but between queries (e.g. during workMs).
        client.on('error', noop);
        seen.add(client);
      }
      const s = new PgSession(client);
      try {
        return await fn(s);
      } finally {
        client.release(s.broken ? true : undefined);
      }
    },
    end: () => pool.end(),
  };
}

function openMysqlPool(spec: ConnectionSpec, opts: PoolOptions): DbPool {
  const pool = mysql.createPool(mysqlPoolConfig(spec, opts.size));
  const setup = [`SET SESSION innodb_lock_wait_timeout = ${mysqlLockWaitSeconds(opts.lockTimeoutMs)}`];
  if (opts.isolation !== 'default') {
    setup.push(`SET SESSION TRANSACTION ISOLATION LEVEL ${MYSQL_ISOLATION[opts.isolation]}`);
  }
  // Session settings are applied once per physical connection, not per operation.
  const ready = new WeakSet<object>();
  return {
    dialect: 'mysql',
    async use(fn) {
      const conn = await pool.getConnection();
      const s = new MysqlSession(conn);
      try {
        const core = conn.connection as unknown as { on(ev: string, f: () => void): void };
        if (!ready.has(core)) {
          core.on('error', noop);
          for (const stmt of setup) await s.query(stmt);
          ready.add(core);
        }
        return await fn(s);
      } finally {
        if (s.broken) conn.destroy();
        else conn.release();
      }
    },
    end: () => pool.end(),
  };
}

/** A pool for one executor. Connects lazily: opening it does no I/O. */
export function openPool(spec: ConnectionSpec, opts: PoolOptions): DbPool {
  return spec.dialect === 'postgres' ? openPgPool(spec, opts) : openMysqlPool(spec, opts);
}
