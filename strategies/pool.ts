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
  /**
   * Opens a transaction with `text` (BEGIN ...). PostgreSQL defers it and sends it in the same
   * message batch as the transaction's first parameterised statement (one round trip instead of
   * two); an error of either is that statement's error. MySQL/MariaDB sends it at once.
   */
  begin(text: string): Promise<void>;
  /** The connection is in an unknown state (a failed ROLLBACK, a lost lock release): destroy it on release. */
  discard(): void;
}

export interface DbPool {
  readonly dialect: Dialect;
  /**
   * Runs `fn` on one pooled connection. A connection that failed is destroyed, never reused.
   * `arg` is handed to `fn`, so a hot path can pass a function made once instead of a closure.
   */
  use<T>(fn: (s: Session) => Promise<T>): Promise<T>;
  use<A, T>(fn: (s: Session, arg: A) => Promise<T>, arg: A): Promise<T>;
  end(): Promise<void>;
}

export interface PoolOptions {
  /** Connections. */
  size: number;
  /**
   * Row-lock wait limit of every session, ms: PostgreSQL lock_timeout; MySQL
   * innodb_lock_wait_timeout (rounded up to seconds).
   */
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

/** What pg hands a query's callback: one result, or one per statement of a multi-statement text. */
type PgResults = pg.QueryResult | pg.QueryResult[];

function fromPg<T>(r: PgResults): StatementResult<T> {
  const last = Array.isArray(r) ? r[r.length - 1] : r;
  return { rows: (last?.rows ?? []) as T[], changed: last?.rowCount ?? 0, insertId: 0 };
}

/** The part of pg's Connection a query writes its messages with (pg/lib/connection.js). */
interface PgWire {
  parsedStatements: Record<string, string>;
  parse(m: { text: string; name: string; types?: unknown[] }): void;
  bind(m: { portal: string; statement: string; values: unknown[] }): void;
  execute(m: { portal: string }): void;
}

/** Name of the prepared BEGIN statement of a session (one per distinct BEGIN text). */
const beginName = (text: string) => `${pgName(text)}b`;

/**
 * A parameterised statement preceded by the transaction's BEGIN in the same message batch:
 * Parse (once per connection) / Bind / Execute of BEGIN with no Sync, then pg's own Parse / Bind /
 * Describe / Execute / Sync of the statement. BEGIN turns the batch's implicit transaction into an
 * explicit one that outlives the Sync (the PostgreSQL protocol allows it; pgjdbc sends BEGIN this
 * way), so the server answers both with one flush and the client waits once. The callback gets
 * BEGIN's result and the statement's as an array (fromPg reads the last); an error in either
 * skips the rest up to the Sync and is this query's error.
 */
class BeginThenQuery extends pg.Query {
  constructor(
    private readonly beginText: string,
    text: string,
    values: unknown[],
    callback: (err: Error | undefined, r: unknown) => void,
  ) {
    super(text, values, callback);
  }
  prepare(connection: PgWire): void {
    const name = beginName(this.beginText);
    if (connection.parsedStatements[name] === undefined) {
      connection.parse({ text: this.beginText, name });
      // Recorded at once: pg books a ParseComplete under the batch's statement, not this one.
      connection.parsedStatements[name] = this.beginText;
    }
    connection.bind({ portal: '', statement: name, values: [] });
    connection.execute({ portal: '' });
    (pg.Query.prototype as unknown as { prepare(c: PgWire): void }).prepare.call(this, connection);
  }
}

class PgSession implements Session {
  readonly dialect = 'postgres' as const;
  broken = false;
  /** A BEGIN not yet sent: it goes out with the next statement. */
  pendingBegin: string | null = null;
  constructor(private readonly client: pg.PoolClient) {}
  begin(text: string): Promise<void> {
    this.pendingBegin = text;
    return Promise.resolve();
  }
  query<T>(text: string, params?: readonly unknown[]): Promise<StatementResult<T>> {
    const values = params && params.length > 0 ? (params as unknown[]) : undefined;
    const begin = this.pendingBegin;
    if (begin !== null) {
      this.pendingBegin = null;
      // Only a parameterised statement goes in the extended protocol; a plain text (it may hold
      // several statements) needs the simple one, so BEGIN goes first on its own.
      if (!values)
        return this.send<unknown>(begin, undefined, null).then(() => this.send<T>(text, undefined, null));
    }
    return this.send<T>(text, values, begin);
  }
  private send<T>(
    text: string,
    values: unknown[] | undefined,
    begin: string | null,
  ): Promise<StatementResult<T>> {
    return new Promise((resolve, reject) => {
      const done = (err: Error | undefined, r: unknown) => {
        if (err) {
          if (classify(err) === 'connection') this.broken = true;
          reject(err);
        } else {
          resolve(fromPg<T>(r as PgResults));
        }
      };
      // A pg.Query built from text: given a config object instead, pg copies it property by
      // property (cloneQueryConfig, about 1 µs a query here), which is most of what this layer
      // costs. The statement name is set on the query (pg reads query.name when it submits it).
      const q =
        begin !== null && values
          ? new BeginThenQuery(begin, text, values, done)
          : new pg.Query(text, values, done);
      // Parameterised statements are prepared once per connection; a parameterless text may hold
      // several statements, which only the simple protocol allows.
      if (values) (q as { name?: string }).name = pgName(text);
      this.client.query(q);
    });
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
  async begin(text: string): Promise<void> {
    await this.query(text);
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

/** The session of a pooled pg client, made on its first checkout and kept with it. */
const SESSION = Symbol('lockbench.session');
type PgClient = pg.PoolClient & { [SESSION]?: PgSession };

function openPgPool(spec: ConnectionSpec, opts: PoolOptions): DbPool {
  const config = pgPoolConfig(spec, opts.size);
  const pool = new pg.Pool({
    ...config,
    // lock_timeout is a session setting made at connect time (a startup option), like MySQL's
    // innodb_lock_wait_timeout: a per-transaction SET LOCAL would cost the database a statement
    // per transaction.
    options: `${config.options ?? ''} -c lock_timeout=${Math.round(opts.lockTimeoutMs)}`.trim(),
    idleTimeoutMillis: 30_000,
  });
  // A backend that dies while its client idles emits 'error' on the pool; unhandled, it would
  // crash the server. The next query on that client fails and is classified instead.
  pool.on('error', noop);
  return {
    dialect: 'postgres',
    async use<A, T>(fn: (s: Session, arg: A) => Promise<T>, arg?: A): Promise<T> {
      const client: PgClient = await pool.connect();
      let s = client[SESSION];
      if (s === undefined) {
        // Same for a client checked out but between queries (e.g. during workMs).
        client.on('error', noop);
        s = new PgSession(client);
        client[SESSION] = s;
      }
      try {
        return await fn(s, arg as A);
      } finally {
        // A BEGIN the operation never followed with a statement opened nothing.
        s.pendingBegin = null;
        // A broken client is destroyed, never reused, so its session goes with it.
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
    async use<A, T>(fn: (s: Session, arg: A) => Promise<T>, arg?: A): Promise<T> {
      const conn = await pool.getConnection();
      const s = new MysqlSession(conn);
      try {
        const core = conn.connection as unknown as { on(ev: string, f: () => void): void };
        if (!ready.has(core)) {
          core.on('error', noop);
          for (const stmt of setup) await s.query(stmt);
          ready.add(core);
        }
        return await fn(s, arg as A);
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
