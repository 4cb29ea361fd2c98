import { recordLedger } from './ledger.ts';
import { eventExists } from './lookups.ts';
import type { Dialect } from './names.ts';
import type { AccountChange, ReserveOp, TransferOp } from './operations.ts';
import type { AttemptOutcome } from './outcome.ts';
import type { Session } from './pool.ts';
import { type AttemptContext, lockOrder, type Strategy, simulateWork } from './strategy.ts';
import { SUPPORTED } from './support.ts';
import { inTransaction } from './transaction.ts';

/**
 * Optimistic concurrency: read the row and its version without locking, do the work, then
 * compare-and-set `UPDATE ... SET version = version + 1 WHERE id = ? AND version = ?`. No row
 * changed means someone else wrote first: the attempt rolls back and retries from the read
 * (conflict `version-conflict`).
 *
 * mysql2 sets CLIENT_FOUND_ROWS, so `affectedRows` counts matched rows; the CAS reads the rows
 * really changed (`changedRows`, Session.changed). The UPDATE is a current read on both
 * databases (PostgreSQL re-evaluates the WHERE on the newest row version after waiting; InnoDB
 * updates read the latest committed row), so a stale version never matches.
 */
interface Statements {
  readAccount: string;
  casBalance: string;
  readFreeSeat: string;
  casSeat: string;
}

const sql = {
  postgres: {
    readAccount: 'SELECT balance, version FROM accounts WHERE id = $1',
    casBalance: 'UPDATE accounts SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3',
    readFreeSeat: "SELECT id, version FROM seats WHERE event_id = $1 AND status = 'free' ORDER BY id LIMIT 1",
    casSeat:
      "UPDATE seats SET status = 'sold', op_id = $1, version = version + 1 WHERE id = $2 AND version = $3",
  },
  mysql: {
    readAccount: 'SELECT balance, version FROM accounts WHERE id = ?',
    casBalance: 'UPDATE accounts SET balance = ?, version = version + 1 WHERE id = ? AND version = ?',
    readFreeSeat: "SELECT id, version FROM seats WHERE event_id = ? AND status = 'free' ORDER BY id LIMIT 1",
    casSeat:
      "UPDATE seats SET status = 'sold', op_id = ?, version = version + 1 WHERE id = ? AND version = ?",
  },
} satisfies Record<Dialect, Statements>;

interface Versioned {
  balance: number;
  version: number;
}

async function readVersioned(s: Session, id: number): Promise<Versioned | null> {
  const row = (await s.query<{ balance: unknown; version: unknown }>(sql[s.dialect].readAccount, [id]))
    .rows[0];
  return row ? { balance: Number(row.balance), version: Number(row.version) } : null;
}

/** True when the row still had the version read, and now has the new balance. */
async function casBalance(s: Session, id: number, balance: number, version: number): Promise<boolean> {
  return (await s.query(sql[s.dialect].casBalance, [balance, id, version])).changed === 1;
}

const versionConflict: AttemptOutcome = { kind: 'retry', reason: 'version-conflict' };

export const optimistic: Strategy = {
  name: 'optimistic',
  claimsSafe: () => true,
  supports: () => SUPPORTED,
  noWait: false,

  account(s: Session, op: AccountChange, ctx: AttemptContext) {
    return inTransaction(s, ctx.begin, async () => {
      const row = await readVersioned(s, op.accountId);
      if (!row) return { kind: 'not_found', entity: 'account', id: op.accountId };
      await simulateWork(ctx.settings.workMs);
      const balance = row.balance + op.delta;
      if (balance < 0) return { kind: 'rejected', reason: 'insufficient_funds' };
      if (!(await casBalance(s, op.accountId, balance, row.version))) return versionConflict;
      await recordLedger(s, { opId: op.opId, kind: op.kind, accountId: op.accountId, amount: op.delta });
      return { kind: 'ok', balance };
    });
  },

  transfer(s: Session, op: TransferOp, ctx: AttemptContext) {
    const [first, second] = lockOrder(op, ctx.settings.lockOrder);
    return inTransaction(s, ctx.begin, async () => {
      const a = await readVersioned(s, first);
      if (!a) return { kind: 'not_found', entity: 'account', id: first };
      const b = await readVersioned(s, second);
      if (!b) return { kind: 'not_found', entity: 'account', id: second };
      await simulateWork(ctx.settings.workMs);
      const [from, to] = first === op.from ? [a, b] : [b, a];
      if (from.balance < op.amount) return { kind: 'rejected', reason: 'insufficient_funds' };
      const next = new Map([
        [op.from, from.balance - op.amount],
        [op.to, to.balance + op.amount],
      ]);
      // The first CAS row-locks its row until the end of the transaction; the second may wait
      // for it. In lock order, as for the pessimistic strategies.
      if (!(await casBalance(s, first, next.get(first) as number, a.version))) return versionConflict;
      if (!(await casBalance(s, second, next.get(second) as number, b.version))) return versionConflict;
      await recordLedger(s, {
        opId: op.opId,
        kind: 'transfer',
        accountId: op.from,
        counterAccountId: op.to,
        amount: op.amount,
      });
      return { kind: 'ok', balance: from.balance - op.amount };
    });
  },

  reserve(s: Session, op: ReserveOp, ctx: AttemptContext) {
    return inTransaction(s, ctx.begin, async () => {
      const row = (
        await s.query<{ id: unknown; version: unknown }>(sql[s.dialect].readFreeSeat, [op.eventId])
      ).rows[0];
      if (!row) {
        return (await eventExists(s, op.eventId))
          ? { kind: 'rejected', reason: 'sold_out' }
          : { kind: 'not_found', entity: 'event', id: op.eventId };
      }
      const seatId = Number(row.id);
      await simulateWork(ctx.settings.workMs);
      const cas = await s.query(sql[s.dialect].casSeat, [op.opId, seatId, Number(row.version)]);
      if (cas.changed !== 1) return versionConflict;
      await recordLedger(s, { opId: op.opId, kind: 'reserve', eventId: op.eventId, seatId, amount: 0 });
      return { kind: 'ok', seatId };
    });
  },
};
