import { type ReadPlan, readModifyWrite } from './read-modify-write.ts';
import type { Strategy } from './strategy.ts';
import { SUPPORTED } from './support.ts';

/**
 * Pessimistic: `SELECT ... FOR UPDATE` in the transaction, then write. A second request waits
 * for the row lock (up to lockTimeoutMs) and then reads the committed value.
 *
 * Tickets: the free-seat read locks the lowest free seat. On PostgreSQL READ COMMITTED a buyer
 * that waited for a seat someone else then sold re-checks the row, drops it, and may come back
 * with no row while seats remain: it re-reads instead of reporting sold out. InnoDB's locking
 * reads always see the latest committed row and move on to the next free seat, so on MySQL an
 * empty read means none is left.
 */
const plan: ReadPlan = {
  reads: {
    postgres: {
      account: 'SELECT balance FROM accounts WHERE id = $1 FOR UPDATE',
      freeSeat: "SELECT id FROM seats WHERE event_id = $1 AND status = 'free' ORDER BY id LIMIT 1 FOR UPDATE",
    },
    mysql: {
      account: 'SELECT balance FROM accounts WHERE id = ? FOR UPDATE',
      freeSeat: "SELECT id FROM seats WHERE event_id = ? AND status = 'free' ORDER BY id LIMIT 1 FOR UPDATE",
    },
  },
  emptyRead: { postgres: 'recheck', mysql: 'absent' },
};

export const forUpdate: Strategy = {
  name: 'for-update',
  claimsSafe: () => true,
  supports: () => SUPPORTED,
  noWait: false,
  ...readModifyWrite(plan),
};
