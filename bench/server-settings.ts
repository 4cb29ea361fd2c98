import { getWorkload, loadedWorkloadSources } from '../workloads/catalog.ts';
import type { BenchConfig } from './config.ts';
import type { PlannedCell } from './plan.ts';

/** The server settings a cell runs with, as recorded in the result (no URL, no password). */
export function serverSettings(
  config: BenchConfig,
  cell: PlannedCell,
): Record<string, string | number | boolean | null> {
  return {
    strategy: cell.strategy,
    workload: cell.workload,
    // What the server runs at: a workload may bring its own for `default` (queue: MySQL READ COMMITTED).
    isolation:
      config.isolation === 'default'
        ? (getWorkload(cell.workload).isolation?.[cell.database] ?? 'default')
        : config.isolation,
    pool: config.pool,
    workers: config.workers,
    maxAttempts: config.maxAttempts,
    lockTimeoutMs: config.lockTimeout,
    workMs: config.workMs,
    lockOrder: config.lockOrder,
    durability: config.durability,
  };
}

/** Command-line flags for servers/main.ts. The database URL goes in the environment, never here. */
export function serverArgs(config: BenchConfig, cell: PlannedCell, schema: string): string[] {
  return [
    '--strategy',
    cell.strategy,
    '--workload',
    cell.workload,
    '--schema',
    schema,
    '--isolation',
    config.isolation,
    '--pool',
    String(config.pool),
    '--workers',
    String(config.workers),
    '--max-attempts',
    String(config.maxAttempts),
    '--lock-timeout-ms',
    String(config.lockTimeout),
    '--work-ms',
    String(config.workMs),
    '--lock-order',
    config.lockOrder,
    '--port',
    '0',
    // A workload loaded from a file: the server loads the same file (every one of the run's, so
    // one warm process can be reconfigured to any of its cells).
    ...[...loadedWorkloadSources().values()].flatMap((path) => ['--workload-module', path]),
  ];
}

/**
 * The body of POST /admin/configure for a cell: what serverArgs says on the command line, less
 * what belongs to the process (schema, workers, port). Field names are the server's options.
 */
export function serverConfigureBody(config: BenchConfig, cell: PlannedCell): Record<string, string | number> {
  return {
    strategy: cell.strategy,
    workload: cell.workload,
    isolation: config.isolation,
    poolSize: config.pool,
    maxAttempts: config.maxAttempts,
    lockTimeoutMs: config.lockTimeout,
    workMs: config.workMs,
    lockOrder: config.lockOrder,
  };
}
