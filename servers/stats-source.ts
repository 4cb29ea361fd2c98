import type { ServerStats } from './protocol.ts';
import type { StatsCounter } from './stats.ts';

/** Where GET /stats and POST /stats/reset go: this process, or every worker of the cluster. */
export interface StatsSource {
  get(): Promise<ServerStats>;
  reset(): Promise<void>;
}

/** The single-process source: the counter itself. */
export function localStatsSource(counter: StatsCounter): StatsSource {
  return {
    get: async () => counter.snapshot(),
    reset: async () => counter.reset(),
  };
}
