import type { Dialect, IsolationLevel, StrategyName, Workload } from './names.ts';
import type { AccountChange, ReserveOp, TransferOp } from './operations.ts';
import type { AttemptOutcome } from './outcome.ts';
import type { Session } from './pool.ts';
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
 * A way of keeping one workload's invariants under concurrency (or, for `naive`, of not keeping
 * them). One attempt = one transaction on one connection; the executor owns retries, the
 * idempotency of opIds and error classification.
 */
export interface Strategy {
  readonly name: StrategyName;
  /** Whether the strategy claims to keep the workload's invariants (naive: never). */
  claimsSafe(workload: Workload): boolean;
  /** Whether it can run on this database: a missing SQL clause is reported, not crashed on. */
  supports(db: DbFacts, workload: Workload): Support;
  /** Isolation the strategy needs whatever the settings say (`serializable`); otherwise the settings'. */
  readonly isolation?: IsolationLevel;
  /** Uses NOWAIT or SKIP LOCKED: on MariaDB errno 1205 then means "lock not available". */
  readonly noWait: boolean;
  account(s: Session, op: AccountChange, ctx: AttemptContext): Promise<AttemptOutcome>;
  transfer(s: Session, op: TransferOp, ctx: AttemptContext): Promise<AttemptOutcome>;
  reserve(s: Session, op: ReserveOp, ctx: AttemptContext): Promise<AttemptOutcome>;
}

/** The two account ids of a transfer in the order their rows are locked. */
export function lockOrder(op: TransferOp, order: ExecutorSettings['lockOrder']): [number, number] {
  if (order === 'request' || op.from < op.to) return [op.from, op.to];
  return [op.to, op.from];
}

/** The simulated application work between read and write (settings.workMs). */
export async function simulateWork(ms: number): Promise<void> {
  if (ms > 0) await new Promise<void>((resolve) => setTimeout(resolve, ms));
}
