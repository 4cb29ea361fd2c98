import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cellStatus } from '../../bench/check/cell-status.ts';
import { type CheckInput, checkRun } from '../../bench/check/check-run.ts';
import type { ClientView } from '../../bench/check/client-view.ts';
import type { Dialect, Workload } from '../../core/names.ts';
import type { OperationResult } from '../../strategies/outcome.ts';
import type { Strategy } from '../../strategies/strategy.ts';
import { SUPPORTED } from '../../strategies/support.ts';
import { account } from '../../workloads/account/index.ts';
import { resetAndSeed, type SeedSizes } from '../../workloads/schema.ts';
import { tickets } from '../../workloads/tickets/index.ts';
import { transfer } from '../../workloads/transfer/index.ts';
import { specFor } from '../helpers/db.ts';
import { createExecutor, type TestExecutor as Executor } from '../helpers/executor.ts';

/**
 * for-update with the lock left out: the plain reads of naive behind a name and a claim of
 * safety. The check must call it unsafe after a short concurrent burst; the real for-update,
 * run the same way, must pass.
 */
const forUpdateWithoutLock: Strategy = {
  name: 'for-update',
  claimsSafe: () => true,
  supports: () => SUPPORTED,
  noWait: false,
};
/** Its ways: naive's, in each workload. */
const withoutLock = {
  account: account.perform.naive,
  transfer: transfer.perform.naive,
  tickets: tickets.perform.naive,
};

/** Two hot accounts and one small event: every concurrent operation collides. */
const SIZES: SeedSizes = { accounts: 2, initialBalance: 1_000_000, events: 1, seatsPerEvent: 400 };
const OPS = 120;
/** Widens the read-to-write window so that the race shows on two busy cores in one short burst. */
const SETTINGS = { pool: 12, workMs: 3, maxAttempts: 50 };

const schemas = { postgres: 't_check_brk_pg', mysql: 't_check_brk_my' } as const satisfies Record<
  Dialect,
  string
>;

/** Records what a client would have seen: a 2xx, an unknown outcome, or a refusal. */
async function burst(ex: Executor, workload: Workload): Promise<ClientView> {
  const acknowledged = new Set<string>();
  const indeterminate = new Set<string>();
  await Promise.all(
    Array.from({ length: OPS }, async (_, i) => {
      const opId = `${workload}-${i}`;
      let r: OperationResult;
      try {
        if (workload === 'account') r = await ex.deposit({ accountId: 1 + (i % 2), amount: 1 + i, opId });
        else if (workload === 'transfer')
          r = await ex.transfer({ from: 1 + (i % 2), to: 2 - (i % 2), amount: 1 + i, opId });
        else r = await ex.reserve({ eventId: 1, opId });
      } catch {
        indeterminate.add(opId);
        return;
      }
      if (r.outcome.kind === 'ok') acknowledged.add(opId);
      else if (r.outcome.kind === 'error') indeterminate.add(opId);
    }),
  );
  return { acknowledged, indeterminate };
}

describe.each(['postgres', 'mysql'] as const)('a short concurrent run on %s', (dialect) => {
  const spec = specFor(dialect, schemas[dialect]);
  let ex: Executor | undefined;

  beforeEach(async () => {
    await resetAndSeed(spec, SIZES);
  });
  afterEach(async () => {
    await ex?.close();
    ex = undefined;
  });

  const run = async (strategy: Strategy | 'for-update', workload: Workload) => {
    ex = createExecutor({
      spec,
      strategy,
      settings: SETTINGS,
      ...(strategy === 'for-update' ? {} : { ways: withoutLock }),
    });
    const view = await burst(ex, workload);
    await ex.close();
    ex = undefined;
    const input: CheckInput = { workload, claimsSafe: true, ...view };
    return { view, correctness: await checkRun(spec, input) };
  };

  it.each(['account', 'transfer', 'tickets'] as const)(
    'catches for-update without the lock as unsafe (%s)',
    async (workload) => {
      const { view, correctness } = await run(forUpdateWithoutLock, workload);
      expect([...view.acknowledged].length).toBeGreaterThan(OPS / 2);
      expect(correctness.violations).toBeGreaterThan(0);
      expect(correctness.acknowledgedLost).toBe(0);
      if (workload === 'tickets') expect(correctness.doubleBooked).toBeGreaterThan(0);
      else expect(correctness.lostUpdates).toBeGreaterThan(0);
      expect(cellStatus(correctness)).toBe('unsafe');
    },
  );

  it.each(['account', 'transfer', 'tickets'] as const)(
    'passes the real for-update (%s)',
    async (workload) => {
      const { view, correctness } = await run('for-update', workload);
      expect([...view.acknowledged].length).toBe(OPS);
      expect(correctness).toMatchObject({ checked: true, violations: 0, indeterminate: 0, examples: [] });
      expect(cellStatus(correctness)).toBe('ok');
    },
  );
});
