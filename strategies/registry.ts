import { advisory } from './advisory.ts';
import { atomic } from './atomic.ts';
import { forUpdate } from './for-update.ts';
import { naive } from './naive.ts';
import type { StrategyName, Workload } from './names.ts';
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
 * Whether `name` can run `workload` on this database. The orchestrator calls this before it
 * spawns a server (and reports the cell `unsupported` with the reason); servers/main.ts calls it
 * at start and exits with code 3 when it says no.
 */
export function checkSupport(name: StrategyName, db: DbFacts, workload: Workload): Support {
  return STRATEGY_REGISTRY[name].supports(db, workload);
}
