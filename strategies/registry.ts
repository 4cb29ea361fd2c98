import type { StrategyName } from '../core/names.ts';
import { advisory } from './advisory.ts';
import { atomic } from './atomic.ts';
import { forUpdate } from './for-update.ts';
import { naive } from './naive.ts';
import { nowait } from './nowait.ts';
import { optimistic } from './optimistic.ts';
import { serializable } from './serializable.ts';
import { skipLocked } from './skip-locked.ts';
import type { Strategy } from './strategy.ts';
import type { DbFacts, Support } from './support.ts';

/** Every strategy by name; a name in STRATEGIES without an entry here is a type error. */
export const STRATEGY_REGISTRY: Readonly<Record<StrategyName, Strategy>> = Object.freeze({
  naive,
  'for-update': forUpdate,
  nowait,
  'skip-locked': skipLocked,
  optimistic,
  atomic,
  serializable,
  advisory,
});

export function getStrategy(name: StrategyName): Strategy {
  return STRATEGY_REGISTRY[name];
}

/**
 * Whether strategy `name` can run on this database (the SQL clauses it needs). Whether a workload
 * has a way for it is the workload's: workloads/support.ts asks both.
 */
export function checkSupport(name: StrategyName, db: DbFacts, workload: string): Support {
  return STRATEGY_REGISTRY[name].supports(db, workload);
}
