import type { Dialect, IsolationLevel } from '../core/names.ts';
import type { AttemptOutcome } from './outcome.ts';
import type { Session } from './pool.ts';

const PG_ISOLATION: Record<Exclude<IsolationLevel, 'default'>, string> = {
  'read-committed': 'READ COMMITTED',
  'repeatable-read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
};

/**
 * The statement that opens a transaction: one statement, the isolation in it. The row-lock wait
 * limit is a session setting the pool makes once per connection (PostgreSQL lock_timeout as a
 * startup option, MySQL/MariaDB innodb_lock_wait_timeout; strategies/pool.ts), and so is the
 * isolation on MySQL/MariaDB, so each transaction costs the database exactly this one statement.
 * Computed once per executor.
 */
export function beginStatement(dialect: Dialect, isolation: IsolationLevel): string {
  if (dialect === 'mysql') return 'START TRANSACTION';
  return isolation === 'default' ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${PG_ISOLATION[isolation]}`;
}

/**
 * Runs `body` in a transaction: COMMIT when it returns `ok`, ROLLBACK for every other outcome and
 * for an exception (which is rethrown for the executor to classify). A ROLLBACK that fails leaves
 * the connection in an unknown state, so it is discarded. On PostgreSQL the last write the body
 * queued (Session.queryLater) travels with the COMMIT: one round trip for both.
 */
export async function inTransaction(
  s: Session,
  begin: string,
  body: () => Promise<AttemptOutcome>,
): Promise<AttemptOutcome> {
  // PostgreSQL sends BEGIN with the body's first statement (strategies/pool.ts): one round trip.
  await s.begin(begin);
  let outcome: AttemptOutcome;
  try {
    outcome = await body();
  } catch (e) {
    await s.query('ROLLBACK').catch(() => s.discard());
    throw e;
  }
  if (outcome.kind === 'ok') {
    try {
      await s.query('COMMIT');
    } catch (e) {
      // A failed COMMIT (PostgreSQL SERIALIZABLE raises 40001 here) has ended the transaction;
      // a statement queued ahead of it (Session.queryLater: the ledger row) that failed has
      // skipped it, and the aborted transaction is still open.
      if (s.rollbackNeeded()) await s.query('ROLLBACK').catch(() => s.discard());
      throw e;
    }
  } else {
    await s.query('ROLLBACK');
  }
  return outcome;
}
