import type { Strategy } from './strategy.ts';
import { SUPPORTED } from './support.ts';

/**
 * Pessimistic: `SELECT ... FOR UPDATE` in the transaction, then write. A second request waits
 * for the row lock (up to lockTimeout) and then reads the committed value. The locking reads
 * themselves are each workload's (workloads/rmw.ts appends the clause to the workload's read).
 */
export const forUpdate: Strategy = {
  name: 'for-update',
  claimsSafe: () => true,
  supports: () => SUPPORTED,
  noWait: false,
};
