import type { Strategy } from './strategy.ts';
import { requireVersions } from './support.ts';

/**
 * `SELECT ... FOR UPDATE NOWAIT`: a held lock fails the read at once (PostgreSQL 55P03, MySQL
 * 3572, MariaDB 1205) and the executor retries after a backoff. Every request aimed at the same
 * row (the lowest free seat, the oldest job) collides: under load that is mostly retries.
 */
export const nowait: Strategy = {
  name: 'nowait',
  claimsSafe: () => true,
  supports: (db) => requireVersions(db, 'FOR UPDATE NOWAIT', { mysql: '8.0.1', mariadb: '10.3.0' }),
  noWait: true,
};
