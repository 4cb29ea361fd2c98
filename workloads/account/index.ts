import { recordLedger } from '../../strategies/ledger.ts';
import { simulateWork } from '../../strategies/strategy.ts';
import { inTransaction } from '../../strategies/transaction.ts';
import { amount, idParams, opId, pathId } from '../http-schemas.ts';
import { guarded, rmwPerform } from '../rmw.ts';
import type { Attempt, WorkloadModule } from '../workload.ts';
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
} from './accounts.ts';

/** A deposit to or a withdrawal from one account, as a signed change of its balance. */
export interface AccountChange {
  kind: 'deposit' | 'withdraw';
  accountId: number;
  /** Signed cents: positive for a deposit, negative for a withdrawal. */
  delta: number;
  opId: string;
}

const body = {
  type: 'object',
  required: ['amount', 'opId'],
  additionalProperties: false,
  properties: { amount, opId },
} as const;

const versionConflict = { kind: 'retry', reason: 'version-conflict' } as const;

const optimistic: Attempt<AccountChange> = (s, op, ctx) =>
  inTransaction(s, ctx.begin, async () => {
    const row = await readVersioned(s, op.accountId);
    if (!row) return { kind: 'not_found', entity: 'account', id: op.accountId };
    await simulateWork(ctx.settings.workMs);
    const balance = row.balance + op.delta;
    if (balance < 0) return { kind: 'rejected', reason: 'insufficient_funds' };
    if (!(await casBalance(s, op.accountId, balance, row.version))) return versionConflict;
    await recordLedger(s, { opId: op.opId, kind: op.kind, accountId: op.accountId, amount: op.delta });
    return { kind: 'ok', balance };
  });

const atomic: Attempt<AccountChange> = (s, op, ctx) =>
  inTransaction(s, ctx.begin, async () => {
    await simulateWork(ctx.settings.workMs);
    const r = await changeBalance(s, op.accountId, op.delta);
    if (r.kind !== 'ok') return r;
    await recordLedger(s, { opId: op.opId, kind: op.kind, accountId: op.accountId, amount: op.delta });
    return r;
  });

export const account: WorkloadModule<AccountChange> = {
  name: 'account',
  description: 'deposits and withdrawals on accounts; the lost-update case',
  defaultProfile: 'hot',
  tables: ACCOUNT_TABLES,
  reset: resetAccounts,
  operations: Object.fromEntries(
    (['deposit', 'withdraw'] as const).map((kind) => [
      kind,
      {
        url: `/accounts/:id/${kind}`,
        params: idParams,
        body,
        toOp(params, b): AccountChange | { invalid: string } {
          const accountId = pathId(params);
          if (typeof accountId !== 'number') return accountId;
          const cents = b.amount as number;
          return { kind, accountId, delta: kind === 'deposit' ? cents : -cents, opId: b.opId as string };
        },
      },
    ]),
  ),
  requests(ctx) {
    const keys = ctx.keys(ctx.sizes.accounts);
    return {
      next() {
        const account = keys.next();
        if (ctx.mix.readShare > 0 && ctx.random() < ctx.mix.readShare)
          return { method: 'GET', path: `/accounts/${account}`, body: undefined, op: null };
        const id = ctx.opId();
        const value = ctx.int(ctx.mix.minAmount, ctx.mix.maxAmount);
        const kind = ctx.random() < ctx.mix.depositShare ? 'deposit' : 'withdraw';
        return {
          method: 'POST',
          path: `/accounts/${account}/${kind}`,
          body: `{"amount":${value},"opId":"${id}"}`,
          op: { kind, accountId: account, delta: kind === 'deposit' ? value : -value, opId: id },
        };
      },
    };
  },
  perform: {
    ...rmwPerform<AccountChange>((strategy) => {
      const read = balanceRead(strategy);
      return (s, op, ctx) =>
        guarded(read, s, [{ space: 'account', id: op.accountId }], ctx, async () => {
          const r = await readBalance(s, read, op.accountId);
          if (!r.found) return r.outcome;
          await simulateWork(ctx.settings.workMs);
          const balance = r.value + op.delta;
          if (balance < 0) return { kind: 'rejected', reason: 'insufficient_funds' };
          await setBalance(s, op.accountId, balance);
          await recordLedger(s, { opId: op.opId, kind: op.kind, accountId: op.accountId, amount: op.delta });
          return { kind: 'ok', balance };
        });
    }),
    optimistic,
    atomic,
  },
  identity: (op) => ({ opId: op.opId, kind: op.kind, accountId: op.accountId, amount: op.delta }),
  check: (db, ctx) => checkAccounts(db, ctx.sizes),
};
