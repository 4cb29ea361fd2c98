import type { ServerOptionsInput } from '../servers/options.ts';
import { toServerFlags } from '../servers/options.ts';
import { getWorkload, loadedWorkloadSources } from '../workloads/catalog.ts';
import type { BenchConfig } from './config.ts';
import type { PlannedCell } from './plan.ts';

/**
 * The server options a cell runs with, named as the server names them (servers/options.ts, the
 * one schema): the bench's options of the same names, picked, plus the cell's strategy and
 * workload. The command line (serverArgs), the body of POST /admin/configure and the settings
 * recorded with the result are all made from this, so no second list of names can drift.
 */
export function cellServerOptions(config: BenchConfig, cell: PlannedCell) {
  return {
    strategy: cell.strategy,
    workload: cell.workload,
    isolation: config.isolation,
    pool: config.pool,
    maxAttempts: config.maxAttempts,
    lockTimeout: config.lockTimeout,
    workMs: config.workMs,
    lockOrder: config.lockOrder,
  } satisfies Partial<ServerOptionsInput>;
}

/** The server settings a cell runs with, as recorded in the result (no URL, no password). */
export function serverSettings(
  config: BenchConfig,
  cell: PlannedCell,
): Record<string, string | number | boolean | null> {
  const options = cellServerOptions(config, cell);
  return {
    ...options,
    // What the server runs at: a workload may bring its own for `default` (queue: MySQL READ COMMITTED).
    isolation:
      options.isolation === 'default'
        ? (getWorkload(cell.workload).isolation?.[cell.database] ?? 'default')
        : options.isolation,
    workers: config.workers,
    durability: config.durability,
  };
}

/** Command-line arguments for servers/main.ts. The database URL goes in the environment, never here. */
export function serverArgs(config: BenchConfig, cell: PlannedCell, schema: string): string[] {
  // Strategy, workload and schema first: they name the process in `ps` (and tests look for them).
  const { strategy, workload, ...settings } = cellServerOptions(config, cell);
  return toServerFlags({
    strategy,
    workload,
    schema,
    ...settings,
    workers: config.workers,
    port: 0,
    // A workload loaded from a file: the server loads the same file (every one of the run's, so
    // one warm process can be reconfigured to any of its cells).
    workloadModule: [...loadedWorkloadSources().values()],
  });
}

/**
 * The body of POST /admin/configure for a cell: what serverArgs says on the command line, less
 * what belongs to the process (schema, workers, port, modules).
 */
export function serverConfigureBody(config: BenchConfig, cell: PlannedCell): Record<string, string | number> {
  return cellServerOptions(config, cell);
}
