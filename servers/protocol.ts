/**
 * The HTTP contract between the load drivers and the server, in one place. The load never knows
 * which strategy it hits; it reads only what is declared here.
 *
 * Routes:
 *   POST /accounts/:id/deposit   { amount, opId }       200 ok | 422 insufficient_funds (withdraw)
 *   POST /accounts/:id/withdraw  { amount, opId }
 *   POST /transfers              { from, to, amount, opId }
 *   POST /events/:id/reservations { opId }              200 { seatId } | 409 sold_out
 *   POST /jobs                   { opId }               200 { itemId } (the job enqueued)
 *   POST /jobs/claim             { opId }               200 { itemId } (the job completed) | 409 queue_empty
 *   GET  /accounts/:id, GET /events/:id, GET /health, GET /stats
 * Each workload declares its own routes (workloads/<name>/); a module loaded from a file adds its.
 * amount is an integer number of cents, 1..1e9. opId is 1..64 chars of [A-Za-z0-9_-].
 * opId is an idempotency key: an identical repeat gets the first outcome back (200, duplicate);
 * a repeat with another operation, account, amount or event gets 422 idempotency_key_reused.
 *
 * Every operation response carries the headers below, so a driver can classify it without
 * parsing the body (cheap on the hot path).
 */

/** `x-outcome` header values. */
export type OutcomeKind = 'ok' | 'rejected' | 'conflict' | 'error';
export const OUTCOME_HEADER = 'x-outcome';
/** Number of attempts the server made for this operation (1 = no retry). */
export const ATTEMPTS_HEADER = 'x-attempts';

/** Body of every operation response. */
export interface OperationResponse {
  outcome: OutcomeKind;
  opId: string;
  attempts: number;
  /** Machine-readable reason: insufficient_funds, sold_out, lock-not-available, deadlock, ... */
  reason?: string;
  /** True when the opId had already been applied; the original outcome is returned. */
  duplicate?: boolean;
  /** tickets: the seat reserved. */
  seatId?: number;
  /** account: the balance after the operation, when the strategy knows it. */
  balance?: number;
  /** Other workloads: the row the operation created or took (queue: the job). */
  itemId?: number;
}

/**
 * `GET /stats`: exact counters summed over all workers since start (or since POST /stats/reset).
 * Accounting rule (tested): operations = ok + rejected + conflict + error
 * and attempts = sum over k of k * attemptsHistogram[k]; retried = operations with attempts > 1.
 * badRequest counts 400s, which are not operations (also 404 unknown id or route, 413, 415).
 * With the optional fields (servers/stats.ts fills them all):
 * sum of conflicts = attempts - operations + conflict (every attempt but an operation's last
 * ended in a conflict, and the last one too when retries ran out); errors.deadlock,
 * serialization, lockNotAvailable and lockTimeout equal the conflicts of the same class;
 * errors.other = error; duplicates <= ok.
 */
export interface ServerStats {
  operations: number;
  ok: number;
  rejected: number;
  conflict: number;
  error: number;
  badRequest: number;
  attempts: number;
  retried: number;
  /** attempts (as a string key) -> operations that took that many attempts. */
  attemptsHistogram: Record<string, number>;
  /** Classified driver errors, one count per failed attempt. */
  errors: {
    deadlock: number;
    serialization: number;
    lockNotAvailable: number;
    lockTimeout: number;
    other: number;
  };
  workers: number;
  /**
   * Attempts that ended in a retryable conflict, by reason: lock-not-available, lock-timeout,
   * deadlock, serialization, version-conflict (optimistic CAS lost), row-busy (SKIP LOCKED skipped
   * the row), recheck. Every reason is present (0 when none).
   */
  conflicts?: Record<string, number>;
  /** ok operations that returned the stored outcome of a repeated opId (nothing applied). */
  duplicates?: number;
  /** Locking reads re-run inside one attempt (PostgreSQL READ COMMITTED re-check of a sold seat). */
  rechecks?: number;
}
