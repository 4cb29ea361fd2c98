import type { LockKey } from '../../strategies/guard.ts';
import { recordLedger } from '../../strategies/ledger.ts';
import type { ExecutorSettings } from '../../strategies/settings.ts';
import { simulateWork } from '../../strategies/strategy.ts';
import { inTransaction } from '../../strategies/transaction.ts';
import {
  ACCOUNT_TABLES,
  balanceRead,
  casBalance,
  changeBalance,
  checkAccounts,
  readBalance,
  readVersioned,
  resetAccounts,
  setBalance,
} from '../account/accounts.ts';
import { amount, id, opId } from '../http-schemas.ts';
import { guarded, rmwPerform } from '../rmw.ts';
import type { Attempt, WorkloadModule } from '../workload.ts';

/** Moves money from one account to another in one transaction. `from !== to`. */
export interface TransferOp {
  kind: 'transfer';
  from: number;
  to: number;
  /** Cents, > 0. */
  amount: number;
  opId: string;
}

/** The two account ids of a transfer in the order their rows are locked. */
export function lockOrder(
  op: Pick<TransferOp, 'from' | 'to'>,
  order: ExecutorSettings['lockOrder'],
): [number, number] {
  if (order === 'request' || op.from < op.to) return [op.from, op.to];
  return [op.to, op.from];
}

const ledgerRow = (op: TransferOp) => ({
  opId: op.opId,
  kind: 'transfer',
  accountId: op.from,
  counterAccountId: op.to,
  amount: op.amount,
});

const versionConflict = { kind: 'retry', reason: 'version-conflict' } as const;

const optimistic: Attempt<TransferOp> = (s, op, ctx) => {
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
    await recordLedger(s, ledgerRow(op));
    return { kind: 'ok', balance: from.balance - op.amount };
  });
};

const atomic: Attempt<TransferOp> = (s, op, ctx) => {
  const order = lockOrder(op, ctx.settings.lockOrder);
  return inTransaction(s, ctx.begin, async () => {
    await simulateWork(ctx.settings.workMs);
    let fromBalance: number | undefined;
    for (const account of order) {
      const r = await changeBalance(s, account, account === op.from ? -op.amount : op.amount);
      if (r.kind !== 'ok') return r;
      if (account === op.from) fromBalance = r.balance;
    }
    await recordLedger(s, ledgerRow(op));
    return fromBalance === undefined ? { kind: 'ok' } : { kind: 'ok', balance: fromBalance };
  });
};

export const transfer: WorkloadModule<TransferOp> = {
  name: 'transfer',
  description: 'transfers between two accounts in one transaction; two locks, deadlocks',
  // One hot pair of accounts cannot deadlock, so transfers use a hot set.
  defaultProfile: 'hot-set',
  tables: ACCOUNT_TABLES,
  reset: resetAccounts,
  operations: {
    transfer: {
      url: '/transfers',
      body: {
        type: 'object',
        required: ['from', 'to', 'amount', 'opId'],
        additionalProperties: false,
        properties: { from: id, to: id, amount, opId },
      },
      toOp(_params, b) {
        if (b.from === b.to) return { invalid: 'body/to must differ from body/from' };
        return {
          kind: 'transfer',
          from: b.from as number,
          to: b.to as number,
          amount: b.amount as number,
          opId: b.opId as string,
        };
      },
    },
  },
  requests(ctx) {
    const keys = ctx.keys(ctx.sizes.accounts);
    if (keys.n < 2) throw new RangeError('transfer needs at least 2 accounts');
    return {
      next() {
        let from = keys.next();
        if (ctx.mix.readShare > 0 && ctx.random() < ctx.mix.readShare)
          return { method: 'GET', path: `/accounts/${from}`, body: undefined, op: null };
        let to = from;
        for (let i = 0; i < 8 && to === from; i++) to = keys.next();
        if (to === from) {
          // A chooser that keeps returning one row (the hot profile): pair it with its
          // neighbour in a random order, so hot transfers still lock two rows in both orders.
          to = from === keys.n ? 1 : from + 1;
          if (ctx.keyRandom() < 0.5) [from, to] = [to, from];
        }
        const opIdValue = ctx.opId();
        const value = ctx.int(ctx.mix.minAmount, ctx.mix.maxAmount);
        return {
          method: 'POST',
          path: '/transfers',
          body: `{"from":${from},"to":${to},"amount":${value},"opId":"${opIdValue}"}`,
          op: { kind: 'transfer', from, to, amount: value, opId: opIdValue },
        };
      },
    };
  },
  perform: {
    ...rmwPerform<TransferOp>((strategy) => {
      const read = balanceRead(strategy);
      return (s, op, ctx) => {
        const [first, second] = lockOrder(op, ctx.settings.lockOrder);
        const keys: LockKey[] = [
          { space: 'account', id: first },
          { space: 'account', id: second },
        ];
        return guarded(read, s, keys, ctx, async () => {
          const a = await readBalance(s, read, first);
          if (!a.found) return a.outcome;
          const b = await readBalance(s, read, second);
          if (!b.found) return b.outcome;
          await simulateWork(ctx.settings.workMs);
          const fromBalance = first === op.from ? a.value : b.value;
          const toBalance = first === op.from ? b.value : a.value;
          if (fromBalance < op.amount) return { kind: 'rejected', reason: 'insufficient_funds' };
          const next = new Map([
            [op.from, fromBalance - op.amount],
            [op.to, toBalance + op.amount],
          ]);
          await setBalance(s, first, next.get(first) as number);
          await setBalance(s, second, next.get(second) as number);
          await recordLedger(s, ledgerRow(op));
          return { kind: 'ok', balance: fromBalance - op.amount };
        });
      };
    }),
    optimistic,
    atomic,
  },
  identity: ledgerRow,
  check: (db, ctx) => checkAccounts(db, ctx.sizes),
};
