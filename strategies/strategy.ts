import type { Dialect, IsolationLevel, StrategyName } from '../core/names.ts';
import type { ExecutorSettings } from './settings.ts';
import type { DbFacts, Support } from './support.ts';

/** What one attempt gets besides its connection. Built once per executor; `recheck` per operation. */
export interface AttemptContext {
  readonly dialect: Dialect;
  readonly settings: Readonly<ExecutorSettings>;
  /** The harness schema: namespaces MySQL GET_LOCK names and PostgreSQL advisory keys. */
  readonly schema: string;
  /** The statement that opens a transaction at the effective isolation and lock timeout. */
  readonly begin: string;
  /** Counts a locking read re-run inside this attempt (PostgreSQL READ COMMITTED re-check). */
  recheck(): void;
}

/**
 * A way of keeping a workload's invariants under concurrency (or, for `naive`, of not keeping
 * them): what it claims, where it runs and at which isolation. How it performs each operation is
 * the workload's (workloads/<name>/: per-strategy SQL beside the workload's logic), so adding a
 * workload never touches this interface. One attempt = one transaction on one connection; the
 * executor owns retries, the idempotency of opIds and error classification.
 */
export interface Strategy {
  readonly name: StrategyName;
  /** Whether the strategy claims to keep the workload's invariants (naive: never). */
  claimsSafe(workload: string): boolean;
  /** Whether it can run on this database: a missing SQL clause is reported, not crashed on. */
  supports(db: DbFacts, workload: string): Support;
  /** Isolation the strategy needs whatever the settings say (`serializable`); otherwise the settings'. */
  readonly isolation?: IsolationLevel;
  /** Uses NOWAIT or SKIP LOCKED: on MariaDB errno 1205 then means "lock not available". */
  readonly noWait: boolean;
}

/** The simulated application work between read and write (settings.workMs). */
export async function simulateWork(ms: number): Promise<void> {
  if (ms > 0) await new Promise<void>((resolve) => setTimeout(resolve, ms));
}
