import {
  createExecutor as createBare,
  type Executor,
  type ExecutorOptions,
} from '../../strategies/executor.ts';
import type { OperationResult } from '../../strategies/outcome.ts';
import { account } from '../../workloads/account/index.ts';
import { tickets } from '../../workloads/tickets/index.ts';
import { transfer } from '../../workloads/transfer/index.ts';
import type { Attempt } from '../../workloads/workload.ts';

/** The built-in operations as methods, for tests that drive an executor without HTTP. */
export interface TestExecutor extends Executor {
  deposit(op: { accountId: number; amount: number; opId: string }): Promise<OperationResult>;
  withdraw(op: { accountId: number; amount: number; opId: string }): Promise<OperationResult>;
  transfer(op: { from: number; to: number; amount: number; opId: string }): Promise<OperationResult>;
  reserve(op: { eventId: number; opId: string }): Promise<OperationResult>;
}

/**
 * An executor plus one method per built-in operation. `ways` replaces a workload's attempt for
 * this executor's strategy (a deliberately broken or probing one); otherwise the workload's own.
 */
export function createExecutor(
  options: ExecutorOptions & {
    // biome-ignore lint/suspicious/noExplicitAny: each workload has its own operation type.
    ways?: Partial<Record<'account' | 'transfer' | 'tickets', Attempt<any>>>;
  },
): TestExecutor {
  const ex = createBare(options);
  const name = ex.strategy.name;
  const way = <T>(w: 'account' | 'transfer' | 'tickets', own: Attempt<T> | undefined): Attempt<T> => {
    const attempt = (options.ways?.[w] as Attempt<T> | undefined) ?? own;
    if (!attempt) throw new Error(`${name} has no way for ${w}`);
    return attempt;
  };
  const change = (kind: 'deposit' | 'withdraw', op: { accountId: number; amount: number; opId: string }) => {
    const o = {
      kind,
      accountId: op.accountId,
      delta: kind === 'deposit' ? op.amount : -op.amount,
      opId: op.opId,
    };
    return ex.perform(way('account', account.perform[name]), o, account.identity(o));
  };
  return Object.assign(ex, {
    deposit: (op: { accountId: number; amount: number; opId: string }) => change('deposit', op),
    withdraw: (op: { accountId: number; amount: number; opId: string }) => change('withdraw', op),
    transfer(op: { from: number; to: number; amount: number; opId: string }) {
      if (op.from === op.to) throw new RangeError(`transfer ${op.opId}: from and to are both ${op.from}`);
      const o = { kind: 'transfer' as const, ...op };
      return ex.perform(way('transfer', transfer.perform[name]), o, transfer.identity(o));
    },
    reserve(op: { eventId: number; opId: string }) {
      const o = { kind: 'reserve' as const, ...op };
      return ex.perform(way('tickets', tickets.perform[name]), o, tickets.identity(o));
    },
  });
}
