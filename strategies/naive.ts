import { type ReadPlan, readModifyWrite } from './read-modify-write.ts';
import type { Strategy } from './strategy.ts';
import { SUPPORTED } from './support.ts';

/**
 * Read, compute in the application, write the computed value back: what an ORM does by default.
 * The reads take no lock, so two requests that read the same balance both write, and the later
 * write silently wins (lost update); two buyers read the same free seat and both get it.
 * It runs in a transaction (the ledger row is written with the change), at the configured
 * isolation: at the defaults neither PostgreSQL READ COMMITTED nor MySQL REPEATABLE READ stops it.
 */
export const naivePlan: ReadPlan = {
  reads: {
    postgres: {
      account: 'SELECT balance FROM accounts WHERE id = $1',
      freeSeat: "SELECT id FROM seats WHERE event_id = $1 AND status = 'free' ORDER BY id LIMIT 1",
    },
    mysql: {
      account: 'SELECT balance FROM accounts WHERE id = ?',
      freeSeat: "SELECT id FROM seats WHERE event_id = ? AND status = 'free' ORDER BY id LIMIT 1",
    },
  },
  emptyRead: { postgres: 'absent', mysql: 'absent' },
};

export const naive: Strategy = {
  name: 'naive',
  claimsSafe: () => false,
  supports: () => SUPPORTED,
  noWait: false,
  ...readModifyWrite(naivePlan),
};
