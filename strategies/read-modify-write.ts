import { recordLedger } from './ledger.ts';
import { accountExists, eventExists, freeSeatExists } from './lookups.ts';
import type { Dialect } from './names.ts';
import type { AccountChange, ReserveOp, TransferOp } from './operations.ts';
import type { AttemptOutcome } from './outcome.ts';
import type { Session } from './pool.ts';
import { type AttemptContext, lockOrder, type Strategy, simulateWork } from './strategy.ts';
import { inTransaction } from './transaction.ts';

/**
 * The skeleton shared by naive, for-update, nowait, skip-locked, serializable and advisory: read
 * the row(s), do the application's work, decide, write the computed value, write the ledger row,
 * commit. The strategies differ only in how they read (plain, FOR UPDATE, NOWAIT, SKIP LOCKED),
 * in what an empty read means, in a guard taken first (advisory locks) and in isolation.
 */

/** The reads a strategy brings, with its own locking clause. One parameter each: the id. */
export interface Reads {
  /** -> { balance } of the account. */
  account: string;
  /** -> { id } of the event's lowest free seat. */
  freeSeat: string;
}

/**
 * What an empty read means.
 * - `absent`: the row is not there (no account; no free seat left).
 * - `skipped`: SKIP LOCKED may have hidden a locked row: if it exists, it is busy (retry).
 * - `recheck`: PostgreSQL READ COMMITTED re-checks a row it waited for and drops it when it no
 *   longer matches, so a `LIMIT 1 ... FOR UPDATE` can come back empty while seats are still free.
 *   Re-run the read in the same transaction (each re-check means another buyer won a seat, so
 *   this ends), up to MAX_RECHECKS times, then retry.
 */
export type EmptyRead = 'absent' | 'skipped' | 'recheck';

/** Locks taken before the reads. `keys` are in lock order. */
export interface Guard {
  /** Runs first inside the transaction (pg_advisory_xact_lock). Returns a retry to give up. */
  inside?: (s: Session, keys: readonly LockKey[], ctx: AttemptContext) => Promise<AttemptOutcome | null>;
  /** Wraps the whole transaction (MySQL GET_LOCK ... RELEASE_LOCK, session-scoped). */
  around?: (
    s: Session,
    keys: readonly LockKey[],
    ctx: AttemptContext,
    run: () => Promise<AttemptOutcome>,
  ) => Promise<AttemptOutcome>;
}

export interface LockKey {
  space: 'account' | 'event';
  id: number;
}

export interface ReadPlan {
  reads: Record<Dialect, Reads>;
  emptyRead: Record<Dialect, EmptyRead>;
  guard?: Record<Dialect, Guard>;
}

/** Enough for one attempt to wait out a crowd of buyers; beyond it, back off and retry. */
export const MAX_RECHECKS = 100;

interface Writes {
  setBalance: string;
  sellSeat: string;
}

/** The write is the computed value: correct only if the read kept others out. */
const writes = {
  postgres: {
    setBalance: 'UPDATE accounts SET balance = $1, version = version + 1 WHERE id = $2',
    sellSeat: "UPDATE seats SET status = 'sold', op_id = $1, version = version + 1 WHERE id = $2",
  },
  mysql: {
    setBalance: 'UPDATE accounts SET balance = ?, version = version + 1 WHERE id = ?',
    sellSeat: "UPDATE seats SET status = 'sold', op_id = ?, version = version + 1 WHERE id = ?",
  },
} satisfies Record<Dialect, Writes>;

type Read<T> = { found: true; value: T } | { found: false; outcome: AttemptOutcome };

async function readBalance(s: Session, plan: ReadPlan, id: number): Promise<Read<number>> {
  const row = (await s.query<{ balance: unknown }>(plan.reads[s.dialect].account, [id])).rows[0];
  if (row) return { found: true, value: Number(row.balance) };
  if (plan.emptyRead[s.dialect] === 'skipped' && (await accountExists(s, id))) {
    return { found: false, outcome: { kind: 'retry', reason: 'row-busy' } };
  }
  return { found: false, outcome: { kind: 'not_found', entity: 'account', id } };
}

async function readFreeSeat(
  s: Session,
  plan: ReadPlan,
  eventId: number,
  ctx: AttemptContext,
): Promise<Read<number>> {
  const empty = plan.emptyRead[s.dialect];
  for (let rechecks = 0; ; rechecks++) {
    const row = (await s.query<{ id: unknown }>(plan.reads[s.dialect].freeSeat, [eventId])).rows[0];
    if (row) return { found: true, value: Number(row.id) };
    if (empty !== 'absent' && (await freeSeatExists(s, eventId))) {
      if (empty === 'skipped') return { found: false, outcome: { kind: 'retry', reason: 'row-busy' } };
      if (rechecks >= MAX_RECHECKS) return { found: false, outcome: { kind: 'retry', reason: 'recheck' } };
      ctx.recheck();
      continue;
    }
    const outcome: AttemptOutcome = (await eventExists(s, eventId))
      ? { kind: 'rejected', reason: 'sold_out' }
      : { kind: 'not_found', entity: 'event', id: eventId };
    return { found: false, outcome };
  }
}

function guarded(
  plan: ReadPlan,
  s: Session,
  keys: readonly LockKey[],
  ctx: AttemptContext,
  body: () => Promise<AttemptOutcome>,
): Promise<AttemptOutcome> {
  const guard = plan.guard?.[s.dialect];
  const inside = guard?.inside;
  const tx = () =>
    inTransaction(s, ctx.begin, async () => {
      if (inside) {
        const refused = await inside(s, keys, ctx);
        if (refused) return refused;
      }
      return body();
    });
  return guard?.around ? guard.around(s, keys, ctx, tx) : tx();
}

/** The three workload attempts of a read-modify-write strategy. */
export function readModifyWrite(plan: ReadPlan): Pick<Strategy, 'account' | 'transfer' | 'reserve'> {
  return {
    account(s: Session, op: AccountChange, ctx: AttemptContext) {
      return guarded(plan, s, [{ space: 'account', id: op.accountId }], ctx, async () => {
        const read = await readBalance(s, plan, op.accountId);
        if (!read.found) return read.outcome;
        await simulateWork(ctx.settings.workMs);
        const balance = read.value + op.delta;
        if (balance < 0) return { kind: 'rejected', reason: 'insufficient_funds' };
        await s.query(writes[s.dialect].setBalance, [balance, op.accountId]);
        await recordLedger(s, { opId: op.opId, kind: op.kind, accountId: op.accountId, amount: op.delta });
        return { kind: 'ok', balance };
      });
    },

    transfer(s: Session, op: TransferOp, ctx: AttemptContext) {
      const [first, second] = lockOrder(op, ctx.settings.lockOrder);
      const keys: LockKey[] = [
        { space: 'account', id: first },
        { space: 'account', id: second },
      ];
      return guarded(plan, s, keys, ctx, async () => {
        const a = await readBalance(s, plan, first);
        if (!a.found) return a.outcome;
        const b = await readBalance(s, plan, second);
        if (!b.found) return b.outcome;
        await simulateWork(ctx.settings.workMs);
        const fromBalance = first === op.from ? a.value : b.value;
        const toBalance = first === op.from ? b.value : a.value;
        if (fromBalance < op.amount) return { kind: 'rejected', reason: 'insufficient_funds' };
        const next = new Map([
          [op.from, fromBalance - op.amount],
          [op.to, toBalance + op.amount],
        ]);
        await s.query(writes[s.dialect].setBalance, [next.get(first), first]);
        await s.query(writes[s.dialect].setBalance, [next.get(second), second]);
        await recordLedger(s, {
          opId: op.opId,
          kind: 'transfer',
          accountId: op.from,
          counterAccountId: op.to,
          amount: op.amount,
        });
        return { kind: 'ok', balance: fromBalance - op.amount };
      });
    },

    reserve(s: Session, op: ReserveOp, ctx: AttemptContext) {
      return guarded(plan, s, [{ space: 'event', id: op.eventId }], ctx, async () => {
        const seat = await readFreeSeat(s, plan, op.eventId, ctx);
        if (!seat.found) return seat.outcome;
        await simulateWork(ctx.settings.workMs);
        await s.query(writes[s.dialect].sellSeat, [op.opId, seat.value]);
        await recordLedger(s, {
          opId: op.opId,
          kind: 'reserve',
          eventId: op.eventId,
          seatId: seat.value,
          amount: 0,
        });
        return { kind: 'ok', seatId: seat.value };
      });
    },
  };
}
