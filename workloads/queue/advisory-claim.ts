import { hash32, mysqlLockName } from '../../strategies/advisory.ts';
import type { AttemptOutcome } from '../../strategies/outcome.ts';
import type { Session } from '../../strategies/pool.ts';
import { simulateWork } from '../../strategies/strategy.ts';
import { inTransaction } from '../../strategies/transaction.ts';
import type { Attempt } from '../workload.ts';
import { type QueueOp, QUEUE_SQL as sql } from './sql.ts';

const tryLock = {
  postgres: 'SELECT pg_try_advisory_xact_lock($1, $2) AS got',
  mysql: 'SELECT GET_LOCK(?, 0) AS got',
  mysqlRelease: 'SELECT RELEASE_LOCK(?) AS released',
};

const isPending = async (s: Session, id: number) =>
  (await s.query<{ status: unknown }>(sql[s.dialect].status, [id])).rows[0]?.status === 'pending';

/**
 * advisory on a queue: try-locks, never waits. Read up to 16 pending candidates without locks,
 * take the first whose named lock is free, re-read its status with the lock held (another worker
 * may have completed it since the candidates were read), then work and complete.
 * - PostgreSQL: pg_try_advisory_xact_lock inside the transaction; COMMIT releases it after the
 *   completion is visible, so the next holder's re-read sees `done`.
 * - MySQL/MariaDB: GET_LOCK(name, 0) is session-scoped: taken before START TRANSACTION, released
 *   after COMMIT, so the transaction's snapshot (taken at its first read) postdates the lock.
 * Every candidate held by someone else: `row-busy`, retried.
 */
export function advisoryClaim(
  complete: (s: Session, op: QueueOp, id: number) => Promise<AttemptOutcome>,
  empty: AttemptOutcome,
): Attempt<QueueOp> {
  return async (s, op, ctx) => {
    const candidates = (await s.query<{ id: unknown }>(sql[s.dialect].candidates, [])).rows.map((r) =>
      Number(r.id),
    );
    if (candidates.length === 0) return empty;
    if (s.dialect === 'postgres') {
      const space = hash32(`${ctx.schema}:job`);
      return inTransaction(s, ctx.begin, async () => {
        for (const id of candidates) {
          const got = (await s.query<{ got: unknown }>(tryLock.postgres, [space, id])).rows[0]?.got;
          if (got !== true || !(await isPending(s, id))) continue;
          await simulateWork(ctx.settings.workMs);
          return complete(s, op, id);
        }
        return { kind: 'retry', reason: 'row-busy' };
      });
    }
    for (const id of candidates) {
      const name = mysqlLockName(ctx.schema, { space: 'job', id });
      const got = (await s.query<{ got: unknown }>(tryLock.mysql, [name])).rows[0]?.got;
      if (Number(got) !== 1) continue;
      try {
        const outcome = await inTransaction(s, ctx.begin, async () => {
          if (!(await isPending(s, id))) return { kind: 'retry', reason: 'row-busy' };
          await simulateWork(ctx.settings.workMs);
          return complete(s, op, id);
        });
        if (outcome.kind !== 'retry') return outcome;
      } finally {
        // A lock that cannot be released dies with its session: destroy the connection.
        await s.query(tryLock.mysqlRelease, [name]).catch(() => s.discard());
      }
    }
    return { kind: 'retry', reason: 'row-busy' };
  };
}
