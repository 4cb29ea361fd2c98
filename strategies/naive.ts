import type { Strategy } from './strategy.ts';
import { SUPPORTED } from './support.ts';

/**
 * Read, compute in the application, write the computed value back: what an ORM does by default.
 * The reads take no lock, so two requests that read the same balance both write, and the later
 * write silently wins (lost update); two buyers read the same free seat and both get it.
 * It runs in a transaction (the ledger row is written with the change), at the configured
 * isolation: at the defaults neither PostgreSQL READ COMMITTED nor MySQL REPEATABLE READ stops it.
 */
export const naive: Strategy = {
  name: 'naive',
  claimsSafe: () => false,
  supports: () => SUPPORTED,
  noWait: false,
};
