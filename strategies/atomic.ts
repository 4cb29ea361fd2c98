import type { Strategy } from './strategy.ts';
import { SUPPORTED } from './support.ts';

/**
 * No application-side read: one conditional statement computes the new value in the database
 * (`balance = balance + $delta WHERE id = $id AND balance + $delta >= 0`), so the row lock lives
 * for that statement and the ledger insert only. The application's work (workMs) happens before
 * the statement, holding no lock. Each workload brings its statement.
 */
export const atomic: Strategy = {
  name: 'atomic',
  claimsSafe: () => true,
  // PostgreSQL's pool statements use SKIP LOCKED (9.5+); the harness targets newer servers.
  supports: () => SUPPORTED,
  noWait: false,
};
