/**
 * The business operations a strategy performs, as plain values. Amounts are integer cents
 * (1..1e9); ids are positive 32-bit integers; opId is the client's idempotency key (1..64 chars of
 * [A-Za-z0-9_-]). The HTTP layer validates; the executor trusts these shapes.
 */

/** A deposit to or a withdrawal from one account. */
export interface AccountOp {
  accountId: number;
  /** Cents, > 0. */
  amount: number;
  opId: string;
}

/** Moves money from one account to another in one transaction. `from !== to`. */
export interface TransferOp {
  from: number;
  to: number;
  /** Cents, > 0. */
  amount: number;
  opId: string;
}

/** Takes any one free seat of an event. */
export interface ReserveOp {
  eventId: number;
  opId: string;
}

/** The ledger's `kind` column. */
export type OperationKind = 'deposit' | 'withdraw' | 'transfer' | 'reserve';

/** What the account workload hands a strategy: a signed change of one balance. */
export interface AccountChange {
  kind: 'deposit' | 'withdraw';
  accountId: number;
  /** Signed cents: positive for a deposit, negative for a withdrawal. */
  delta: number;
  opId: string;
}
