/**
 * The conditions the figures were taken in, on the first screen: the load against the server's
 * pool, the CPU the harness itself used, the retry policy, and whether each cell was steady and
 * undisturbed (the cells that were not are marked wherever their figures appear).
 */

import { median } from '../bench/stats/median.ts';
import { unsteadyCause } from '../bench/stats/steady-state.ts';
import type { RunResult } from '../core/result-schema.ts';
import { DEFAULT_RETRY_POLICY } from '../strategies/retry.ts';
import type { Block, Text } from './document.ts';
import { strong, t } from './document.ts';
import { fmtCount, fmtPercent, fmtRatio, plural } from './format.ts';
import type { Group, MeasuredCell } from './groups.ts';
import { levelLabel } from './groups.ts';
import { SUSPECT_MARK, UNSTEADY_MARK, UNSTEADY_WORDS } from './quality-marks.ts';

function measuredCells(groups: readonly Group[]): { group: Group; cell: MeasuredCell }[] {
  return groups.flatMap((group) => group.rows.flatMap((r) => r.measured.map((cell) => ({ group, cell }))));
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

/** "32 connections share a pool of 10: 22 of them wait for a database connection ..." per distinct setup. */
function poolLines(groups: readonly Group[]): string[] {
  const seen = new Map<string, string>();
  for (const { group, cell } of measuredCells(groups)) {
    const pool = num(cell.server.pool);
    if (pool === null) continue;
    const workers = num(cell.server.workers) ?? 1;
    const total = pool * workers;
    const poolWords =
      workers > 1
        ? `${fmtCount(total)} database connections (pool ${pool} x ${workers} workers)`
        : `a pool of ${fmtCount(pool)}`;
    const n = cell.connections;
    const key = JSON.stringify([group.model, n, pool, workers]);
    if (seen.has(key)) continue;
    let line: string;
    if (group.model === 'open') {
      line = `up to ${fmtCount(n)} requests in flight share ${poolWords}`;
    } else if (n > total) {
      line = `${levelLabel('connections', n)} share ${poolWords}: while every pooled connection is busy, ${fmtCount(n - total)} of ${fmtCount(n)} requests wait for one, so about ${fmtPercent((n - total) / n)} of each request's latency can be pool wait, not lock wait`;
    } else {
      line = `${levelLabel('connections', n)} against ${poolWords}: every request can hold a database connection, so waits are lock waits`;
    }
    seen.set(key, line);
  }
  return [...seen.values()];
}

function harnessCpu(groups: readonly Group[], cores: number): string | null {
  const cells = measuredCells(groups)
    .map(({ cell }) => cell.metrics)
    .filter((m) => m.durationSec > 0);
  if (cells.length === 0) return null;
  const both = cells.map((m) => (m.cpu.driverSec + m.cpu.serverSec) / m.durationSec);
  const driver = cells.map((m) => m.cpu.driverSec / m.durationSec);
  return `the load driver and the strategy server together used ${fmtRatio(median(both))} CPU-seconds per second (median over cells; max ${fmtRatio(Math.max(...both))}) of the machine's ${plural(cores, 'core')}, the driver alone ${fmtRatio(median(driver))} (max ${fmtRatio(Math.max(...driver))}): CPU the database could not use`;
}

function retryPolicy(result: RunResult): string {
  const attempts = [
    ...new Set(result.cells.map((c) => c.server.maxAttempts).filter((v) => typeof v === 'number')),
  ] as number[];
  const max =
    attempts.length > 0
      ? attempts.sort((a, b) => a - b).join(' or ')
      : String(DEFAULT_RETRY_POLICY.maxAttempts);
  const { baseMs, capMs } = DEFAULT_RETRY_POLICY;
  return `a conflicting operation is tried at most ${max} times in all (then the client gets a 409 conflict); before attempt n + 1 the server waits a random time uniform in [0, min(${capMs}, ${baseMs} x 2^(n-1))) ms ("full jitter")`;
}

function steadiness(groups: readonly Group[]): { summary: string; flagged: Text[] } {
  const cells = measuredCells(groups);
  const judged = cells.filter(({ cell }) => cell.metrics.steady !== undefined);
  const flagged: Text[] = [];
  const where = (group: Group, cell: MeasuredCell) =>
    `${cell.strategy} at ${levelLabel(group.levelKind, group.model === 'open' && cell.rate !== null ? cell.rate : cell.connections)}, ${group.workload}/${group.profile} on ${group.database}${cell.repeat > 0 ? ` (repeat ${cell.repeat + 1})` : ''}`;
  if (judged.length === 0) {
    return {
      summary:
        'not recorded in this run (it predates steady-state checks): figures may include the warm-up climb of a fresh server process',
      flagged,
    };
  }
  const steady = judged.filter(({ cell }) => cell.metrics.steady?.steady === true).length;
  const warm = judged.map(({ cell }) => cell.metrics.steady?.warmupSec ?? 0);
  const capped = judged.filter(({ cell }) => cell.metrics.steady?.warmupCapped === true).length;
  const auto = judged.filter(({ cell }) => cell.metrics.steady?.warmupPolicy === 'auto').length;
  const causes = { trend: 0, bursty: 0 };
  for (const { group, cell } of judged) {
    const s = cell.metrics.steady;
    const cause = s ? unsteadyCause(s, cell.metrics.timeseries.length) : null;
    if (!s || !cause) continue;
    causes[cause]++;
    flagged.push(
      t(
        strong(`${UNSTEADY_MARK} not steady, ${UNSTEADY_WORDS[cause]}:`),
        ` ${where(group, cell)}: trend ${s.trendPctPerSec >= 0 ? '+' : ''}${s.trendPctPerSec.toFixed(1)}%/s, CoV ${fmtRatio(s.cov)}, last second ${fmtRatio(s.lastToMean)} x the mean${s.monotoneClimb ? ', climbing every second' : ''}${s.warmupCapped ? ', warm-up stopped at its cap' : ''}.`,
      ),
    );
  }
  const rule = judged[0]?.cell.metrics.steady?.rule;
  const ruleWords = rule
    ? ` (goodput trend within ±${rule.maxTrendPctPerSec}%/s, CoV at most ${rule.maxCov}, last second within ${fmtPercent(rule.maxLastDeviation)} of the mean)`
    : '';
  const autoWords =
    auto > 0
      ? `; the warm-up was automatic for ${fmtCount(auto)} cells: ${fmtCount(auto - capped)} ended when goodput settled${capped > 0 ? `, ${fmtCount(capped)} at the cap without settling` : ''}`
      : '';
  return {
    summary: `${fmtCount(steady)} of ${fmtCount(judged.length)} measured cells were steady${ruleWords}${steady < judged.length ? ` (of the others, ${fmtCount(causes.bursty)} level but bursty, with no significant trend: only their intervals are wide; ${fmtCount(causes.trend)} still changing)` : ''}; warm-up took ${median(warm).toFixed(1)} s (median), at most ${Math.max(...warm).toFixed(1)} s${autoWords}`,
    flagged,
  };
}

function interference(groups: readonly Group[]): { summary: string; flagged: Text[] } {
  const cells = measuredCells(groups);
  const read = cells.filter(({ cell }) => cell.metrics.interference);
  const flagged: Text[] = [];
  if (read.length === 0) {
    const recorded = cells.some(({ cell }) => cell.metrics.interference === null);
    return {
      summary: recorded
        ? 'could not be read on this machine (/proc is Linux only).'
        : 'not recorded in this run (it predates interference measurement).',
      flagged,
    };
  }
  const shares = read.map(({ cell }) => cell.metrics.interference?.otherShare ?? 0);
  const suspect = read.filter(({ cell }) => cell.metrics.interference?.suspect);
  for (const { group, cell } of suspect) {
    const i = cell.metrics.interference;
    if (!i) continue;
    flagged.push(
      t(
        strong(`${SUSPECT_MARK} disturbed:`),
        ` ${cell.strategy} at ${levelLabel(group.levelKind, cell.connections)}, ${group.workload}/${group.profile} on ${group.database}: other processes and steal took ${fmtPercent(i.otherShare)} of the machine (${i.otherSec.toFixed(1)} CPU-s other, ${i.stealSec.toFixed(1)} s steal).`,
      ),
    );
  }
  const db = read.some(({ cell }) => cell.metrics.interference?.databaseCounted === false)
    ? ' An external database on this host counts as other.'
    : '';
  return {
    summary: `other processes took a median ${fmtPercent(median(shares))} of the machine's CPU while cells were measured (max ${fmtPercent(Math.max(...shares))}); ${plural(suspect.length, 'cell')} at 15% or more ${suspect.length === 1 ? 'is' : 'are'} marked ${SUSPECT_MARK}.${db}`,
    flagged,
  };
}

export function conditionsBlocks(result: RunResult, groups: readonly Group[]): Block[] {
  if (groups.length === 0) return [];
  const items: Text[] = [];
  const pools = poolLines(groups);
  if (pools.length > 0) items.push(t(strong('Load and pool:'), ` ${pools.join('; ')}.`));
  const cpu = harnessCpu(groups, result.environment.cpuCount);
  if (cpu) items.push(t(strong('Harness CPU:'), ` ${cpu}.`));
  items.push(t(strong('Retries:'), ` ${retryPolicy(result)}.`));
  const s = steadiness(groups);
  items.push(t(strong('Steady state:'), ` ${s.summary}.`));
  const i = interference(groups);
  items.push(t(strong('Interference:'), ` ${i.summary}`));
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Test conditions', id: 'conditions' },
    { kind: 'list', items, tone: 'note' },
  ];
  const flagged = [...s.flagged, ...i.flagged];
  if (flagged.length > 0) blocks.push({ kind: 'list', items: flagged, tone: 'warning' });
  return blocks;
}
