import { type ReadPlan, readModifyWrite } from './read-modify-write.ts';
import type { Strategy } from './strategy.ts';
import { requireVersions } from './support.ts';

/**
 * `SELECT ... FOR UPDATE NOWAIT`: a held lock fails the read at once (PostgreSQL 55P03, MySQL
 * 3572, MariaDB 1205) and the executor retries after a backoff. Every buyer of an event aims at
 * the same lowest free seat, so tickets under load is mostly retries: that is the point to see.
 */
const plan: ReadPlan = {
  reads: {
    postgres: {
      account: 'SELECT balance FROM accounts WHERE id = $1 FOR UPDATE NOWAIT',
      freeSeat:
        "SELECT id FROM seats WHERE event_id = $1 AND status = 'free' ORDER BY id LIMIT 1 FOR UPDATE NOWAIT",
    },
    mysql: {
      account: 'SELECT balance FROM accounts WHERE id = ? FOR UPDATE NOWAIT',
      freeSeat:
        "SELECT id FROM seats WHERE event_id = ? AND status = 'free' ORDER BY id LIMIT 1 FOR UPDATE NOWAIT",
    },
  },
  // A row committed between the statement's snapshot and its lock attempt is re-checked (and
  // may be dropped) on PostgreSQL READ COMMITTED, as for FOR UPDATE.
  emptyRead: { postgres: 'recheck', mysql: 'absent' },
};

export const nowait: Strategy = {
  name: 'nowait',
  claimsSafe: () => true,
  supports: (db) => requireVersions(db, 'FOR UPDATE NOWAIT', { mysql: '8.0.1', mariadb: '10.3.0' }),
  noWait: true,
  ...readModifyWrite(plan),
};
