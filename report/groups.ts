import { figureInterval } from '../bench/stats/cell-interval.ts';
import { type MergedLatency, mergedLatency } from '../bench/stats/merged-latency.ts';
import { STRATEGY_NAMES } from '../core/names.ts';
import type { Cell, Correctness, DatabaseInfo, Interval, Metrics, RunResult } from '../core/result-schema.ts';
import { BUILTIN_WORKLOADS } from '../workloads/registry.ts';
import type { Figure } from './stats.ts';
import { figureOf } from './stats.ts';
import { hasViolations } from './violations.ts';

/**
 * The report's view of a run: cells grouped into comparisons (workload x profile x database x
 * model), and inside a group one row per strategy and load level with its repeats folded into
 * figures (median and spread). Everything the renderers show is derived from here.
 */

/** A cell that produced measurements. */
export type MeasuredCell = Cell & { metrics: Metrics };

/** How a row's repeats fared on correctness. */
export interface RowCorrectness {
  /**
   * correct: every measured repeat was checked and had no violation; violated: at least one repeat
   * broke an invariant (or the run marked it unsafe); unchecked: measured but not (all) checked;
   * none: nothing was measured.
   */
  state: 'correct' | 'violated' | 'unchecked' | 'none';
  /** The repeat with the most violations (the one the report describes), when any. */
  worst: Correctness | null;
  /** Repeats with violations, out of `measured`. */
  violatedRepeats: number;
  measuredRepeats: number;
  /** Whether the strategy claims to keep the workload's invariants (from the checks). */
  claimsSafe: boolean;
}

/** Medians and spreads over a row's measured repeats. */
export interface RowFigures {
  goodput: Figure;
  requestsPerSec: Figure;
  p50: Figure;
  p90: Figure;
  p99: Figure;
  p999: Figure;
  max: Figure;
  /** p99 over successful responses only. */
  okP99: Figure;
  extraAttemptsPerSuccess: Figure;
  retriedShare: Figure;
  errors: {
    deadlock: Figure;
    serialization: Figure;
    lockNotAvailable: Figure;
    lockTimeout: Figure;
    other: Figure;
  };
  outcomes: {
    sent: Figure;
    ok: Figure;
    rejected: Figure;
    conflict: Figure;
    error: Figure;
    timeout: Figure;
    inFlight: Figure;
    dropped: Figure;
  };
  /** Load-driver CPU seconds per wall second (1 = one full core). */
  driverCpu: Figure;
  durationSec: Figure;
}

export interface Row {
  strategy: string;
  /** Connections (closed model) or target rate in requests/s (open model). */
  level: number;
  connections: number;
  rate: number | null;
  /** All repeats, in repeat order. */
  cells: Cell[];
  /** Repeats with measurements (status ok or unsafe). */
  measured: MeasuredCell[];
  /** Repeats that failed or were unsupported. */
  notRun: Cell[];
  figures: RowFigures | null;
  /**
   * Percentiles of the measured repeats' histograms added together (every response counted once);
   * null when a repeat has no histograms (runs before schema 2) or nothing was measured.
   */
  merged: MergedLatency | null;
  /**
   * 95% intervals of the ranked figures, by the one rule in bench/stats/cell-interval.ts (over the
   * repeats when there are two or more, else the cell's own); null where none exists.
   */
  intervals: { goodput: Interval | null; p99: Interval | null };
  quality: RowQuality;
  correctness: RowCorrectness;
}

/** Whether a row's figures were taken in conditions that weaken them. */
export interface RowQuality {
  /** Repeats whose measured window never settled (steady = false). */
  unsteady: number;
  /** Repeats measured while something else took a large share of the machine. */
  suspect: number;
}

export interface Group {
  /** Filesystem- and anchor-safe id, unique within the run. */
  id: string;
  workload: string;
  profile: string;
  database: string;
  model: 'closed' | 'open';
  db: DatabaseInfo | undefined;
  /** What the level axis means in this group. */
  levelKind: 'connections' | 'rate';
  /** Distinct levels, ascending. */
  levels: number[];
  /** Strategies in canonical order (core/names.ts), unknown names last. */
  strategies: string[];
  /** Sorted by level, then strategy. */
  rows: Row[];
}

const PRODUCT_NAMES: Record<DatabaseInfo['product'], string> = {
  postgresql: 'PostgreSQL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  cockroachdb: 'CockroachDB',
  yugabytedb: 'YugabyteDB',
  tidb: 'TiDB',
};

export function productLabel(db: DatabaseInfo): string {
  return `${PRODUCT_NAMES[db.product]} ${db.version}`;
}

/** "postgres (PostgreSQL 18.4)"; the bare id when the run does not describe the database. */
export function databaseLabel(group: Pick<Group, 'database' | 'db'>): string {
  return group.db ? `${group.database} (${productLabel(group.db)})` : group.database;
}

/** "mysql (MariaDB 10.11)": major.minor only, for tight spaces; the environment section has the full version. */
export function shortDatabaseLabel(group: Pick<Group, 'database' | 'db'>): string {
  if (!group.db) return group.database;
  const version = /^\d+(?:\.\d+)?/.exec(group.db.version)?.[0] ?? group.db.version;
  return `${group.database} (${PRODUCT_NAMES[group.db.product]} ${version})`;
}

export function groupTitle(group: Group): string {
  return `${group.workload} · ${group.profile} · ${databaseLabel(group)} · ${group.model} model`;
}

/** "32 connections", "500 req/s". */
export function levelLabel(kind: Group['levelKind'], level: number): string {
  if (kind === 'rate') return `${level} req/s`;
  return level === 1 ? '1 connection' : `${level} connections`;
}

export function levelUnit(kind: Group['levelKind']): string {
  return kind === 'rate' ? 'req/s' : 'connections';
}

/** Orders names by their index in `canonical`, unknown names after them alphabetically. */
export function canonicalOrder(canonical: readonly string[]): (a: string, b: string) => number {
  const rank = (s: string) => {
    const i = canonical.indexOf(s);
    return i === -1 ? canonical.length : i;
  };
  return (a, b) => rank(a) - rank(b) || a.localeCompare(b);
}

export const byStrategy = canonicalOrder(STRATEGY_NAMES);

function levelOf(cell: Cell): number {
  return cell.model === 'open' && cell.rate !== null ? cell.rate : cell.connections;
}

function isMeasured(cell: Cell): cell is MeasuredCell {
  return (cell.status === 'ok' || cell.status === 'unsafe') && cell.metrics !== null;
}

function slug(s: string): string {
  const out = s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return out === '' ? 'x' : out.slice(0, 40);
}

function summarize(cells: readonly MeasuredCell[]): RowFigures | null {
  if (cells.length === 0) return null;
  const f = (pick: (m: Metrics) => number) => figureOf(cells.map((c) => pick(c.metrics)));
  return {
    goodput: f((m) => m.goodputPerSec),
    requestsPerSec: f((m) => m.requestsPerSec),
    p50: f((m) => m.latencyMs.p50),
    p90: f((m) => m.latencyMs.p90),
    p99: f((m) => m.latencyMs.p99),
    p999: f((m) => m.latencyMs.p999),
    max: f((m) => m.latencyMs.max),
    okP99: f((m) => m.successLatencyMs.p99),
    extraAttemptsPerSuccess: f((m) => m.retries.extraAttemptsPerSuccess),
    retriedShare: f((m) => m.retries.retriedShare),
    errors: {
      deadlock: f((m) => m.errors.deadlock),
      serialization: f((m) => m.errors.serialization),
      lockNotAvailable: f((m) => m.errors.lockNotAvailable),
      lockTimeout: f((m) => m.errors.lockTimeout),
      other: f((m) => m.errors.other),
    },
    outcomes: {
      sent: f((m) => m.outcomes.sent),
      ok: f((m) => m.outcomes.ok),
      rejected: f((m) => m.outcomes.rejected),
      conflict: f((m) => m.outcomes.conflict),
      error: f((m) => m.outcomes.error),
      timeout: f((m) => m.outcomes.timeout),
      inFlight: f((m) => m.outcomes.inFlight),
      dropped: f((m) => m.outcomes.dropped),
    },
    driverCpu: f((m) => (m.durationSec > 0 ? m.cpu.driverSec / m.durationSec : 0)),
    durationSec: f((m) => m.durationSec),
  };
}

function correctnessOf(measured: readonly MeasuredCell[]): RowCorrectness {
  const checked = measured.map((c) => c.correctness).filter((c): c is Correctness => c?.checked === true);
  const violated = measured.filter(
    (c) => c.status === 'unsafe' || (c.correctness !== null && hasViolations(c.correctness)),
  );
  let worst: Correctness | null = null;
  for (const c of checked) if (worst === null || c.violations > worst.violations) worst = c;
  const state: RowCorrectness['state'] =
    measured.length === 0
      ? 'none'
      : violated.length > 0
        ? 'violated'
        : checked.length === measured.length
          ? 'correct'
          : 'unchecked';
  return {
    state,
    worst,
    violatedRepeats: violated.length,
    measuredRepeats: measured.length,
    claimsSafe: checked.some((c) => c.claimsSafe) || measured.some((c) => c.status === 'unsafe'),
  };
}

/** Groups a run's cells for the report. Pure; the order is stable (workload, profile, database, model). */
export function groupCells(result: RunResult): Group[] {
  const dbOrder = result.databases.map((d) => d.id);
  const profileOrder: string[] = [];
  for (const c of result.cells) if (!profileOrder.includes(c.profile)) profileOrder.push(c.profile);

  const groups = new Map<string, Cell[]>();
  for (const cell of result.cells) {
    const k = JSON.stringify([cell.workload, cell.profile, cell.database, cell.model]);
    const list = groups.get(k);
    if (list) list.push(cell);
    else groups.set(k, [cell]);
  }

  const byWorkload = canonicalOrder(Object.keys(BUILTIN_WORKLOADS));
  const byProfile = canonicalOrder(profileOrder);
  const byDatabase = canonicalOrder(dbOrder);
  const usedIds = new Set<string>();

  const out: Group[] = [];
  for (const cells of groups.values()) {
    const first = cells[0] as Cell;
    const rowsByKey = new Map<string, Cell[]>();
    for (const cell of cells) {
      const k = JSON.stringify([cell.strategy, levelOf(cell)]);
      const list = rowsByKey.get(k);
      if (list) list.push(cell);
      else rowsByKey.set(k, [cell]);
    }
    const rows: Row[] = [...rowsByKey.values()].map((repeats) => {
      const sorted = [...repeats].sort((a, b) => a.repeat - b.repeat);
      const head = sorted[0] as Cell;
      const measured = sorted.filter(isMeasured);
      return {
        strategy: head.strategy,
        level: levelOf(head),
        connections: head.connections,
        rate: head.rate,
        cells: sorted,
        measured,
        notRun: sorted.filter((c) => c.status === 'failed' || c.status === 'unsupported'),
        figures: summarize(measured),
        merged: mergedLatency(measured.map((c) => c.metrics)),
        intervals: {
          goodput: figureInterval(
            measured.map((c) => c.metrics),
            'goodputPerSec',
          ),
          p99: figureInterval(
            measured.map((c) => c.metrics),
            'p99Ms',
          ),
        },
        quality: {
          unsteady: measured.filter((c) => c.metrics.steady?.steady === false).length,
          suspect: measured.filter((c) => c.metrics.interference?.suspect === true).length,
        },
        correctness: correctnessOf(measured),
      };
    });
    rows.sort((a, b) => a.level - b.level || byStrategy(a.strategy, b.strategy));
    const levels = [...new Set(rows.map((r) => r.level))].sort((a, b) => a - b);
    const strategies = [...new Set(rows.map((r) => r.strategy))].sort(byStrategy);

    const base = slug(`${first.workload}-${first.profile}-${first.database}-${first.model}`);
    let id = base;
    for (let i = 2; usedIds.has(id); i++) id = `${base}-${i}`;
    usedIds.add(id);

    out.push({
      id,
      workload: first.workload,
      profile: first.profile,
      database: first.database,
      model: first.model,
      db: result.databases.find((d) => d.id === first.database),
      levelKind: first.model === 'open' ? 'rate' : 'connections',
      levels,
      strategies,
      rows,
    });
  }
  out.sort(
    (a, b) =>
      byWorkload(a.workload, b.workload) ||
      byProfile(a.profile, b.profile) ||
      byDatabase(a.database, b.database) ||
      a.model.localeCompare(b.model),
  );
  return out;
}

/** Rows of a group at one level. */
export function rowsAt(group: Group, level: number): Row[] {
  return group.rows.filter((r) => r.level === level);
}

/**
 * The level a group's single-level charts show: the one with the most strategies measured
 * (ties go to the highest load, where locking strategies differ most).
 */
export function headlineLevel(group: Group): number {
  let best = group.levels[group.levels.length - 1] as number;
  let bestCount = -1;
  for (const level of group.levels) {
    const count = rowsAt(group, level).filter((r) => r.figures !== null).length;
    if (count >= bestCount) {
      best = level;
      bestCount = count;
    }
  }
  return best;
}
