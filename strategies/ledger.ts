import type { Dialect } from '../core/names.ts';
import type { Outcome } from './outcome.ts';
import type { Session } from './pool.ts';

/**
 * One applied operation, written in the same transaction as the change it records (semantics of
 * each column: workloads/schema.ts). op_id is the primary key, so a repeated opId fails
 * the insert, rolls the repeat back, and the stored outcome is returned instead.
 */
export interface LedgerEntry {
  opId: string;
  /** The operation's kind, as its workload names it (`deposit`, `reserve`, `claim`, ...). */
  kind: string;
  /** deposit/withdraw: the account; transfer: the account debited. */
  accountId?: number;
  /** transfer: the account credited. */
  counterAccountId?: number;
  /** deposit/withdraw: signed delta; transfer: amount moved (> 0); reserve: 0. */
  amount: number;
  eventId?: number;
  seatId?: number;
  /** The row the operation created or took, for workloads other than tickets (a job, a stock item). */
  itemId?: number;
}

interface Statements {
  insert: string;
  find: string;
}

const sql = {
  postgres: {
    insert:
      'INSERT INTO ledger (op_id, kind, account_id, counter_account_id, amount, event_id, seat_id, item_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    find: 'SELECT kind, account_id, counter_account_id, amount, event_id, seat_id, item_id FROM ledger WHERE op_id = $1',
  },
  mysql: {
    insert:
      'INSERT INTO ledger (op_id, kind, account_id, counter_account_id, amount, event_id, seat_id, item_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    find: 'SELECT kind, account_id, counter_account_id, amount, event_id, seat_id, item_id FROM ledger WHERE op_id = ?',
  },
} satisfies Record<Dialect, Statements>;

export function recordLedger(s: Session, e: LedgerEntry): Promise<unknown> {
  return s.queryLater(sql[s.dialect].insert, [
    e.opId,
    e.kind,
    e.accountId ?? null,
    e.counterAccountId ?? null,
    e.amount,
    e.eventId ?? null,
    e.seatId ?? null,
    e.itemId ?? null,
  ]);
}

/**
 * What identifies an operation for its idempotency key: its ledger entry without the outcome
 * (the seat). `itemId` identifies only when given (a stock item); a queue's job is an outcome.
 */
export type OperationIdentity = Omit<LedgerEntry, 'seatId'>;

type Stored = number | string | null;
const num = (v: Stored) => (v === null ? null : Number(v));

/** The differences between a stored ledger row and the operation now asking under its opId. */
function differences(
  row: {
    kind: string;
    account_id: Stored;
    counter_account_id: Stored;
    amount: Stored;
    event_id: Stored;
    item_id: Stored;
  },
  op: OperationIdentity,
): string[] {
  const diffs: string[] = [];
  const check = (what: string, stored: unknown, now: unknown) => {
    if (stored !== now) diffs.push(`${what} ${String(stored)}, now ${String(now)}`);
  };
  check('operation', row.kind, op.kind);
  check('account', num(row.account_id), op.accountId ?? null);
  check('counter account', num(row.counter_account_id), op.counterAccountId ?? null);
  check('amount', num(row.amount), op.amount);
  check('event', num(row.event_id), op.eventId ?? null);
  if (op.itemId !== undefined) check('item', num(row.item_id), op.itemId);
  return diffs;
}

/**
 * The stored outcome of an opId that was applied already, or null. An identical repeat gets the
 * outcome of the first application back (idempotency key); a repeat that differs in operation,
 * account, amount or event is refused (`key_reused`), as payment APIs refuse a reused key with
 * other parameters: answering it with the first outcome would acknowledge something never done.
 */
export async function findApplied(
  s: Session,
  op: OperationIdentity,
): Promise<Extract<Outcome, { kind: 'ok' | 'key_reused' }> | null> {
  const { rows } = await s.query<{
    kind: string;
    account_id: Stored;
    counter_account_id: Stored;
    amount: Stored;
    event_id: Stored;
    seat_id: Stored;
    item_id: Stored;
  }>(sql[s.dialect].find, [op.opId]);
  const row = rows[0];
  if (!row) return null;
  const diffs = differences(row, op);
  if (diffs.length > 0) return { kind: 'key_reused', opId: op.opId, differences: diffs };
  const found: Extract<Outcome, { kind: 'ok' }> = { kind: 'ok', duplicate: true };
  if (row.seat_id !== null) found.seatId = Number(row.seat_id);
  if (row.item_id !== null) found.itemId = Number(row.item_id);
  return found;
}
