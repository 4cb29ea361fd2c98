import type { Dialect, IsolationLevel } from './names.ts';
import type { AttemptOutcome } from './outcome.ts';
import type { Session } from './pool.ts';

const PG_ISOLATION: Record<Exclude<IsolationLevel, 'default'>, string> = {
  'read-committed': 'READ COMMITTED',
  'repeatable-read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
};

/**
 * The statement that opens a transaction.
 * - PostgreSQL: isolation and lock_timeout per transaction, in one round trip (the simple protocol
 *   takes both statements; SET LOCAL ends with the transaction).
 * - MySQL/MariaDB: isolation and innodb_lock_wait_timeout are session settings made once per
 *   connection by the pool (strategies/pool.ts), so each transaction costs one statement.
 */
export function beginStatement(dialect: Dialect, isolation: IsolationLevel, lockTimeoutMs: number): string {
  if (dialect === 'mysql') return 'START TRANSACTION';
  const iso = isolation === 'default' ? '' : ` ISOLATION LEVEL ${PG_ISOLATION[isolation]}`;
  return `BEGIN${iso}; SET LOCAL lock_timeout = ${Math.round(lockTimeoutMs)}`;
}

/**
 * Runs `body` in a transaction: COMMIT when it returns `ok`, ROLLBACK for every other outcome and
 * for an exception (which is rethrown for the executor to classify). A ROLLBACK that fails leaves
 * the connection in an unknown state, so it is discarded.
 */
export async function inTransaction(
  s: Session,
  begin: string,
  body: () => Promise<AttemptOutcome>,
): Promise<AttemptOutcome> {
  await s.query(begin);
  let outcome: AttemptOutcome;
  try {
    outcome = await body();
  } catch (e) {
    await s.query('ROLLBACK').catch(() => s.discard());
    throw e;
  }
  if (outcome.kind === 'ok') {
    // A failed COMMIT (PostgreSQL SERIALIZABLE raises 40001 here) has already ended the transaction.
    await s.query('COMMIT');
  } else {
    await s.query('ROLLBACK');
  }
  return outcome;
}
