import { readFileSync } from 'node:fs';
import type { Cell, RunResult as RunResultType } from '../../core/result-schema.ts';
import { RunResult } from '../../core/result-schema.ts';

/** The hand-made run the report tests read (numbers invented to exercise the renderers). */
export const FIXTURE_PATH = new URL('../fixtures/run-small.json', import.meta.url);

export function loadFixture(): RunResultType {
  return RunResult.parse(JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')));
}

/** A deep copy of the fixture with `edit` applied to every cell that matches. */
export function variant(
  match: (c: Cell) => boolean,
  edit: (c: Cell & { metrics: NonNullable<Cell['metrics']> }) => void,
  base: RunResultType = loadFixture(),
): RunResultType {
  const copy = structuredClone(base);
  let hits = 0;
  for (const c of copy.cells) {
    if (match(c) && c.metrics) {
      edit(c as Cell & { metrics: NonNullable<Cell['metrics']> });
      hits++;
    }
  }
  if (hits === 0) throw new Error('variant matched no measured cell: the fixture changed');
  return RunResult.parse(copy);
}

export function cellOf(db: string, workload: string, strategy: string): (c: Cell) => boolean {
  return (c) => c.database === db && c.workload === workload && c.strategy === strategy;
}

type Checked = Cell & {
  metrics: NonNullable<Cell['metrics']>;
  correctness: NonNullable<Cell['correctness']>;
};

/** The measured and checked cell with this key and repeat; throws when the fixture lacks it. */
export function measuredCell(result: RunResultType, key: string, repeat = 0): Checked {
  const c = result.cells.find((x) => x.key === key && x.repeat === repeat);
  if (!c?.metrics || !c.correctness) throw new Error(`fixture has no measured cell ${key} #${repeat}`);
  return c as Checked;
}

/** How `withMeasurementQuality` dresses each measured cell. */
export interface QualityOptions {
  /** Relative half-width of each cell's own goodput interval (0.05 = ±5%). Default 0.05. */
  goodputHalf?: number;
  /** Relative half-width of each cell's own p99 interval. Default 0.08. */
  p99Half?: number;
  /** Cells whose window did not settle. Default none. */
  unsteady?: (c: Cell) => boolean;
  /** Cells measured while something else competed. Default none. */
  suspect?: (c: Cell) => boolean;
}

/**
 * A deep copy of `base` (default the fixture) as a run that records intervals, steady state and
 * interference: every measured cell gets its own batch-means intervals around its figures, a
 * steady-state verdict and an interference reading.
 */
export function withMeasurementQuality(
  opts: QualityOptions = {},
  base: RunResultType = loadFixture(),
): RunResultType {
  const copy = structuredClone(base);
  const g = opts.goodputHalf ?? 0.05;
  const p = opts.p99Half ?? 0.08;
  for (const c of copy.cells) {
    if (!c.metrics) continue;
    const m = c.metrics;
    const around = (estimate: number, half: number, method: 'batch-means' | 'batch-percentiles') => ({
      estimate,
      low: estimate * (1 - half),
      high: estimate * (1 + half),
      level: 0.95,
      method,
      samples: 5,
      batchSec: 2,
    });
    m.intervals = {
      goodputPerSec: around(m.goodputPerSec, g, 'batch-means'),
      p99Ms: around(m.latencyMs.p99, p, 'batch-percentiles'),
    };
    const unsteady = opts.unsteady?.(c) ?? false;
    m.steady = {
      steady: !unsteady,
      warmupPolicy: 'auto',
      warmupSec: unsteady ? 30 : 3 + (c.repeat % 3),
      warmupCapped: unsteady,
      trendPctPerSec: unsteady ? 7.5 : 0.4,
      cov: unsteady ? 0.25 : 0.04,
      lastToMean: unsteady ? 1.2 : 1.01,
      monotoneClimb: unsteady,
      rule: { maxTrendPctPerSec: 5, maxCov: 0.2, maxLastDeviation: 0.15 },
    };
    const suspect = opts.suspect?.(c) ?? false;
    const otherShare = suspect ? 0.3 : 0.02;
    m.interference = {
      cores: 2,
      machineBusySec: 15,
      ownSec: 14,
      otherSec: otherShare * 2 * m.durationSec,
      stealSec: 0,
      otherShare,
      databaseCounted: true,
      suspect,
    };
  }
  return RunResult.parse(copy);
}
