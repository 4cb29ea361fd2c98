import type { Dialect } from './names.ts';
import type { OperationKind } from './operations.ts';
import type { Outcome } from './outcome.ts';
import type { Session } from './pool.ts';

/**
 * One applied operation, written in the same transaction as the change it records (semantics of
 * each column: bench/databases/schema.ts). op_id is the primary key, so a repeated opId fails
 * the insert, rolls the repeat back, and the stored outcome is returned instead.
 */
export interface LedgerEntry {
  opId: string;
  kind: OperationKind;
  /** deposit/withdraw: the account; transfer: the account debited. */
  accountId?: number;
  /** transfer: the account credited. */
  counterAccountId?: number;
  /** deposit/withdraw: signed delta; transfer: amount moved (> 0); reserve: 0. */
  amount: number;
  eventId?: number;
  seatId?: number;
}

interface Statements {
  insert: string;
  find: string;
}

const sql = {
  postgres: {
    insert:
      'INSERT INTO ledger (op_id, kind, account_id, counter_account_id, amount, event_id, seat_id) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    find: 'SELECT kind, seat_id FROM ledger WHERE op_id = $1',
  },
  mysql: {
    insert:
      'INSERT INTO ledger (op_id, kind, account_id, counter_account_id, amount, event_id, seat_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    find: 'SELECT kind, seat_id FROM ledger WHERE op_id = ?',
  },
} satisfies Record<Dialect, Statements>;

export function recordLedger(s: Session, e: LedgerEntry): Promise<unknown> {
  return s.query(sql[s.dialect].insert, [
    e.opId,
    e.kind,
    e.accountId ?? null,
    e.counterAccountId ?? null,
    e.amount,
    e.eventId ?? null,
    e.seatId ?? null,
  ]);
}

/**
 * The stored outcome of an opId that was applied already, or null. The outcome of the first
 * application is what a repeat gets back, whatever the repeat's body says (idempotency key).
 */
export async function findApplied(
  s: Session,
  opId: string,
): Promise<Extract<Outcome, { kind: 'ok' }> | null> {
  const { rows } = await s.query<{ kind: string; seat_id: number | string | null }>(sql[s.dialect].find, [
    opId,
  ]);
  const row = rows[0];
  if (!row) return null;
  return row.seat_id === null
    ? { kind: 'ok', duplicate: true }
    : { kind: 'ok', duplicate: true, seatId: Number(row.seat_id) };
}
