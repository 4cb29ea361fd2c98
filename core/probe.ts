import type { ConnectionSpec } from './connect.ts';
import { hostPort, openSql } from './connect.ts';
import { LockbenchError } from './errors.ts';
import type { Durability } from './names.ts';
import { identifyProduct } from './product.ts';
import type { DatabaseInfo } from './result-schema.ts';

type Settings = DatabaseInfo['settings'];

/** pg_settings reports shared_buffers as a count of 8kB pages: fold the multiplier in. */
function withUnit(setting: string, unit: string | null): string {
  if (!unit) return setting;
  const m = /^(\d+)(\D+)$/.exec(unit);
  return m ? `${Number(setting) * Number(m[1])}${m[2]}` : `${setting}${unit}`;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'EAI_AGAIN',
]);

/** Wraps a connection failure into a coded error naming host and port, never the credentials. */
export function unreachable(spec: ConnectionSpec, e: unknown): LockbenchError {
  const err = e as { code?: string; message?: string };
  const why = err.code && NETWORK_CODES.has(err.code) ? err.code : (err.message ?? String(e)).split('\n')[0];
  return new LockbenchError(
    'LOCKBENCH_DB_UNREACHABLE',
    `cannot reach ${spec.dialect === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB'} at ${hostPort(spec.url)}: ${why}`,
    { cause: e },
  );
}

/**
 * Reads product, exact version and the settings that shape locking results. Connects to the
 * server's default namespace: the harness schema may not exist yet.
 */
export async function probeDatabase(
  spec: ConnectionSpec,
  meta: { id: string; kind: 'throwaway' | 'external'; address: string; durability?: Durability },
): Promise<DatabaseInfo> {
  const sql = await openSql(spec, { max: 1, withSchema: false });
  try {
    let product: DatabaseInfo['product'];
    let version: string;
    let settings: Settings;
    try {
      if (spec.dialect === 'postgres') {
        const { rows } = await sql.query<{ name: string; setting: string; unit: string | null }>(
          `SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)`,
          [
            [
              'server_version',
              'default_transaction_isolation',
              'fsync',
              'synchronous_commit',
              'max_connections',
              'lock_timeout',
              'deadlock_timeout',
              'statement_timeout',
              'shared_buffers',
            ],
          ],
        );
        const s: Settings = Object.fromEntries(rows.map((r) => [r.name, withUnit(r.setting, r.unit)]));
        // version() names CockroachDB and YugabyteDB, which report a PostgreSQL server_version.
        const banner = (await sql.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? null;
        ({ product, version } = identifyProduct('postgres', {
          version: String(s.server_version ?? 'unknown'),
          banner,
        }));
        delete s.server_version;
        settings = s;
      } else {
        const { rows } = await sql.query<Record<string, string | number | null>>(
          `SELECT VERSION() AS version, @@version_comment AS comment, @@max_connections AS max_connections,
                  @@innodb_flush_log_at_trx_commit AS innodb_flush_log_at_trx_commit,
                  @@innodb_lock_wait_timeout AS innodb_lock_wait_timeout,
                  @@innodb_rollback_on_timeout AS innodb_rollback_on_timeout,
                  @@innodb_deadlock_detect AS innodb_deadlock_detect,
                  @@innodb_buffer_pool_size AS innodb_buffer_pool_size,
                  @@sync_binlog AS sync_binlog, @@log_bin AS log_bin`,
        );
        const r = rows[0] ?? {};
        ({ product, version } = identifyProduct('mysql', {
          version: String(r.version ?? 'unknown'),
          banner: r.comment === null || r.comment === undefined ? null : String(r.comment),
        }));
        const iso = await sql
          .query<{ iso: string }>('SELECT @@transaction_isolation AS iso')
          .catch(() => sql.query<{ iso: string }>('SELECT @@tx_isolation AS iso'));
        settings = {
          transaction_isolation: iso.rows[0]?.iso ?? null,
          max_connections: Number(r.max_connections),
          innodb_flush_log_at_trx_commit: Number(r.innodb_flush_log_at_trx_commit),
          innodb_lock_wait_timeout: Number(r.innodb_lock_wait_timeout),
          innodb_rollback_on_timeout: Number(r.innodb_rollback_on_timeout),
          innodb_deadlock_detect: Number(r.innodb_deadlock_detect),
          innodb_buffer_pool_size: Number(r.innodb_buffer_pool_size),
          sync_binlog: Number(r.sync_binlog),
          log_bin: Number(r.log_bin),
        };
      }
    } catch (e) {
      throw unreachable(spec, e);
    }
    if (meta.durability) settings.durability = meta.durability;
    return { id: meta.id, product, version, kind: meta.kind, address: meta.address, settings };
  } finally {
    await sql.close().catch(() => {});
  }
}
