import type { EventEmitter } from 'node:events';
import { openSql } from '../core/connect.ts';
import { type ErrorCode, isLockbenchError } from '../core/errors.ts';
import type { Cell, Interference, Metrics } from '../core/result-schema.ts';
import { getStrategy } from '../strategies/registry.ts';
import { DEFAULT_SEED, resetAndSeed, type SeedSizes } from '../workloads/schema.ts';
import { checkWorkloadSupport } from '../workloads/support.ts';
import { cellStatus, checkRun } from './check/index.ts';
import { type BenchConfig, warmupPlan } from './config.ts';
import type { DatabaseTarget } from './databases/target.ts';
import { type DbCounters, startDbActivity } from './load/db-activity.ts';
import { interferenceWindow } from './load/interference.ts';
import type { ResolvedProfile } from './load/profiles.ts';
import { type LoadRun, runLoad } from './load/run-load.ts';
import type { PlannedCell } from './plan.ts';
import { resolveProfileSpec } from './profile-spec.ts';
import { type ServerProcess, startServer, UnsupportedError } from './server-process.ts';
import { serverArgs, serverConfigureBody, serverSettings } from './server-settings.ts';
import type { ServerSlot } from './server-slot.ts';
import { errorsFromStats, retriesFromStats } from './server-stats.ts';

export interface CellRun {
  config: Readonly<BenchConfig>;
  target: DatabaseTarget;
  cell: PlannedCell;
  /** Aborted by Ctrl-C: the load stops, the server is stopped, the cell is dropped. */
  signal: AbortSignal;
  /** The load driver's `progress` events go here (the CLI's display subscribes). */
  progress: EventEmitter;
  /** Unique per run and cell, so the ledgers of several hosts and cells never collide. */
  opIdPrefix: string;
  /** Node arguments that start the strategy server; default this tree's (an A/B base revision's otherwise). */
  serverEntry?: readonly string[];
  /** The warm server this cell's database, strategy and workload share (bench/server-slot.ts); absent: a fresh one per cell. */
  servers?: ServerSlot;
  /**
   * A new server process warms at least NEW_PROCESS_MIN_WARMUP_SEC even when the warm-up is a
   * fixed time (an A/B run: its later pairs find the process warm, its first must not measure the climb).
   */
  warmNewProcess?: boolean;
}

/** Seconds an auto warm-up lasts at least on a new server process (see runCell). */
export const NEW_PROCESS_MIN_WARMUP_SEC = 6;

/** Reservations per second a steady tickets cell is sized for: far above what one event sustained here. */
const SEAT_RATE_PER_SEC = 3000;

/**
 * The seed sizes of a run. Events hold enough seats not to sell out before the cell ends (the
 * `sellout` profile brings its own small sizes), so a tickets cell measures contention, not the
 * sold-out path. The same for every cell of a run, so the tables are reset between cells rather
 * than seeded again.
 */
export function runSeedSizes(config: Pick<BenchConfig, 'warmup' | 'warmupMax' | 'duration'>): SeedSizes {
  const seconds = warmupPlan(config).maxSec + config.duration / 1000;
  return {
    ...DEFAULT_SEED,
    seatsPerEvent: Math.max(DEFAULT_SEED.seatsPerEvent, Math.ceil(SEAT_RATE_PER_SEC * seconds)),
  };
}

/** Thrown only when the run was interrupted: the cell is not recorded. */
export class Interrupted extends Error {}

/** The identity and settings of a cell, before any outcome. */
export function cellHead(
  config: BenchConfig,
  cell: PlannedCell,
): Omit<Cell, 'status' | 'reason' | 'code' | 'metrics' | 'correctness'> {
  return {
    key: cell.key,
    database: cell.database,
    strategy: cell.strategy,
    workload: cell.workload,
    profile: cell.profile,
    model: cell.model,
    connections: cell.connections,
    rate: cell.rate,
    repeat: cell.repeat,
    server: serverSettings(config, cell),
  };
}

/** A cell that did not run; `code` is the catalogue code of the error behind `reason`, if any. */
export function failedCell(config: BenchConfig, cell: PlannedCell, reason: string, code?: ErrorCode): Cell {
  const failed: Cell = {
    ...cellHead(config, cell),
    status: 'failed',
    reason,
    metrics: null,
    correctness: null,
  };
  return code ? { ...failed, code } : failed;
}

/**
 * Runs the load while sampling the database's lock waits on a side connection. The activity is
 * stopped by the caller after the server has stopped: PostgreSQL backends flush their statistics
 * when they exit, so counters read while the server's pool is still open lag behind.
 */
async function loadWithActivity(
  run: CellRun,
  server: ServerProcess,
  profile: ResolvedProfile,
  sizes: SeedSizes,
  warmup: { minSec: number; maxSec: number },
): Promise<{ load: LoadRun; finish: () => Promise<DbCounters>; interference: Interference | null }> {
  const admin = await openSql(run.target.spec, { max: 1 });
  let interference: ReturnType<typeof interferenceWindow> | null = null;
  const activity = await startDbActivity(admin).catch(async (e: unknown) => {
    await admin.close().catch(() => {});
    throw e;
  });
  const finish = async () => {
    try {
      return await activity.stop();
    } catch {
      return {} as DbCounters;
    } finally {
      await admin.close().catch(() => {});
    }
  };
  try {
    const load = await runLoad({
      cell: run.cell,
      config: run.config,
      profile,
      sizes,
      warmup,
      baseUrl: server.baseUrl,
      serverPid: server.pid,
      signal: run.signal,
      progress: run.progress,
      opIdPrefix: run.opIdPrefix,
      // A request may wait for a lock up to lockTimeout on each attempt: give it room before
      // the client calls it a timeout (indeterminate).
      timeoutSec: Math.max(10, Math.ceil((2 * run.config.lockTimeout) / 1000)),
      // The server's counters then cover the measured part, like the client's figures; requests
      // in flight at that moment are counted by the server only (at most one per connection).
      onMeasureStart: () => {
        interference = interferenceWindow(run.target.info.kind === 'throwaway');
        void server.resetStats().catch(() => {});
      },
    });
    const machine = (interference as ReturnType<typeof interferenceWindow> | null)?.stop() ?? null;
    await activity.endSampling();
    return { load, finish, interference: machine };
  } catch (e) {
    await finish();
    throw e;
  }
}

/**
 * One cell: check support, reset and seed, start the server, warm up and load, collect the
 * server's counters and the database's deltas, stop the server, check correctness, record.
 * A failure is a cell with status `failed` and its reason; only an interruption throws.
 */
export async function runCell(run: CellRun): Promise<Cell> {
  const { cell, config, target } = run;
  const head = cellHead(config, cell);
  const strategy = getStrategy(cell.strategy);
  const support = checkWorkloadSupport(cell.strategy, target.info, cell.workload);
  if (!support.ok)
    return { ...head, status: 'unsupported', reason: support.reason, metrics: null, correctness: null };

  let server: ServerProcess | null = null;
  const slot = run.servers ?? null;
  const cellStart = Date.now();
  try {
    const profile = resolveProfileSpec(cell.profile, cell.workload);
    const sizes = { ...runSeedSizes(config), ...profile.seed };
    await resetAndSeed(target.spec, sizes, { workloads: [cell.workload] });
    const launch = {
      args: serverArgs(config, cell, target.spec.schema),
      dbUrl: target.spec.url,
      entry: run.serverEntry,
    };
    server = slot ? await slot.acquire(launch, serverConfigureBody(config, cell)) : await startServer(launch);
    // Whether this cell's server process had served earlier cells (warm) or was new.
    const reused = server.startedAt < cellStart;
    const plan = warmupPlan(config);
    // A process that has served no cell yet climbs for about 5 s while its JIT warms (measured:
    // 800 -> 1,300 ok/s over 4-5 s on one hot row); an auto warm-up then lasts at least that long,
    // so a dip in the climb cannot pass for a plateau, and so does a fixed one when asked to.
    const floor = NEW_PROCESS_MIN_WARMUP_SEC;
    const warmup = reused
      ? plan
      : plan.maxSec > plan.minSec
        ? { minSec: Math.min(plan.maxSec, Math.max(plan.minSec, floor)), maxSec: plan.maxSec }
        : run.warmNewProcess && plan.minSec < floor
          ? { minSec: floor, maxSec: floor }
          : plan;
    const { load, finish, interference } = await loadWithActivity(run, server, profile, sizes, warmup);
    if (run.signal.aborted) {
      await finish();
      throw new Interrupted('interrupted');
    }
    const stats = await server.stats().catch(async (e: unknown) => {
      await finish();
      throw e;
    });
    const crashed = server.exited();
    if (slot) await slot.release(server, crashed === null);
    else await server.stop();
    server = null;
    const database = await finish();
    // With the server stopped, or its database sessions ended, nothing writes while the data is checked.
    const correctness = await checkRun(target.spec, {
      workload: cell.workload,
      claimsSafe: strategy.claimsSafe(cell.workload),
      acknowledged: load.acknowledged.map((op) => op.opId),
      indeterminate: load.indeterminate.map((op) => op.opId),
    });
    const metrics: Metrics = {
      ...load.metrics,
      retries: retriesFromStats(stats),
      errors: errorsFromStats(stats),
      database,
      interference,
    };
    const reason =
      crashed && crashed.code !== 0 && crashed.signal !== 'SIGTERM'
        ? `server exited with ${crashed.code ?? crashed.signal}`
        : null;
    return {
      ...head,
      server: { ...head.server, warmProcess: reused },
      status: cellStatus(correctness),
      reason,
      metrics,
      correctness,
    };
  } catch (e) {
    if (e instanceof Interrupted || run.signal.aborted) throw new Interrupted('interrupted');
    if (e instanceof UnsupportedError) {
      return { ...head, status: 'unsupported', reason: e.message, metrics: null, correctness: null };
    }
    const tail = server?.stderrTail();
    const why = (e as Error).message.split('\n')[0];
    return failedCell(
      config,
      cell,
      `${why}${tail ? ` (server: ${tail.split('\n').slice(-2).join(' | ')})` : ''}`,
      isLockbenchError(e) ? e.code : undefined,
    );
  } finally {
    if (server) await (slot ? slot.release(server, false) : server.stop()).catch(() => {});
  }
}
