import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Dialect } from './names.ts';

/**
 * Where to connect. `url` may carry credentials: it is never logged or written to a result
 * (use `redactUrl`). `schema` is the only namespace the harness creates or drops: a PostgreSQL
 * schema inside the URL's database, or a MySQL database.
 */
export interface ConnectionSpec {
  dialect: Dialect;
  url: string;
  /** Default `lockbench`. */
  schema: string;
}

export const DEFAULT_SCHEMA = 'lockbench';

export { redactUrl } from './redact.ts';

/** host:port of a URL, for error messages that must not leak credentials. */
export function hostPort(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol.startsWith('postgres') ? '5432' : '3306');
    return `${u.hostname}:${port}`;
  } catch {
    return '<unparseable url>';
  }
}

export function dialectOfUrl(url: string): Dialect | null {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^(mysql|mariadb):\/\//i.test(url)) return 'mysql';
  return null;
}

export function pgPoolConfig(spec: ConnectionSpec, max: number): pg.PoolConfig {
  return {
    connectionString: spec.url,
    max,
    // Every session sees only the harness's own schema.
    options: `-c search_path=${spec.schema}`,
    connectionTimeoutMillis: 10_000,
    application_name: 'lockbench',
  };
}

export function mysqlPoolConfig(spec: ConnectionSpec, max: number, withDatabase = true): mysql.PoolOptions {
  const u = new URL(spec.url.replace(/^mariadb:/i, 'mysql:'));
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    ...(withDatabase ? { database: spec.schema } : {}),
    connectionLimit: max,
    maxIdle: max,
    waitForConnections: true,
    queueLimit: 0,
    connectTimeout: 10_000,
    multipleStatements: false,
    // BIGINT balances come back as numbers; sums stay below 2^53 at the sizes the harness seeds.
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
  };
}

/** A row result from either driver: rows plus the rows the statement changed. */
export interface QueryResult<T> {
  rows: T[];
  /** Rows a write statement really changed (mysql2: changedRows for UPDATE, not affectedRows). */
  changed: number;
}

/**
 * A small pooled query interface for admin work (reset, seed, checks, probes). The server's hot
 * path uses the drivers directly; this is not on it.
 */
export interface Sql {
  dialect: Dialect;
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
  close(): Promise<void>;
}

export async function openSql(
  spec: ConnectionSpec,
  opts: { max?: number; withSchema?: boolean } = {},
): Promise<Sql> {
  const max = opts.max ?? 2;
  const withSchema = opts.withSchema ?? true;
  if (spec.dialect === 'postgres') {
    const cfg = pgPoolConfig(spec, max);
    if (!withSchema) delete cfg.options;
    const pool = new pg.Pool(cfg);
    pool.on('error', () => {}); // idle-client errors surface on the next query
    return {
      dialect: 'postgres',
      async query<T>(text: string, params: unknown[] = []) {
        const r = await pool.query(text, params);
        return { rows: r.rows as T[], changed: r.rowCount ?? 0 };
      },
      close: () => pool.end(),
    };
  }
  const pool = mysql.createPool(mysqlPoolConfig(spec, max, withSchema));
  return {
    dialect: 'mysql',
    async query<T>(text: string, params: unknown[] = []) {
      const [res] = await pool.query(text, params);
      if (Array.isArray(res)) return { rows: res as T[], changed: 0 };
      const header = res as mysql.ResultSetHeader;
      // mysql2 sets FOUND_ROWS: a no-op UPDATE reports affectedRows 1, changedRows 0.
      return { rows: [], changed: /^\s*update/i.test(text) ? header.changedRows : header.affectedRows };
    },
    close: () => pool.end(),
  };
}
