import type { StrategyName } from '../core/names.ts';
import { getStrategy } from '../strategies/registry.ts';
import { type DbFacts, SUPPORTED, type Support } from '../strategies/support.ts';
import { getWorkload } from './catalog.ts';

/** Why a strategy cannot run a workload at all (on any database), or null when it can. */
export function notApplicable(strategy: StrategyName, workload: string): string | null {
  const m = getWorkload(workload);
  if (m.perform[strategy]) return null;
  return (
    m.notApplicable?.[strategy] ??
    `workload ${workload} has no way to perform its operations with ${strategy}`
  );
}

/**
 * Whether `strategy` can run `workload` on this database: the workload must have a way for the
 * strategy (else "not applicable", shown in the plan before running), and the database the SQL
 * clauses the strategy needs. The orchestrator asks before it starts a server (the cell is
 * `unsupported` with the reason); servers/main.ts asks at start and exits with code 3 on a no.
 */
export function checkWorkloadSupport(strategy: StrategyName, db: DbFacts, workload: string): Support {
  const na = notApplicable(strategy, workload);
  if (na !== null) return { ok: false, reason: `not applicable: ${na}` };
  const s = getStrategy(strategy).supports(db, workload);
  return s.ok ? SUPPORTED : s;
}
