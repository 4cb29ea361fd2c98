import type { ErrorClass } from './classify.ts';

/**
 * A business refusal: the request was understood and correctly turned down. The built-in
 * workloads' reasons are named; a workload may bring its own (snake_case). `insufficient_funds`
 * answers 422, every other refusal 409.
 */
export type RejectReason = 'insufficient_funds' | 'sold_out' | 'queue_empty' | (string & {});

/**
 * Why one attempt could not finish and may succeed if tried again.
 * - the four lock classes come from the database (via the classifier; a MySQL GET_LOCK that
 *   returns 0 counts as `lock-timeout`);
 * - `version-conflict`: an optimistic compare-and-set changed no row;
 * - `row-busy`: SKIP LOCKED skipped the row (or every free seat) this operation needs;
 * - `recheck`: a locking read kept coming back empty while free seats remained (PostgreSQL READ
 *   COMMITTED re-check), more often than one attempt allows.
 */
export type ConflictReason =
  | 'lock-not-available'
  | 'lock-timeout'
  | 'deadlock'
  | 'serialization'
  | 'version-conflict'
  | 'row-busy'
  | 'recheck';

export const CONFLICT_REASONS: readonly ConflictReason[] = [
  'lock-not-available',
  'lock-timeout',
  'deadlock',
  'serialization',
  'version-conflict',
  'row-busy',
  'recheck',
];

/** What one attempt of a strategy ends in. Driver errors are thrown and classified by the executor. */
export type AttemptOutcome =
  | { kind: 'ok'; seatId?: number; balance?: number; itemId?: number }
  | { kind: 'rejected'; reason: RejectReason }
  | { kind: 'not_found'; entity: string; id: number }
  | { kind: 'retry'; reason: ConflictReason };

/** The final outcome of an operation, after retries. */
export type Outcome =
  | {
      kind: 'ok';
      /** tickets: the seat taken. */
      seatId?: number;
      /** account workload: the balance after the change, when the strategy read or returned it. */
      balance?: number;
      /** Other workloads: the row the operation created or took (queue: the job). */
      itemId?: number;
      /** The opId had already been applied: this is the stored outcome, nothing was applied now. */
      duplicate?: boolean;
    }
  | { kind: 'rejected'; reason: RejectReason }
  /** Retries exhausted; `reason` is the last attempt's. Nothing was applied. */
  | { kind: 'conflict'; reason: ConflictReason }
  /**
   * The opId was applied before to a different operation (another kind, account, amount or
   * event). Nothing was applied now. Not an operation: the HTTP layer answers 422.
   */
  | { kind: 'key_reused'; opId: string; differences: string[] }
  /** An id in the request names no row. Not an operation: the HTTP layer answers 404. */
  | { kind: 'not_found'; entity: string; id: number }
  /** The database went away (connection refused, reset, terminated). Outcome unknown if it was the COMMIT. */
  | { kind: 'error'; reason: 'database_unavailable' };

/** An operation's outcome plus what it cost, for the server's counters. */
export interface OperationResult {
  outcome: Outcome;
  /** Attempts made, >= 1. */
  attempts: number;
  /** One entry per attempt that ended in a retryable conflict, in order (attempts - 1, or attempts when exhausted). */
  conflicts: ConflictReason[];
  /** The non-retryable driver error class that ended the operation (outcome `error`), if any. */
  failedWith?: ErrorClass;
  /** Locking reads re-run inside one attempt because they came back empty while free seats remained. */
  rechecks: number;
}
