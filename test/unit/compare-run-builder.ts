/**
 * Builds RunResults for the comparison and export tests: a small matrix (2 databases x 4 strategies,
 * account workload, hot profile, 32 connections, 3 repeats at -2%, 0, +2%) whose figures are
 * deterministic, plus helpers that change some cells. Cells carry no within-run intervals unless
 * asked (`intervals`, withIntervals), like runs recorded before they existed. Everything goes
 * through RunResult.parse.
 */
import {
  type Cell,
  type Correctness,
  type Interval,
  type Metrics,
  RunResult,
} from '../../core/result-schema.ts';

export interface Figures {
  /** ops/s */
  goodput: number;
  /** ms */
  p99: number;
  extraAttempts: number;
}

export const BASE_FIGURES: Record<string, Figures> = {
  atomic: { goodput: 2000, p99: 20, extraAttempts: 0 },
  'for-update': { goodput: 900, p99: 60, extraAttempts: 0 },
  optimistic: { goodput: 600, p99: 80, extraAttempts: 0.4 },
  naive: { goodput: 1500, p99: 25, extraAttempts: 0 },
};

/** Per-repeat multipliers: a ±2% spread. */
export const DEFAULT_JITTER = [0.98, 1, 1.02];

function summary(p99: number, count: number) {
  return { p50: p99 / 4, p90: p99 / 2, p99, p999: p99 * 1.5, max: p99 * 2, count };
}

export function metricsFor(f: Figures, durationSec = 10): Metrics {
  const ok = Math.round(f.goodput * durationSec);
  const conflict = Math.round(ok * 0.01);
  return {
    durationSec,
    requestsPerSec: (ok + conflict) / durationSec,
    goodputPerSec: f.goodput,
    latencyMs: summary(f.p99, ok + conflict),
    successLatencyMs: summary(f.p99, ok),
    outcomes: {
      sent: ok + conflict,
      ok,
      rejected: 0,
      conflict,
      error: 0,
      timeout: 0,
      inFlight: 0,
      dropped: 0,
    },
    retries: {
      extraAttemptsPerSuccess: f.extraAttempts,
      retriedShare: Math.min(1, f.extraAttempts / 2),
      attemptsHistogram: { '1': ok },
    },
    errors: { deadlock: 0, serialization: 0, lockNotAvailable: 0, lockTimeout: 0, other: 0 },
    database: {},
    cpu: { serverSec: 5, driverSec: 2 },
    timeseries: [],
  };
}

export function correctnessFor(claimsSafe: boolean, violations: number): Correctness {
  return {
    checked: true,
    claimsSafe,
    violations,
    lostUpdates: violations,
    lostAmount: violations * 100,
    oversold: 0,
    doubleBooked: 0,
    negativeBalances: 0,
    acknowledgedLost: 0,
    moneyDrift: 0,
    indeterminate: 0,
    examples: [],
  };
}

export interface CellSpec {
  database: string;
  strategy: string;
  repeat: number;
  figures: Figures;
  connections?: number;
}

export function makeCell(spec: CellSpec): Cell {
  const connections = spec.connections ?? 32;
  const naive = spec.strategy === 'naive';
  return {
    key: `${spec.database}/account/hot/${spec.strategy}/closed/${connections}`,
    database: spec.database,
    strategy: spec.strategy,
    workload: 'account',
    profile: 'hot',
    model: 'closed',
    connections,
    rate: null,
    repeat: spec.repeat,
    status: naive ? 'unsafe' : 'ok',
    reason: null,
    server: { pool: 10, isolation: 'default' },
    metrics: metricsFor(spec.figures),
    correctness: correctnessFor(!naive, naive ? 37 : 0),
  };
}

export interface BuildOptions {
  databases?: string[];
  strategies?: string[];
  /** Multipliers per repeat; its length is the number of repeats. */
  jitter?: number[];
  runId?: string;
  /** Give every cell within-run intervals of these relative half-widths (0.05 = ±5%); default none. */
  intervals?: HalfWidths;
}

/** Relative half-widths of a cell's within-run 95% intervals. */
export interface HalfWidths {
  goodput: number;
  p99: number;
}

function interval(estimate: number, half: number, method: Interval['method']): Interval {
  return {
    estimate,
    low: estimate * (1 - half),
    high: estimate * (1 + half),
    level: 0.95,
    method,
    samples: 6,
    batchSec: 1,
  };
}

/** `metrics` with within-run intervals (batch means) of the given relative half-widths around its figures. */
export function metricsWithIntervals(m: Metrics, half: HalfWidths): Metrics {
  return {
    ...m,
    intervals: {
      goodputPerSec: interval(m.goodputPerSec, half.goodput, 'batch-means'),
      p99Ms: interval(m.latencyMs.p99, half.p99, 'batch-percentiles'),
    },
  };
}

/** A copy of `run` whose matching measured cells carry intervals of these half-widths. */
export function withIntervals(run: RunResult, pred: (c: Cell) => boolean, half: HalfWidths): RunResult {
  return mapCells(run, pred, (c) =>
    c.metrics ? { ...c, metrics: metricsWithIntervals(c.metrics, half) } : c,
  );
}

export function buildRun(opts: BuildOptions = {}): RunResult {
  const databases = opts.databases ?? ['postgres', 'mysql'];
  const strategies = opts.strategies ?? Object.keys(BASE_FIGURES);
  const jitter = opts.jitter ?? DEFAULT_JITTER;
  const cells: Cell[] = [];
  for (const database of databases) {
    for (const strategy of strategies) {
      const base = BASE_FIGURES[strategy] ?? { goodput: 1000, p99: 40, extraAttempts: 0.1 };
      jitter.forEach((j, repeat) => {
        // Goodput and latency move in opposite directions on a busier repeat.
        const figures = {
          goodput: base.goodput * j,
          p99: base.p99 / j,
          extraAttempts: base.extraAttempts * j,
        };
        const cell = makeCell({ database, strategy, repeat, figures });
        if (opts.intervals && cell.metrics) cell.metrics = metricsWithIntervals(cell.metrics, opts.intervals);
        cells.push(cell);
      });
    }
  }
  return RunResult.parse({
    schemaVersion: 1,
    runId: opts.runId ?? '2025-01-01T00-00-00Z-test',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:10:00.000Z',
    interrupted: false,
    tool: { name: 'lockbench', version: '0.1.0', gitSha: '0123456789abcdef0123456789abcdef01234567' },
    environment: { node: 'v20.20.2', os: 'linux', cpuModel: 'Test CPU', cpuCount: 2, memoryGiB: 24 },
    config: { preset: 'ci' },
    command: 'lockbench bench --preset ci',
    databases: databases.map((id) => ({
      id,
      product: id === 'mysql' ? 'mysql' : 'postgresql',
      version: id === 'mysql' ? '8.4.0' : '17.2',
      kind: 'external',
      address: '127.0.0.1',
      settings: {},
    })),
    skippedDatabases: [],
    cells,
  });
}

/** A copy of `run` with `fn` applied to every cell matching `pred` (re-validated). */
export function mapCells(run: RunResult, pred: (c: Cell) => boolean, fn: (c: Cell) => Cell): RunResult {
  const copy = structuredClone(run);
  copy.cells = copy.cells.map((c) => (pred(c) ? fn(c) : c));
  return RunResult.parse(copy);
}

/**
 * Multiplies goodput, all latency percentiles and extra attempts of matching cells; intervals move
 * with their figures (goodput's with goodput, p99's with latency), keeping their relative width.
 */
export function scaleCells(
  run: RunResult,
  pred: (c: Cell) => boolean,
  by: { goodput?: number; latency?: number; extraAttempts?: number },
): RunResult {
  return mapCells(run, pred, (c) => {
    if (!c.metrics) return c;
    const m = c.metrics;
    const lat = by.latency ?? 1;
    const scaleSummary = (s: Metrics['latencyMs']) => ({
      ...s,
      p50: s.p50 * lat,
      p90: s.p90 * lat,
      p99: s.p99 * lat,
      p999: s.p999 * lat,
      max: s.max * lat,
    });
    const scaleInterval = (iv: Interval | null, k: number): Interval | null =>
      iv && { ...iv, estimate: iv.estimate * k, low: iv.low * k, high: iv.high * k };
    return {
      ...c,
      metrics: {
        ...m,
        ...(m.intervals && {
          intervals: {
            goodputPerSec: scaleInterval(m.intervals.goodputPerSec, by.goodput ?? 1),
            p99Ms: scaleInterval(m.intervals.p99Ms, lat),
          },
        }),
        goodputPerSec: m.goodputPerSec * (by.goodput ?? 1),
        latencyMs: scaleSummary(m.latencyMs),
        successLatencyMs: scaleSummary(m.successLatencyMs),
        retries: {
          ...m.retries,
          extraAttemptsPerSuccess: m.retries.extraAttemptsPerSuccess * (by.extraAttempts ?? 1),
        },
      },
    };
  });
}

export const is =
  (database: string, strategy: string) =>
  (c: Cell): boolean =>
    c.database === database && c.strategy === strategy;
