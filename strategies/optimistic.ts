import type { Strategy } from './strategy.ts';
import { SUPPORTED } from './support.ts';

/**
 * Optimistic concurrency: read the row and its version without locking, do the work, then
 * compare-and-set `UPDATE ... SET version = version + 1 WHERE id = ? AND version = ?`. No row
 * changed means someone else wrote first: the attempt rolls back and retries from the read
 * (conflict `version-conflict`). Each workload brings its read and its compare-and-set.
 *
 * mysql2 sets CLIENT_FOUND_ROWS, so `affectedRows` counts matched rows; a CAS reads the rows
 * really changed (`changedRows`, Session.changed). The UPDATE is a current read on both
 * databases (PostgreSQL re-evaluates the WHERE on the newest row version after waiting; InnoDB
 * updates read the latest committed row), so a stale version never matches.
 */
export const optimistic: Strategy = {
  name: 'optimistic',
  claimsSafe: () => true,
  supports: () => SUPPORTED,
  noWait: false,
};
