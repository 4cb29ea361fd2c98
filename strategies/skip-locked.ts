import { allOf, productSupports } from './product-support.ts';
import type { Strategy } from './strategy.ts';
import { requireVersions } from './support.ts';

/**
 * `SELECT ... FOR UPDATE SKIP LOCKED`: locked rows are invisible. A pool of rows (seats, jobs) is
 * its home ground: each request takes the lowest row nobody holds, without waiting. For a single
 * named row (an account) a skipped row means "busy": the attempt retries after a backoff
 * (conflict reason `row-busy`), like NOWAIT without the error.
 */
export const skipLocked: Strategy = {
  name: 'skip-locked',
  claimsSafe: () => true,
  supports: (db) =>
    allOf(
      requireVersions(db, 'FOR UPDATE SKIP LOCKED', { postgresql: '9.5', mysql: '8.0.1', mariadb: '10.6.0' }),
      productSupports(db, 'skip-locked'),
    ),
  // MariaDB's SKIP LOCKED implies NOWAIT for locks it cannot skip, reported as 1205.
  noWait: true,
};
