import { recordLedger } from './ledger.ts';
import { accountExists, eventExists, freeSeatExists } from './lookups.ts';
import type { Dialect } from './names.ts';
import type { AccountChange, ReserveOp, TransferOp } from './operations.ts';
import type { AttemptOutcome } from './outcome.ts';
import type { Session } from './pool.ts';
import { type AttemptContext, lockOrder, type Strategy, simulateWork } from './strategy.ts';
import { SUPPORTED } from './support.ts';
import { inTransaction } from './transaction.ts';

/**
 * No application-side read: one conditional statement computes the new value in the database
 * (`balance = balance + $delta WHERE id = $id AND balance + $delta >= 0`), so the row lock lives
 * for that statement and the ledger insert only. The application's work (workMs) happens before
 * the statement, holding no lock. Zero rows changed is then told apart: no such row, or not
 * enough money (a plain read, off the hot path).
 *
 * Tickets:
 * - PostgreSQL: `UPDATE seats ... WHERE id = (SELECT ... LIMIT 1 FOR UPDATE SKIP LOCKED)`. The
 *   subquery's result is not re-evaluated when the UPDATE waits, so a plain subquery would make
 *   every concurrent buyer aim at the same seat; SKIP LOCKED gives each one a seat nobody holds.
 * - MySQL/MariaDB cannot UPDATE a table it selects from in a subquery (1093), but an UPDATE takes
 *   ORDER BY ... LIMIT 1. `id = LAST_INSERT_ID(id)` hands the chosen seat id back in the OK
 *   packet, which saves a read-back (seats.op_id has no index).
 */
interface Statements {
  change: string;
  takeSeat: string;
}

const sql = {
  postgres: {
    change:
      'UPDATE accounts SET balance = balance + $1, version = version + 1 WHERE id = $2 AND balance + $1 >= 0 RETURNING balance',
    takeSeat:
      "UPDATE seats SET status = 'sold', op_id = $1, version = version + 1 WHERE id = (SELECT id FROM seats WHERE event_id = $2 AND status = 'free' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id",
  },
  mysql: {
    change:
      'UPDATE accounts SET balance = balance + ?, version = version + 1 WHERE id = ? AND balance + ? >= 0',
    takeSeat:
      "UPDATE seats SET status = 'sold', op_id = ?, version = version + 1, id = LAST_INSERT_ID(id) WHERE event_id = ? AND status = 'free' ORDER BY id LIMIT 1",
  },
} satisfies Record<Dialect, Statements>;

/** Applies delta to one balance if it stays >= 0. */
async function change(
  s: Session,
  id: number,
  delta: number,
): Promise<{ kind: 'ok'; balance?: number } | Exclude<AttemptOutcome, { kind: 'ok' }>> {
  const params = s.dialect === 'postgres' ? [delta, id] : [delta, id, delta];
  const r = await s.query<{ balance: unknown }>(sql[s.dialect].change, params);
  if (r.changed === 1) {
    const row = r.rows[0];
    return row ? { kind: 'ok', balance: Number(row.balance) } : { kind: 'ok' };
  }
  return (await accountExists(s, id))
    ? { kind: 'rejected', reason: 'insufficient_funds' }
    : { kind: 'not_found', entity: 'account', id };
}

export const atomic: Strategy = {
  name: 'atomic',
  claimsSafe: () => true,
  // PostgreSQL's ticket statement uses SKIP LOCKED (9.5+); the harness targets newer servers.
  supports: () => SUPPORTED,
  noWait: false,

  account(s: Session, op: AccountChange, ctx: AttemptContext) {
    return inTransaction(s, ctx.begin, async () => {
      await simulateWork(ctx.settings.workMs);
      const r = await change(s, op.accountId, op.delta);
      if (r.kind !== 'ok') return r;
      await recordLedger(s, { opId: op.opId, kind: op.kind, accountId: op.accountId, amount: op.delta });
      return r;
    });
  },

  transfer(s: Session, op: TransferOp, ctx: AttemptContext) {
    const order = lockOrder(op, ctx.settings.lockOrder);
    return inTransaction(s, ctx.begin, async () => {
      await simulateWork(ctx.settings.workMs);
      let fromBalance: number | undefined;
      for (const id of order) {
        const r = await change(s, id, id === op.from ? -op.amount : op.amount);
        if (r.kind !== 'ok') return r;
        if (id === op.from) fromBalance = r.balance;
      }
      await recordLedger(s, {
        opId: op.opId,
        kind: 'transfer',
        accountId: op.from,
        counterAccountId: op.to,
        amount: op.amount,
      });
      return fromBalance === undefined ? { kind: 'ok' } : { kind: 'ok', balance: fromBalance };
    });
  },

  reserve(s: Session, op: ReserveOp, ctx: AttemptContext) {
    return inTransaction(s, ctx.begin, async () => {
      await simulateWork(ctx.settings.workMs);
      const r = await s.query<{ id: unknown }>(sql[s.dialect].takeSeat, [op.opId, op.eventId]);
      if (r.changed !== 1) {
        if (!(await eventExists(s, op.eventId)))
          return { kind: 'not_found', entity: 'event', id: op.eventId };
        // PostgreSQL: every free seat may be held by another buyer right now.
        if (s.dialect === 'postgres' && (await freeSeatExists(s, op.eventId)))
          return { kind: 'retry', reason: 'row-busy' };
        return { kind: 'rejected', reason: 'sold_out' };
      }
      const seatId = s.dialect === 'postgres' ? Number(r.rows[0]?.id) : r.insertId;
      await recordLedger(s, { opId: op.opId, kind: 'reserve', eventId: op.eventId, seatId, amount: 0 });
      return { kind: 'ok', seatId };
    });
  },
};
