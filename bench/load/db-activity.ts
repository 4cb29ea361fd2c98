import type { Sql } from '../../core/connect.ts';

/**
 * Database-side counters over a run, as deltas, plus how many sessions waited on a lock (sampled
 * every 100 ms). Names are the same across dialects where the meaning is:
 *   deadlocks, rollbacks, commits            both
 *   rowLockWaits, rowLockTimeMs              MySQL/MariaDB (InnoDB row lock waits and their total time)
 *   recoveryConflicts                        PostgreSQL (pg_stat_database.conflicts; 0 on a primary)
 *   lockWaitSessionsMean, lockWaitSessionsMax, lockWaitSamples   both (sampled, not deltas):
 *     PostgreSQL: sessions with wait_event_type 'Lock' (row, tuple, transactionid, advisory);
 *     MySQL/MariaDB: Innodb_row_lock_current_waits plus sessions waiting in GET_LOCK
 * A counter the server does not have is left out, never reported as 0.
 *
 * PostgreSQL caveat: a backend publishes its counters when it goes idle, at most once a second,
 * and an idle backend that flushed less than a second ago waits up to 10 s more. Take the `after`
 * snapshot once the server's connections have closed (backends flush on exit) for exact deltas.
 */

/** Counter name -> value now. */
export type DbCounters = Record<string, number>;

const PG_COUNTERS = `SELECT xact_commit AS commits, xact_rollback AS rollbacks, deadlocks, conflicts AS "recoveryConflicts"
  FROM pg_stat_database WHERE datname = current_database()`;

const MYSQL_STATUS: Record<string, string> = {
  Innodb_row_lock_waits: 'rowLockWaits',
  Innodb_row_lock_time: 'rowLockTimeMs',
  Innodb_deadlocks: 'deadlocks',
  Com_rollback: 'rollbacks',
  Com_commit: 'commits',
};

/** Reads the cumulative counters now. */
export async function readDbCounters(sql: Sql): Promise<DbCounters> {
  const out: DbCounters = {};
  if (sql.dialect === 'postgres') {
    const { rows } = await sql.query<Record<string, string | number>>(PG_COUNTERS);
    for (const [k, v] of Object.entries(rows[0] ?? {})) out[k] = Number(v);
    return out;
  }
  const names = Object.keys(MYSQL_STATUS)
    .map((n) => `'${n}'`)
    .join(',');
  const { rows } = await sql.query<{ Variable_name: string; Value: string }>(
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${names})`,
  );
  for (const r of rows) {
    const key = MYSQL_STATUS[r.Variable_name];
    if (key) out[key] = Number(r.Value);
  }
  if (out.deadlocks === undefined) {
    // MySQL has no Innodb_deadlocks status variable; its InnoDB metrics table counts them.
    try {
      const m = await sql.query<{ c: string | number }>(
        "SELECT `COUNT` AS c FROM information_schema.INNODB_METRICS WHERE NAME = 'lock_deadlocks'",
      );
      const row = m.rows[0];
      if (row) out.deadlocks = Number(row.c);
    } catch {
      // not available: leave deadlocks out
    }
  }
  return out;
}

/** after - before, for the counters present in both. */
export function diffCounters(before: DbCounters, after: DbCounters): DbCounters {
  const out: DbCounters = {};
  for (const [k, v] of Object.entries(after)) {
    const b = before[k];
    if (b !== undefined && Number.isFinite(v) && Number.isFinite(b)) out[k] = v - b;
  }
  return out;
}

/** Queries that count waiting sessions, in order of preference; the first that works is kept. */
const LOCK_WAITERS: Record<Sql['dialect'], string[]> = {
  postgres: [
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
  ],
  // Row lock waits now, plus sessions waiting in GET_LOCK (the advisory strategy). Not
  // information_schema.INNODB_TRX: InnoDB refreshes that table's cache only when it has not been
  // read for 100 ms, so sampling it every 100 ms keeps reading the same stale snapshot.
  // MariaDB has information_schema.GLOBAL_STATUS; MySQL 8 moved it to performance_schema.
  mysql: ['information_schema.GLOBAL_STATUS', 'performance_schema.global_status'].map(
    (t) => `SELECT (SELECT VARIABLE_VALUE FROM ${t} WHERE VARIABLE_NAME = 'Innodb_row_lock_current_waits')
      + (SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'User lock') AS n`,
  ),
};

export interface LockWaitSampler {
  /** Stops sampling (waits for a sample in progress) and reports mean and max waiting sessions. */
  stop(): Promise<DbCounters>;
}

/**
 * Counts sessions waiting on a lock every `everyMs` (default 100). A sample that is still running
 * when the next is due is not doubled up; a failing sample is skipped.
 */
export function startLockWaitSampler(sql: Sql, everyMs = 100): LockWaitSampler {
  let samples = 0;
  let sum = 0;
  let max = 0;
  let running: Promise<void> | null = null;
  const queries = LOCK_WAITERS[sql.dialect];
  let which = 0;
  const sample = () => {
    if (running) return;
    running = sql
      .query<{ n: string | number }>(queries[which] as string)
      .then(({ rows }) => {
        const n = Number(rows[0]?.n ?? 0);
        samples++;
        sum += n;
        if (n > max) max = n;
      })
      .catch(() => {
        // Before the first success, a failure means this server lacks the table: try the next.
        if (samples === 0 && which < queries.length - 1) which++;
      })
      .finally(() => {
        running = null;
      });
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      return {
        lockWaitSessionsMean: samples ? sum / samples : 0,
        lockWaitSessionsMax: max,
        lockWaitSamples: samples,
      };
    },
  };
}

export interface DbActivity {
  /**
   * Ends lock-wait sampling; call when the load stops, so idle seconds after it do not dilute the
   * mean. Idempotent.
   */
  endSampling(): Promise<void>;
  /**
   * Ends sampling if still running, reads the counters again and returns deltas plus lock-wait
   * figures. On PostgreSQL call it after the server's connections have closed (see above).
   */
  stop(): Promise<DbCounters>;
}

/** Snapshot now, sample lock waits until `endSampling()` or `stop()`. */
export async function startDbActivity(sql: Sql, everyMs = 100): Promise<DbActivity> {
  const before = await readDbCounters(sql);
  const sampler = startLockWaitSampler(sql, everyMs);
  let waits: Promise<DbCounters> | null = null;
  const endSampling = () => {
    waits ??= sampler.stop();
    return waits;
  };
  return {
    async endSampling() {
      await endSampling();
    },
    async stop() {
      const w = await endSampling();
      const after = await readDbCounters(sql);
      return { ...diffCounters(before, after), ...w };
    },
  };
}
