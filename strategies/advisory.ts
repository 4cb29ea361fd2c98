import type { Dialect } from '../core/names.ts';
import type { Guard, LockKey } from './guard.ts';
import type { AttemptOutcome } from './outcome.ts';
import type { Session } from './pool.ts';
import { productSupports } from './product-support.ts';
import { mysqlLockWaitSeconds } from './settings.ts';
import type { AttemptContext, Strategy } from './strategy.ts';

/**
 * A named application lock per row, taken before the naive logic: the rows themselves are read
 * and written without row locks, the named lock keeps other requests out. Keys are taken in the
 * order the workload gives (a transfer: ascending ids by default), so two keys cannot deadlock.
 * The guards below are what workloads wrap their plain reads in (workloads/rmw.ts).
 *
 * - PostgreSQL: `pg_advisory_xact_lock(space, id)` inside the transaction, released by COMMIT or
 *   ROLLBACK; bounded by lock_timeout (55P03). It is the transaction's first statement, so at
 *   READ COMMITTED the reads after it see what the previous holder committed. (At REPEATABLE READ
 *   the snapshot predates the wait and a stale write fails with 40001 instead.)
 * - MySQL/MariaDB: `GET_LOCK(name, seconds)` is session-scoped and survives COMMIT, so it is
 *   taken before START TRANSACTION and released in `finally`, whether the transaction committed,
 *   rolled back or threw. A timeout (GET_LOCK returns 0) is the conflict `lock-timeout`.
 */

/** FNV-1a, folded to a signed 32-bit int: the PostgreSQL key space of one schema's table. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** GET_LOCK names are server-wide and at most 64 characters. */
export function mysqlLockName(schema: string, key: LockKey): string {
  const space = key.space === 'account' ? 'a' : key.space === 'event' ? 'e' : key.space;
  const name = `lb:${schema}:${space}:${key.id}`;
  return name.length <= 64 ? name : `lb:${(hash32(schema) >>> 0).toString(16)}:${key.space}:${key.id}`;
}

interface Statements {
  lock: string;
  /** MySQL only: the lock outlives the transaction. */
  release?: string;
}

const sql = {
  postgres: { lock: 'SELECT pg_advisory_xact_lock($1, $2)' },
  mysql: { lock: 'SELECT GET_LOCK(?, ?) AS got', release: 'SELECT RELEASE_LOCK(?) AS released' },
} satisfies Record<Dialect, Statements>;

const postgresGuard: Guard = {
  async inside(s, keys, ctx) {
    for (const key of keys) await s.query(sql.postgres.lock, [hash32(`${ctx.schema}:${key.space}`), key.id]);
    return null;
  },
};

const mysqlGuard: Guard = {
  async around(
    s: Session,
    keys: readonly LockKey[],
    ctx: AttemptContext,
    run: () => Promise<AttemptOutcome>,
  ) {
    const seconds = mysqlLockWaitSeconds(ctx.settings.lockTimeout);
    const held: string[] = [];
    try {
      for (const key of keys) {
        const name = mysqlLockName(ctx.schema, key);
        const got = (await s.query<{ got: unknown }>(sql.mysql.lock, [name, seconds])).rows[0]?.got;
        if (got === null || got === undefined) throw new Error(`GET_LOCK(${name}) returned NULL`);
        if (Number(got) !== 1) return { kind: 'retry', reason: 'lock-timeout' };
        held.push(name);
      }
      return await run();
    } finally {
      for (const name of held.reverse()) {
        // A lock that cannot be released dies with its session: destroy the connection.
        await s.query(sql.mysql.release, [name]).catch(() => s.discard());
      }
    }
  },
};

/** The advisory guard of each dialect. */
export const ADVISORY_GUARD: Readonly<Record<Dialect, Guard>> = Object.freeze({
  postgres: postgresGuard,
  mysql: mysqlGuard,
});

export const advisory: Strategy = {
  name: 'advisory',
  claimsSafe: () => true,
  supports: (db) => productSupports(db, 'advisory'),
  noWait: false,
};
