import type { Strategy } from './strategy.ts';
import { SUPPORTED } from './support.ts';

/**
 * The naive logic in a SERIALIZABLE transaction, whatever the isolation setting says; the
 * database detects the conflict and the executor retries.
 * - PostgreSQL (SSI): 40001 "could not serialize access", at the write or at COMMIT.
 * - MySQL/MariaDB: SERIALIZABLE turns the plain SELECTs into shared-lock reads; two readers that
 *   both go on to write deadlock (1213), which is retried like a serialization failure.
 */
export const serializable: Strategy = {
  name: 'serializable',
  claimsSafe: () => true,
  supports: () => SUPPORTED,
  isolation: 'serializable',
  noWait: false,
};
