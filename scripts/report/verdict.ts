import type { Group, Row, RowFigures } from './groups.ts';
import { rowsAt } from './groups.ts';

/** A strategy that may win: measured, checked and free of violations. */
export interface Candidate {
  row: Row;
  figures: RowFigures;
}

/**
 * How far apart the winner and the runner-up are. overlap: their goodput ranges over repeats
 * overlap; close: a single run each and less than CLOSE_SHARE apart; clear otherwise.
 */
export type Separation = 'clear' | 'overlap' | 'close';

/** Below this relative goodput gap, one run each on a shared machine does not separate two strategies. */
export const CLOSE_SHARE = 0.05;

export interface LevelVerdict {
  level: number;
  /** The correct strategy with the highest median goodput; null when none qualified. */
  best: Candidate | null;
  runnerUp: Candidate | null;
  separation: Separation | null;
  /** Measured strategies that broke an invariant (or were marked unsafe). */
  disqualified: Row[];
  /** Measured strategies whose correctness was not checked: never a winner. */
  unchecked: Row[];
  /** Strategies with no measurement at this level (failed or unsupported). */
  notRun: Row[];
}

export function separation(best: Candidate, runnerUp: Candidate): Separation {
  const a = best.figures.goodput;
  const b = runnerUp.figures.goodput;
  if (a.n > 1 && b.n > 1) return a.min <= b.max ? 'overlap' : 'clear';
  if (a.median === 0) return 'close';
  return (a.median - b.median) / a.median < CLOSE_SHARE ? 'close' : 'clear';
}

export function correctCandidates(rows: readonly Row[]): Candidate[] {
  const out: Candidate[] = [];
  for (const row of rows) {
    if (row.correctness.state === 'correct' && row.figures) out.push({ row, figures: row.figures });
  }
  // Goodput decides; on a tie the lower p99 wins, then the name keeps the order stable.
  return out.sort(
    (x, y) =>
      y.figures.goodput.median - x.figures.goodput.median ||
      x.figures.p99.median - y.figures.p99.median ||
      x.row.strategy.localeCompare(y.row.strategy),
  );
}

export function levelVerdict(group: Group, level: number): LevelVerdict {
  const rows = rowsAt(group, level);
  const ranked = correctCandidates(rows);
  const best = ranked[0] ?? null;
  const runnerUp = ranked[1] ?? null;
  return {
    level,
    best,
    runnerUp,
    separation: best && runnerUp ? separation(best, runnerUp) : null,
    disqualified: rows.filter((r) => r.correctness.state === 'violated'),
    unchecked: rows.filter((r) => r.correctness.state === 'unchecked'),
    notRun: rows.filter((r) => r.figures === null && r.notRun.length > 0),
  };
}

export function groupVerdicts(group: Group): LevelVerdict[] {
  return group.levels.map((level) => levelVerdict(group, level));
}
