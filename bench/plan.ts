import type { StrategyName, Workload } from '../core/names.ts';
import { getWorkload } from '../workloads/catalog.ts';
import { type BenchConfig, type DbId, type ProfileName, warmupPlan } from './config.ts';

/** One cell of the matrix: database x workload x profile x strategy x load level x repeat. */
export interface PlannedCell {
  /** Stable across repeats and runs; what comparisons join on. */
  key: string;
  database: DbId;
  workload: Workload;
  /** Profile label: the name, with parameters when set (`zipf:theta=0.8`). */
  profile: string;
  strategy: StrategyName;
  model: 'closed' | 'open';
  /** Closed: concurrent connections. Open: the most requests in flight. */
  connections: number;
  /** Open model: requests/s. */
  rate: number | null;
  repeat: number;
}

/** Default profile of a workload: its own (transfers use a hot set: one hot pair cannot deadlock). */
const defaultProfile = (workload: Workload): ProfileName =>
  (getWorkload(workload).defaultProfile ?? 'hot') as ProfileName;

/**
 * Seconds of set-up around each cell (reset, server start and stop, check): 1.0-1.4 s measured on
 * a 2-core machine while other work ran. RUN_OVERHEAD_SEC: starting the databases and writing the
 * reports, once per run.
 */
export const CELL_OVERHEAD_SEC = 1.5;
export const RUN_OVERHEAD_SEC = 10;

export function cellKey(c: Omit<PlannedCell, 'key' | 'repeat'>): string {
  const level = c.model === 'open' ? `r${c.rate}` : `c${c.connections}`;
  return `${c.database}/${c.workload}/${c.profile}/${c.strategy}/${c.model}/${level}`;
}

/**
 * Orders cells so that repeats of one cell are spread over the run (repeat-major): a slow minute on
 * a shared machine then blurs every cell a little instead of one cell a lot.
 */
export function planCells(config: BenchConfig, databases: DbId[]): PlannedCell[] {
  const cells: PlannedCell[] = [];
  for (let repeat = 0; repeat < config.repeat; repeat++) {
    for (const database of databases) {
      for (const workload of config.workload) {
        const profiles = config.profile
          ? config.profile.filter((p) => !p.startsWith('sellout') || workload === 'tickets')
          : [defaultProfile(workload)];
        for (const profile of profiles) {
          for (const strategy of config.strategy) {
            const levels = config.rate
              ? config.rate.map((rate) => ({
                  model: 'open' as const,
                  rate,
                  connections: config.connections[0] ?? 32,
                }))
              : config.connections.map((connections) => ({
                  model: 'closed' as const,
                  rate: null,
                  connections,
                }));
            for (const level of levels) {
              const base = { database, workload, profile, strategy, ...level };
              cells.push({ key: cellKey(base), ...base, repeat });
            }
          }
        }
      }
    }
  }
  return cells;
}

/**
 * Seconds an auto warm-up typically takes here: a fresh server settles in 3-5 s (the rule needs 3
 * full seconds), so the estimate uses 4 s, or the cap when it is lower.
 */
export const TYPICAL_AUTO_WARMUP_SEC = 4;

/** Expected warm-up seconds per cell. */
export function expectedWarmupSec(config: Pick<BenchConfig, 'warmup' | 'warmupMax'>): number {
  const w = warmupPlan(config);
  return w.maxSec > w.minSec ? Math.min(w.maxSec, Math.max(w.minSec, TYPICAL_AUTO_WARMUP_SEC)) : w.minSec;
}

export function estimateSeconds(config: BenchConfig, cells: number): number {
  return Math.round(
    RUN_OVERHEAD_SEC + cells * (expectedWarmupSec(config) + config.duration / 1000 + CELL_OVERHEAD_SEC),
  );
}
