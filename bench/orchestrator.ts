import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { openSql } from '../core/connect.ts';
import { type ErrorCode, isLockbenchError, LockbenchError } from '../core/errors.ts';
import type { AbComparison, Cell, RunResult, SkippedDatabase } from '../core/result-schema.ts';
import type { BenchConfig, DbId } from './config.ts';
import { connectExternal } from './databases/external.ts';
import { findMysqlServerBinary, MYSQL_FIX, startThrowawayMysql } from './databases/mysql-throwaway.ts';
import { startThrowawayPostgres } from './databases/postgres-throwaway.ts';
import type { DatabaseTarget } from './databases/target.ts';
import { newRunId } from './environment.ts';
import type { LoadProgress } from './load/recorder.ts';
import { estimateSeconds, type PlannedCell, planCells } from './plan.ts';
import { createRunDir, updateLatest, writeRunJson } from './results-writer.ts';
import { failedCell, Interrupted, runCell } from './run-cell.ts';
import { runHeader } from './run-header.ts';
import { ServerSlots, serverKey } from './server-slot.ts';
import { describeWriteFailure, rescueRun } from './write-failure.ts';

/** How a database will be provided, decided before anything starts. */
export interface DatabasePlan {
  id: DbId;
  source: 'throwaway' | 'external';
  /** For external targets: the URL (with credentials; never printed). */
  url?: string;
}

export interface Plan {
  databases: DatabasePlan[];
  skipped: SkippedDatabase[];
  cells: PlannedCell[];
  estimateSec: number;
}

/**
 * Decides which databases a run uses and the cells it runs, without starting anything.
 * PostgreSQL always (throwaway unless a URL is given); the MySQL family when a URL is given or a
 * server binary is installed. A database the user named explicitly but cannot have is an error.
 */
export function makePlan(config: BenchConfig, mysqlBinary = findMysqlServerBinary()): Plan {
  const explicit = config.db !== undefined;
  const wanted: DbId[] = config.db ?? ['postgres', 'mysql'];
  const databases: DatabasePlan[] = [];
  const skipped: Plan['skipped'] = [];
  for (const id of wanted) {
    if (id === 'postgres') {
      databases.push(
        config.pgUrl ? { id, source: 'external', url: config.pgUrl } : { id, source: 'throwaway' },
      );
    } else if (config.mysqlUrl) {
      databases.push({ id, source: 'external', url: config.mysqlUrl });
    } else if (mysqlBinary) {
      databases.push({ id, source: 'throwaway' });
    } else if (explicit) {
      throw new LockbenchError(
        'LOCKBENCH_DB_UNAVAILABLE',
        `--db mysql: no mariadbd or mysqld found: ${MYSQL_FIX}`,
      );
    } else {
      skipped.push({
        id,
        reason: `no MySQL-family server installed and no --mysql-url: ${MYSQL_FIX}`,
        code: 'LOCKBENCH_DB_UNAVAILABLE',
      });
    }
  }
  const cells = planCells(
    config,
    databases.map((d) => d.id),
  );
  return { databases, skipped, cells, estimateSec: estimateSeconds(config, cells.length) };
}

/** Events the orchestrator emits; the CLI's display subscribes. The orchestrator never prints. */
export interface RunEvents {
  plan: [Plan];
  'database-ready': [DatabaseTarget['info']];
  'database-skipped': [SkippedDatabase];
  /** `side` and `pair`: on A/B runs, which side of which pair (0-based) the cell is. */
  'cell-start': [PlannedCell, { index: number; total: number; side?: 'A' | 'B'; pair?: number }];
  'cell-end': [Cell, { index: number; total: number; side?: 'A' | 'B'; pair?: number }];
  /** A/B runs: a cell of the matrix has stopped sampling; its ratios and verdicts. */
  'ab-comparison': [AbComparison];
  /** Per-second progress of the load driver (see bench/load). */
  progress: [LoadProgress];
  written: [{ dir: string; files: string[] }];
}

export interface RunOptions {
  config: Readonly<BenchConfig>;
  events: EventEmitter<RunEvents>;
  /** Ctrl-C: the current cell stops, what finished is written. */
  signal: AbortSignal;
  /** Renders and writes reports and exports next to run.json; returns the files written. */
  writeArtifacts?: (result: RunResult, dir: string) => Promise<string[]>;
}

export interface RunOutcome {
  result: RunResult;
  dir: string;
  /** 0 all ran and no safe-claiming strategy broke an invariant; 1 otherwise; 130 interrupted. */
  exitCode: number;
  /**
   * Results could not be written (a full disk): what failed, with the free space, and where the
   * run was written instead. The result above is complete all the same.
   */
  writeError?: string;
}

export async function startTarget(d: DatabasePlan, config: BenchConfig): Promise<DatabaseTarget> {
  if (d.source === 'external' && d.url) return connectExternal(d.id, d.url);
  return d.id === 'postgres'
    ? startThrowawayPostgres({ durability: config.durability })
    : startThrowawayMysql({ durability: config.durability });
}

async function reachable(target: DatabaseTarget): Promise<boolean> {
  try {
    const sql = await openSql(target.spec, { max: 1, withSchema: false });
    try {
      await sql.query('SELECT 1');
      return true;
    } finally {
      await sql.close().catch(() => {});
    }
  } catch {
    return false;
  }
}

export { redactConfig, redactUrl } from '../core/redact.ts';

export async function runBench(opts: RunOptions, plan: Plan = makePlan(opts.config)): Promise<RunOutcome> {
  const { config, events, signal } = opts;
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const dir = createRunDir(config.out, runId);
  events.emit('plan', plan);

  const targets = new Map<DbId, DatabaseTarget>();
  /** Databases that could not start or stopped answering: why, and the catalogue code if any. */
  const gone = new Map<string, { reason: string; code?: ErrorCode }>();
  const skipped = [...plan.skipped];
  const cells: Cell[] = [];
  // One warm strategy server per database, reconfigured between its cells (bench/server-slot.ts).
  const slots = new ServerSlots([config]);
  let interrupted = false;

  const header = runHeader(
    runId,
    startedAt,
    config as BenchConfig,
    plan.databases.map((d) => d.id),
  );
  const snapshot = (): RunResult => ({
    ...header,
    finishedAt: new Date().toISOString(),
    interrupted,
    databases: [...targets.values()].map((t) => t.info),
    skippedDatabases: skipped,
    cells,
  });

  try {
    const started = await Promise.allSettled(
      plan.databases.map((d) => startTarget(d, config as BenchConfig)),
    );
    started.forEach((s, i) => {
      const d = plan.databases[i] as DatabasePlan;
      if (s.status === 'fulfilled') {
        targets.set(d.id, s.value);
        events.emit('database-ready', s.value.info);
      } else {
        const e = s.reason as Error;
        const skip: SkippedDatabase = isLockbenchError(e)
          ? { id: d.id, reason: e.message, code: e.code }
          : { id: d.id, reason: e.message };
        skipped.push(skip);
        gone.set(d.id, skip);
        events.emit('database-skipped', skip);
      }
    });

    const total = plan.cells.length;
    const opIdPrefix = runId.slice(-4);
    for (const [index, planned] of plan.cells.entries()) {
      if (signal.aborted) {
        interrupted = true;
        break;
      }
      const target = targets.get(planned.database);
      events.emit('cell-start', planned, { index, total });
      let cell: Cell;
      if (!target || gone.has(planned.database)) {
        const why = gone.get(planned.database);
        cell = failedCell(
          config as BenchConfig,
          planned,
          // The first line only: the full reason (with a log tail) is on the cell that found it.
          `database ${planned.database} unavailable: ${why?.reason.split('\n')[0] ?? 'not started'}`,
          why?.code,
        );
      } else {
        try {
          cell = await runCell({
            config,
            target,
            cell: planned,
            signal,
            progress: events,
            opIdPrefix: `${opIdPrefix}${index.toString(36)}`,
            servers: slots.for(planned),
          });
        } catch (e) {
          if (e instanceof Interrupted) {
            interrupted = true;
            break;
          }
          throw e;
        }
        if (cell.status === 'failed' && !(await reachable(target))) {
          // Read before stop() removes the directory: a full disk or a crash says why here.
          const tail = target.logTail?.();
          const reason = `database ${target.id} stopped answering during the run (${cell.reason ?? 'no reason'})${tail ? `\n--- last lines of its log ---\n${tail}` : ''}`;
          // Whatever the driver said, the cause is a database that cannot be reached any more.
          const code = 'LOCKBENCH_DB_UNREACHABLE';
          gone.set(planned.database, { reason, code });
          cell = { ...cell, reason, code };
        }
      }
      cells.push(cell);
      // No later cell has this cell's key: its warm process may serve the next new key (server-slot.ts).
      if (!plan.cells.slice(index + 1).some((c) => serverKey(c) === serverKey(planned))) {
        await slots.retire(planned);
      }
      events.emit('cell-end', cell, { index, total });
      // A checkpoint after every cell: a crash of the harness itself still leaves what ran. A
      // failed checkpoint (a full disk) does not stop the run: the cells stay in memory.
      try {
        writeRunJson(dir, snapshot());
      } catch (e) {
        if (isLockbenchError(e)) throw e;
      }
    }
  } finally {
    await slots.discardAll();
    await Promise.allSettled([...targets.values()].map((t) => t.stop()));
  }

  const result = snapshot();
  let writeError: string | undefined;
  try {
    const files = [writeRunJson(dir, result)];
    if (opts.writeArtifacts) files.push(...(await opts.writeArtifacts(result, dir)));
    updateLatest(config.out, dir);
    events.emit('written', { dir, files });
  } catch (e) {
    if (isLockbenchError(e)) throw e;
    const rescued = rescueRun(result);
    writeError = `${describeWriteFailure((e as NodeJS.ErrnoException).path ?? join(dir, 'run.json'), e)}; the ${cells.length} finished cell(s) ${rescued ? `were written to ${rescued}` : 'could not be written anywhere (use --json to print them)'}`;
  }

  const bad = cells.some((c) => c.status === 'failed' || c.status === 'unsafe') || gone.size > 0;
  const exitCode = interrupted ? 130 : bad || writeError ? 1 : 0;
  return writeError ? { result, dir, exitCode, writeError } : { result, dir, exitCode };
}

export { EventEmitter };
