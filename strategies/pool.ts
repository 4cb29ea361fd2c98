import { createRequire } from 'node:module';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { type ConnectionSpec, mysqlPoolConfig, pgPoolConfig } from '../core/connect.ts';
import type { Dialect, IsolationLevel } from '../core/names.ts';
import { classify } from './classify.ts';
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
   * Opens a transaction with `text` (BEGIN ...). PostgreSQL defers it and sends it in one message
   * batch with the transaction's first statement (one round trip instead of two); an error of
   * either is that statement's error. MySQL/MariaDB sends it at once.
   */
  begin(text: string): Promise<void>;
  /**
   * Queues a statement whose rows the caller does not need (a transaction's last write before
   * COMMIT). PostgreSQL sends it in one message batch with the session's next statement, and an
   * error in it is that statement's error (a COMMIT it precedes is then skipped); a ROLLBACK next
   * drops it unsent. MySQL/MariaDB runs it at once.
   */
  queryLater(text: string, params: readonly unknown[]): Promise<void>;
  /**
   * After a failed statement: the connection is still inside a transaction (a COMMIT skipped
   * because a statement batched ahead of it failed) and must be rolled back. PostgreSQL: the
   * server's transaction status; MySQL/MariaDB: false, it batches nothing.
   */
  rollbackNeeded(): boolean;
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
  lockTimeout: number;
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
  parse(m: { text: string; name: string }): void;
  bind(m: {
    portal: string;
    statement: string;
    values: unknown[];
    valueMapper: (v: unknown, i: number) => unknown;
  }): void;
  execute(m: { portal: string }): void;
}

/** A statement sent ahead of another in one message batch. */
interface Ahead {
  name: string;
  text: string;
  values: unknown[];
}

/**
 * Statements sent ahead of this query in the same message batch: for each, Parse (first position
 * only, see PgSession.batchable) / Bind / Execute with no Sync; then pg's own Parse / Bind /
 * Describe / Execute / Sync of this query. The server runs them in order and answers with one
 * flush, so the client waits once. A BEGIN among them turns the batch's implicit transaction into
 * an explicit one that outlives the Sync (the protocol allows it; pgjdbc sends BEGIN this way).
 * The callback gets one result per statement (fromPg reads the last); an error in any skips the
 * rest up to the Sync and is this query's error.
 */
class BatchQuery extends pg.Query {
  constructor(
    private readonly ahead: readonly Ahead[],
    text: string,
    values: unknown[],
    callback: (err: Error | undefined, r: unknown) => void,
  ) {
    super(text, values, callback);
  }
  prepare(connection: PgWire): void {
    for (const a of this.ahead) {
      if (connection.parsedStatements[a.name] === undefined) {
        connection.parse({ text: a.text, name: a.name });
        // Recorded now: pg books a ParseComplete under the batch's last statement, not this one.
        connection.parsedStatements[a.name] = a.text;
      }
      connection.bind({ portal: '', statement: a.name, values: a.values, valueMapper: prepareValue });
      connection.execute({ portal: '' });
    }
    (pg.Query.prototype as unknown as { prepare(c: PgWire): void }).prepare.call(this, connection);
  }
}

const NO_VALUES: unknown[] = [];

/** pg's own conversion of a parameter to its text form (what pg.Query binds with). */
const prepareValue = (
  createRequire(import.meta.url)('pg/lib/utils.js') as {
    prepareValue: (v: unknown) => unknown;
  }
).prepareValue;

class PgSession implements Session {
  readonly dialect = 'postgres' as const;
  broken = false;
  /** A BEGIN not yet sent: it goes out with the next statement. */
  pendingBegin: string | null = null;
  /** Statements queued by queryLater: they go out with the next statement. */
  deferred: Ahead[] = [];
  constructor(private readonly client: pg.PoolClient) {}
  begin(text: string): Promise<void> {
    this.pendingBegin = text;
    return Promise.resolve();
  }
  queryLater(text: string, params: readonly unknown[]): Promise<void> {
    this.deferred.push({ name: pgName(text), text, values: params as unknown[] });
    return Promise.resolve();
  }
  rollbackNeeded(): boolean {
    return this.client.getTransactionStatus() !== 'I';
  }
  /** Forgets what was queued and never sent (at release). */
  reset(): void {
    this.pendingBegin = null;
    if (this.deferred.length > 0) this.deferred = [];
  }
  query<T>(text: string, params?: readonly unknown[]): Promise<StatementResult<T>> {
    const values = params && params.length > 0 ? (params as unknown[]) : undefined;
    if (this.pendingBegin === null && this.deferred.length === 0) return this.send<T>(text, values, null);
    const ahead: Ahead[] = this.deferred;
    if (this.pendingBegin !== null) {
      ahead.unshift({ name: pgName(this.pendingBegin), text: this.pendingBegin, values: NO_VALUES });
    }
    this.reset();
    // A ROLLBACK undoes what was queued: it goes alone (outside a transaction it only warns).
    if (text === 'ROLLBACK') return this.send<T>(text, undefined, null);
    // The extended protocol takes one statement: a parameterless text joins a batch only when it
    // holds a single statement (COMMIT does).
    const batchValues = values ?? (text.includes(';') ? undefined : NO_VALUES);
    if (batchValues && this.batchable(ahead, text)) return this.send<T>(text, batchValues, ahead);
    return this.sendInTurn<T>(ahead, text, batchValues ?? values);
  }
  /**
   * A batch carries a Parse only in its first position: after an error the server skips the rest
   * of the batch, Parses included, and pg's bookkeeping of what each connection has parsed could
   * then claim a statement the server never saw. So the first few operations on a connection send
   * their statements in turn, which parses them, and every later one is batched.
   */
  private batchable(ahead: readonly Ahead[], text: string): boolean {
    const parsed = (this.client as unknown as { connection: PgWire }).connection.parsedStatements;
    for (let i = 1; i < ahead.length; i++) if (parsed[(ahead[i] as Ahead).name] === undefined) return false;
    return parsed[pgName(text)] !== undefined;
  }
  private async sendInTurn<T>(
    ahead: readonly Ahead[],
    text: string,
    values: unknown[] | undefined,
  ): Promise<StatementResult<T>> {
    for (const a of ahead) await this.send(a.text, a.values, null);
    return this.send<T>(text, values, null);
  }
  private send<T>(
    text: string,
    values: unknown[] | undefined,
    ahead: Ahead[] | null,
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
      const q = ahead
        ? new BatchQuery(ahead, text, values as unknown[], done)
        : new pg.Query(text, values, done);
      // Statements with values (an empty list for a single parameterless statement in a batch)
      // are prepared once per connection; a parameterless text may hold several statements,
      // which only the simple protocol allows.
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
  async queryLater(text: string, params: readonly unknown[]): Promise<void> {
    await this.query(text, params);
  }
  rollbackNeeded(): boolean {
    return false;
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
    options: `${config.options ?? ''} -c lock_timeout=${Math.round(opts.lockTimeout)}`.trim(),
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
        // What the operation queued and never followed with a statement was never sent.
        s.reset();
        // A broken client is destroyed, never reused, so its session goes with it.
        client.release(s.broken ? true : undefined);
      }
    },
    end: () => pool.end(),
  };
}

function openMysqlPool(spec: ConnectionSpec, opts: PoolOptions): DbPool {
  const pool = mysql.createPool(mysqlPoolConfig(spec, opts.size));
  const setup = [`SET SESSION innodb_lock_wait_timeout = ${mysqlLockWaitSeconds(opts.lockTimeout)}`];
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
