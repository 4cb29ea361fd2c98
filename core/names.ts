/** The closed sets of names the CLI, the server and the reports share. */

export const DIALECTS = ['postgres', 'mysql'] as const;
/** `postgres` covers PostgreSQL (and its wire-compatible kin); `mysql` covers MySQL 8 and MariaDB 10.6+. */
export type Dialect = (typeof DIALECTS)[number];

/** A workload's name: a built-in one or a module loaded from a file (workloads/catalog.ts). */
export type Workload = string;

export const STRATEGIES = {
  naive: 'read, compute in the app, write the value back (no protection: loses updates)',
  'for-update': 'SELECT ... FOR UPDATE in a transaction, then write; waits for the lock',
  nowait: 'SELECT ... FOR UPDATE NOWAIT; a held lock fails at once and the request retries',
  'skip-locked': 'SELECT ... FOR UPDATE SKIP LOCKED; takes the next free row, a busy single row retries',
  optimistic: 'version column; UPDATE ... WHERE version = ? and retry when 0 rows changed',
  atomic: 'one conditional UPDATE (balance = balance - x WHERE balance >= x); no app-side read',
  serializable: 'the naive logic in a SERIALIZABLE transaction, retried on serialization failure',
  advisory: 'a named lock: pg_advisory_xact_lock, MySQL GET_LOCK/RELEASE_LOCK',
} as const;
export type StrategyName = keyof typeof STRATEGIES;
export const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

export const ISOLATION_LEVELS = ['default', 'read-committed', 'repeatable-read', 'serializable'] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

/** How much a throwaway server flushes. Recorded with every result. */
export type Durability = 'relaxed' | 'strict';
