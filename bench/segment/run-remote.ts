import type { Cell, Metrics, RunResult } from '../../core/result-schema.ts';
import { type BenchConfig, warmupPlan } from '../config.ts';
import { newRunId } from '../environment.ts';
import { runLoad } from '../load/run-load.ts';
import { writeOperations } from '../merge/operations-file.ts';
import type { RunOptions, RunOutcome } from '../orchestrator.ts';
import { type PlannedCell, planCells } from '../plan.ts';
import { resolveProfileSpec } from '../profile-spec.ts';
import { createRunDir, updateLatest, writeRunJson } from '../results-writer.ts';
import { cellHead, failedCell, runSeedSizes } from '../run-cell.ts';
import { runHeader } from '../run-header.ts';
import { errorsFromStats, retriesFromStats } from '../server-stats.ts';
import { everyAddress, RemoteServers } from './remote-servers.ts';
import { type SegmentSpec, segmentSeed, segmentTag, serverFor, shareOf, WHOLE } from './segment.ts';

/** A start more than this late (ms) after --start-at means the segments do not measure the same seconds. */
export const LATE_START_MS = 1000;

/** The one cell a run against servers elsewhere drives (the command line allows exactly one). */
export function remoteCell(config: BenchConfig): PlannedCell {
  const [cell, ...more] = planCells(config, [config.db?.[0] ?? 'postgres']);
  if (!cell || more.length) throw new RangeError('a run against servers elsewhere drives exactly one cell');
  return cell;
}

const NO_STATS: Pick<Metrics, 'retries' | 'errors'> = {
  retries: { extraAttemptsPerSuccess: 0, retriedShare: 0, attemptsHistogram: {} },
  errors: { deadlock: 0, serialization: 0, lockNotAvailable: 0, lockTimeout: 0, other: 0 },
};

async function sleepUntil(epochMs: number, signal: AbortSignal): Promise<void> {
  const wait = epochMs - Date.now();
  if (wait <= 0) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, wait);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/**
 * One segment of one cell against strategy servers that run elsewhere (--server-url): no
 * database and no server is started here. The database was seeded before (`npm run seed`); the
 * correctness check runs once on every segment's operations (`npm run check`). Segment 1 owns
 * the servers' counters (every address of the --stats-url hosts, or the --server-url list): it
 * resets them when the measured part starts and reads them at its end, so merged segments count
 * each retry once; the others record none.
 */
async function driveSegment(
  config: Readonly<BenchConfig>,
  planned: PlannedCell,
  segment: SegmentSpec,
  opts: RunOptions,
  opIdPrefix: string,
): Promise<{ cell: Cell; acknowledged: string[]; indeterminate: string[] }> {
  const urls = config.serverUrl ?? [];
  const servers = new RemoteServers([serverFor(urls, segment)]);
  const checked = new RemoteServers(urls);
  const head = { ...cellHead(config as BenchConfig, planned) };
  head.server = { ...head.server, remoteServers: urls.length };
  const none = { acknowledged: [], indeterminate: [] };
  const mismatch = await checked.mismatch(planned.strategy, planned.workload);
  if (mismatch) return { cell: failedCell(config as BenchConfig, planned, mismatch), ...none };
  const profile = resolveProfileSpec(planned.profile, planned.workload);
  const sizes = { ...runSeedSizes(config), ...profile.seed };
  if (config.startAt !== undefined) {
    await sleepUntil(config.startAt, opts.signal);
    const late = Date.now() - config.startAt;
    if (late > LATE_START_MS)
      return {
        cell: failedCell(
          config as BenchConfig,
          planned,
          `started ${late} ms after --start-at ${config.startAt}: give the segments more time to start`,
        ),
        ...none,
      };
  }
  const ownsStats = segment.index === 1;
  // Every server once: each address of the --stats-url hosts (a headless Service: every pod), or
  // the --server-url list as given.
  const owner = new RemoteServers(
    !ownsStats ? [] : config.statsUrl ? await everyAddress(config.statsUrl) : urls,
  );
  const load = await runLoad({
    cell: {
      workload: planned.workload,
      model: planned.model,
      connections: shareOf(planned.connections, segment),
      rate: planned.rate === null ? null : shareOf(planned.rate, segment),
    },
    config: { duration: config.duration, seed: segmentSeed(config.seed, segment) },
    warmup: warmupPlan(config),
    profile,
    sizes,
    baseUrl: servers.urls[0] as string,
    signal: opts.signal,
    progress: opts.events,
    opIdPrefix,
    timeoutSec: Math.max(10, Math.ceil((2 * config.lockTimeout) / 1000)),
    onMeasureStart: ownsStats ? () => void owner.resetStats().catch(() => {}) : undefined,
  });
  const stats = ownsStats ? await owner.stats() : null;
  const metrics: Metrics = {
    ...load.metrics,
    ...(stats ? { retries: retriesFromStats(stats), errors: errorsFromStats(stats) } : NO_STATS),
    database: {},
    interference: null,
  };
  return {
    cell: { ...head, status: 'ok', reason: null, metrics, correctness: null },
    acknowledged: load.acknowledged.map((op) => op.opId),
    indeterminate: load.indeterminate.map((op) => op.opId),
  };
}

/**
 * A run that drives servers elsewhere: its one cell (or segment of it), written as a partial
 * run (run.json with `segment`, and operations.json) for `npm run merge` and `npm run check`.
 */
export async function runRemote(opts: RunOptions): Promise<RunOutcome> {
  const { config, events } = opts;
  const segment = config.segment ?? WHOLE;
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const dir = createRunDir(config.out, runId);
  const planned = remoteCell(config as BenchConfig);
  events.emit('plan', { databases: [], skipped: [], cells: [planned], estimateSec: 0 });
  events.emit('cell-start', planned, { index: 0, total: 1 });
  const opIdPrefix = `${runId.slice(-4)}${segmentTag(segment)}`;
  let driven: Awaited<ReturnType<typeof driveSegment>>;
  try {
    driven = await driveSegment(config, planned, segment, opts, opIdPrefix);
  } catch (e) {
    driven = {
      cell: failedCell(config as BenchConfig, planned, (e as Error).message.split('\n')[0] ?? 'failed'),
      acknowledged: [],
      indeterminate: [],
    };
  }
  const interrupted = opts.signal.aborted;
  events.emit('cell-end', driven.cell, { index: 0, total: 1 });
  const result: RunResult = {
    ...runHeader(runId, startedAt, config as BenchConfig, [planned.database]),
    finishedAt: new Date().toISOString(),
    interrupted,
    databases: [],
    skippedDatabases: [],
    cells: interrupted ? [] : [driven.cell],
    segment: { ...segment, startAt: config.startAt ?? null },
  };
  const files = [writeRunJson(dir, result)];
  if (!interrupted)
    files.push(
      writeOperations(dir, [
        {
          key: planned.key,
          repeat: planned.repeat,
          acknowledged: driven.acknowledged,
          indeterminate: driven.indeterminate,
        },
      ]),
    );
  if (opts.writeArtifacts) files.push(...(await opts.writeArtifacts(result, dir)));
  updateLatest(config.out, dir);
  events.emit('written', { dir, files });
  return { result, dir, exitCode: interrupted ? 130 : driven.cell.status === 'failed' ? 1 : 0 };
}
