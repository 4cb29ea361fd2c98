import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { checkRun } from '../../bench/check/check-run.ts';
import { type Dialect, STRATEGY_NAMES, type StrategyName } from '../../core/names.ts';
import { createExecutor, type Executor } from '../../strategies/executor.ts';
import type { OperationResult } from '../../strategies/outcome.ts';
import { getStrategy } from '../../strategies/registry.ts';
import { type QueueOp, queue } from '../../workloads/queue/index.ts';
import { resetAndSeed, type SeedSizes } from '../../workloads/schema.ts';
import { specFor } from '../helpers/db.ts';

/**
 * The queue workload on both databases, driven without HTTP: workers claim at once while
 * producers enqueue; then the queue's invariants are checked. Every strategy that claims safety
 * keeps them; naive completes some jobs twice.
 */
const SIZES: SeedSizes = { accounts: 2, initialBalance: 100, events: 1, seatsPerEvent: 2 };
const CLAIMS = 60;
const ENQUEUES = 20;
/** Widens the read-to-complete window so that naive's race shows on two busy cores. */
const SETTINGS = { pool: 12, workMs: 3, maxAttempts: 50, backoffCapMs: 20 };

const schemas = { postgres: 't_queue_pg', mysql: 't_queue_my' } as const satisfies Record<Dialect, string>;

async function burst(ex: Executor, tag: string) {
  const perform = (op: QueueOp) => {
    const attempt = queue.perform[ex.strategy.name];
    if (!attempt) throw new Error(`no way for ${ex.strategy.name}`);
    return ex.perform(attempt, op, queue.identity(op));
  };
  const acknowledged = new Set<string>();
  const ops: QueueOp[] = [
    ...Array.from({ length: CLAIMS }, (_, i): QueueOp => ({ kind: 'claim', opId: `${tag}-c${i}` })),
    ...Array.from({ length: ENQUEUES }, (_, i): QueueOp => ({ kind: 'enqueue', opId: `${tag}-e${i}` })),
  ];
  const results: OperationResult[] = await Promise.all(
    ops.map(async (op) => {
      const r = await perform(op);
      if (r.outcome.kind === 'ok') acknowledged.add(op.opId);
      return r;
    }),
  );
  return { acknowledged, results };
}

describe.each(['postgres', 'mysql'] as const)('queue on %s', (dialect) => {
  const spec = specFor(dialect, schemas[dialect]);
  const open: Executor[] = [];
  beforeEach(async () => {
    await resetAndSeed(spec, SIZES, { workloads: ['queue'] });
  });
  afterAll(async () => {
    await Promise.all(open.map((e) => e.close()));
  });

  const run = async (strategy: StrategyName) => {
    const isolation = dialect === 'mysql' ? 'read-committed' : 'default';
    const ex = createExecutor({ spec, strategy, settings: { ...SETTINGS, isolation } });
    open.push(ex);
    const { acknowledged, results } = await burst(ex, strategy);
    const correctness = await checkRun(spec, {
      workload: 'queue',
      claimsSafe: getStrategy(strategy).claimsSafe('queue'),
      acknowledged,
      indeterminate: [],
    });
    return { acknowledged, results, correctness };
  };

  it.each(STRATEGY_NAMES.filter((s) => s !== 'naive'))(
    '%s: every claim completes a job of its own, none twice, none lost',
    async (strategy) => {
      const { acknowledged, correctness } = await run(strategy);
      expect(acknowledged.size).toBe(CLAIMS + ENQUEUES);
      expect(correctness).toMatchObject({ checked: true, violations: 0, acknowledgedLost: 0 });
      // Every invariant of the queue was checked, each with nothing to report.
      expect(correctness.findings?.map((f) => [f.kind, f.count])).toEqual([
        ['double-completed', 0],
        ['job-lost', 0],
        ['completion-unrecorded', 0],
      ]);
    },
  );

  it("naive completes some jobs twice, and the check says so in the queue's words", async () => {
    const { correctness } = await run('naive');
    const doubled = correctness.findings?.find((f) => f.kind === 'double-completed');
    expect(doubled?.count).toBeGreaterThan(0);
    expect(doubled?.words).toEqual(['job completed twice', 'jobs completed twice']);
    expect(correctness.violations).toBeGreaterThanOrEqual(doubled?.count ?? 1);
    expect(correctness.examples.some((e) => e.kind === 'double-completed')).toBe(true);
  });
});
