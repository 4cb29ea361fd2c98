import { allOf, productSupports } from './product-support.ts';
import { type ReadPlan, readModifyWrite } from './read-modify-write.ts';
import type { Strategy } from './strategy.ts';
import { requireVersions } from './support.ts';

/**
 * `SELECT ... FOR UPDATE SKIP LOCKED`: locked rows are invisible. Tickets is its home ground:
 * each buyer takes the lowest seat nobody holds, without waiting. For a single named row (an
 * account, the two rows of a transfer) a skipped row means "busy": the attempt retries after a
 * backoff (conflict reason `row-busy`), like NOWAIT without the error.
 */
const plan: ReadPlan = {
  reads: {
    postgres: {
      account: 'SELECT balance FROM accounts WHERE id = $1 FOR UPDATE SKIP LOCKED',
      freeSeat:
        "SELECT id FROM seats WHERE event_id = $1 AND status = 'free' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
    },
    mysql: {
      account: 'SELECT balance FROM accounts WHERE id = ? FOR UPDATE SKIP LOCKED',
      freeSeat:
        "SELECT id FROM seats WHERE event_id = ? AND status = 'free' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
    },
  },
  emptyRead: { postgres: 'skipped', mysql: 'skipped' },
};

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
  ...readModifyWrite(plan),
};
