import type { Dialect, StrategyName } from '../core/names.ts';
import { ADVISORY_GUARD } from '../strategies/advisory.ts';
import type { Guard, LockKey } from '../strategies/guard.ts';
import type { AttemptOutcome } from '../strategies/outcome.ts';
import type { Session } from '../strategies/pool.ts';
import type { AttemptContext } from '../strategies/strategy.ts';
import { inTransaction } from '../strategies/transaction.ts';
import type { Attempt } from './workload.ts';

/**
 * The read-modify-write skeleton the built-in workloads share for naive, for-update, nowait,
 * skip-locked, serializable and advisory: read the row(s), do the application's work, decide,
 * write the computed value, write the ledger row, commit. The strategies differ only in how they
 * read (the workload's plain SELECT with their locking clause), in what an empty read means, in a
 * guard taken first (advisory locks) and in isolation (the executor's).
 */
export type RmwStrategy = 'naive' | 'for-update' | 'nowait' | 'skip-locked' | 'serializable' | 'advisory';
export const RMW_STRATEGIES: readonly RmwStrategy[] = [
  'naive',
  'for-update',
  'nowait',
  'skip-locked',
  'serializable',
  'advisory',
];

/**
 * What an empty read means.
 * - `absent`: the row is not there (no account; no free seat left).
 * - `skipped`: SKIP LOCKED may have hidden a locked row: if it exists, it is busy (retry).
 * - `recheck`: PostgreSQL READ COMMITTED re-checks a row it waited for and drops it when it no
 *   longer matches, so a `LIMIT 1 ... FOR UPDATE` can come back empty while rows still match.
 *   Re-run the read in the same transaction, up to MAX_RECHECKS times, then retry. InnoDB's
 *   locking reads always see the latest committed row and move on, so on MySQL an empty read
 *   means none is left.
 */
export type EmptyRead = 'absent' | 'skipped' | 'recheck';

/** Enough for one attempt to wait out a crowd of buyers; beyond it, back off and retry. */
export const MAX_RECHECKS = 100;

/** One strategy's read of one row: SQL per dialect, the meaning of no row, an optional guard. */
export interface LockingRead {
  sql: Readonly<Record<Dialect, string>>;
  empty: Readonly<Record<Dialect, EmptyRead>>;
  guard?: Readonly<Record<Dialect, Guard>>;
}

const ABSENT = { postgres: 'absent', mysql: 'absent' } as const;
const RECHECK_ON_PG = { postgres: 'recheck', mysql: 'absent' } as const;
const SKIPPED = { postgres: 'skipped', mysql: 'skipped' } as const;

/** How each strategy turns a plain read into its own. */
const WAYS: Record<
  RmwStrategy,
  { clause: string; empty: LockingRead['empty']; guard?: LockingRead['guard'] }
> = {
  naive: { clause: '', empty: ABSENT },
  serializable: { clause: '', empty: ABSENT },
  advisory: { clause: '', empty: ABSENT, guard: ADVISORY_GUARD },
  'for-update': { clause: ' FOR UPDATE', empty: RECHECK_ON_PG },
  // A row committed between the statement's snapshot and its lock attempt is re-checked (and
  // may be dropped) on PostgreSQL READ COMMITTED, as for FOR UPDATE.
  nowait: { clause: ' FOR UPDATE NOWAIT', empty: RECHECK_ON_PG },
  'skip-locked': { clause: ' FOR UPDATE SKIP LOCKED', empty: SKIPPED },
};

/** The strategy's read: the workload's plain SELECT (no trailing clause) with the strategy's lock clause. */
export function lockingRead(strategy: RmwStrategy, plain: Readonly<Record<Dialect, string>>): LockingRead {
  const way = WAYS[strategy];
  const read: LockingRead = {
    sql: { postgres: plain.postgres + way.clause, mysql: plain.mysql + way.clause },
    empty: way.empty,
  };
  if (way.guard) read.guard = way.guard;
  return read;
}

/** Runs `body` in a transaction, inside the read's guard when it has one. */
export function guarded(
  read: Pick<LockingRead, 'guard'>,
  s: Session,
  keys: readonly LockKey[],
  ctx: AttemptContext,
  body: () => Promise<AttemptOutcome>,
): Promise<AttemptOutcome> {
  const guard = read.guard?.[s.dialect];
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

/** One attempt per read-modify-write strategy (or those of `only`), from a maker that takes the strategy. */
export function rmwPerform<Op>(
  make: (strategy: RmwStrategy) => Attempt<Op>,
  only: readonly RmwStrategy[] = RMW_STRATEGIES,
): Partial<Record<RmwStrategy, Attempt<Op>>> {
  return Object.fromEntries(only.map((name) => [name, make(name)]));
}

/** The set of strategy names the skeleton covers, for workloads that list their own. */
export const isRmw = (name: StrategyName): name is RmwStrategy => (RMW_STRATEGIES as string[]).includes(name);
