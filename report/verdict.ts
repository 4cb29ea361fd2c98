import { intervalsOverlap, relativeHalfWidth } from '../bench/stats/interval.ts';
import type { Interval } from '../core/result-schema.ts';
import type { Group, Row, RowFigures } from './groups.ts';
import { rowsAt } from './groups.ts';

/**
 * Who wins a comparison, and how sure the run is. A strategy is "best" only when its goodput
 * interval overlaps no other correct strategy's; otherwise the strategies whose intervals overlap
 * the leader's are tied, and the report names them all. A figure without an interval (an old run,
 * a cell too short for batches) cannot separate itself from a close runner-up.
 */

/** A figure a verdict ranks on, with the interval that says how far to trust it. */
export interface Ranked {
  /** The interval's estimate when there is one (the figure it is centred on), else the median. */
  value: number;
  interval: Interval | null;
}

/** A strategy that may win: measured, checked and free of violations. */
export interface Candidate {
  row: Row;
  figures: RowFigures;
  goodput: Ranked;
  p99: Ranked;
}

/**
 * How sure a ranking is. clear: the leader's interval overlaps no other's. tie: it overlaps at
 * least one (those are `tied`). no-interval: the leader or the runner-up has no interval, but the
 * runner-up is more than CLOSE_SHARE behind. cannot-rank: without intervals and within
 * CLOSE_SHARE. alone: nothing to compare with.
 */
export type Confidence = 'clear' | 'tie' | 'no-interval' | 'cannot-rank' | 'alone';

/**
 * Below this relative gap, two figures without an interval are not told apart: one short run each
 * on a shared machine moves by that much.
 */
export const CLOSE_SHARE = 0.05;

/** The ratio of the leader's goodput to the runner-up's, with an approximate 95% interval. */
export interface Margin {
  ratio: number;
  /** Null when either figure has no interval. */
  low: number | null;
  high: number | null;
}

export interface Ranking {
  /** Ranked first on the figure. */
  leader: Candidate;
  /** Ranked second; null when the leader was alone. */
  runnerUp: Candidate | null;
  /** Others the leader is not separated from, in rank order (empty unless tie or cannot-rank). */
  tied: Candidate[];
  confidence: Confidence;
}

export interface LevelVerdict {
  level: number;
  /** Ranked on goodput among correct strategies; null when none qualified. */
  goodput: Ranking | null;
  /** Leader over runner-up on goodput; null without a runner-up (or a zero runner-up). */
  margin: Margin | null;
  /** Lowest p99 among correct strategies that made no retries (all correct ones if none). */
  p99: (Ranking & { withoutRetries: boolean }) | null;
  /** Ranked on goodput without `atomic`: for a rule one conditional UPDATE cannot express. */
  withoutAtomic: Ranking | null;
  /** Measured strategies that broke an invariant (or were marked unsafe). */
  disqualified: Row[];
  /** Measured strategies whose correctness was not checked: never a winner. */
  unchecked: Row[];
  /** Strategies with no measurement at this level (failed or unsupported). */
  notRun: Row[];
}

/** The strategy that needs no read-modify-write at all; the others are what remains without it. */
export const SINGLE_UPDATE_STRATEGY = 'atomic';

function ranked(median: number, interval: Interval | null): Ranked {
  return { value: interval ? interval.estimate : median, interval };
}

export function correctCandidates(rows: readonly Row[]): Candidate[] {
  const out: Candidate[] = [];
  for (const row of rows) {
    if (row.correctness.state === 'correct' && row.figures) {
      out.push({
        row,
        figures: row.figures,
        goodput: ranked(row.figures.goodput.median, row.intervals.goodput),
        p99: ranked(row.figures.p99.median, row.intervals.p99),
      });
    }
  }
  // Goodput decides; on a tie the lower p99 wins, then the name keeps the order stable.
  return out.sort(
    (x, y) =>
      y.goodput.value - x.goodput.value ||
      x.p99.value - y.p99.value ||
      x.row.strategy.localeCompare(y.row.strategy),
  );
}

/** Whether `other` cannot be told apart from `leader` on this figure. */
function notSeparated(leader: Ranked, other: Ranked): boolean {
  if (leader.interval && other.interval) return intervalsOverlap(leader.interval, other.interval);
  const top = Math.max(Math.abs(leader.value), Math.abs(other.value));
  return top === 0 || Math.abs(leader.value - other.value) / top < CLOSE_SHARE;
}

/** Ranks candidates on one figure; `ordered` is best first. Null for no candidates. */
export function rank(ordered: readonly Candidate[], figure: 'goodput' | 'p99'): Ranking | null {
  const leader = ordered[0];
  if (!leader) return null;
  const runnerUp = ordered[1] ?? null;
  const tied = ordered.slice(1).filter((c) => notSeparated(leader[figure], c[figure]));
  const withIntervals = (cs: readonly Candidate[]) => cs.every((c) => c[figure].interval !== null);
  let confidence: Confidence;
  if (!runnerUp) confidence = 'alone';
  else if (tied.length > 0) confidence = withIntervals([leader, ...tied]) ? 'tie' : 'cannot-rank';
  else confidence = withIntervals([leader, runnerUp]) ? 'clear' : 'no-interval';
  return { leader, runnerUp, tied, confidence };
}

/**
 * leader / runner-up with an approximate 95% interval. For a ratio the natural scale is the log:
 * by the delta method the half-width of ln(x) is about the relative half-width of x, and the two
 * measurements are independent, so the half-widths add in quadrature:
 * h = sqrt(ra^2 + rb^2), interval = ratio x [e^-h, e^h]. Close enough for a margin in a table; the
 * verdict itself rests on whether the two intervals overlap, which is stricter.
 */
export function margin(leader: Ranked, runnerUp: Ranked): Margin | null {
  if (runnerUp.value <= 0) return null;
  const ratio = leader.value / runnerUp.value;
  if (!leader.interval || !runnerUp.interval) return { ratio, low: null, high: null };
  const h = Math.hypot(relativeHalfWidth(leader.interval), relativeHalfWidth(runnerUp.interval));
  if (!Number.isFinite(h)) return { ratio, low: null, high: null };
  return { ratio, low: ratio * Math.exp(-h), high: ratio * Math.exp(h) };
}

export function levelVerdict(group: Group, level: number): LevelVerdict {
  const rows = rowsAt(group, level);
  const candidates = correctCandidates(rows);
  const goodput = rank(candidates, 'goodput');
  const calm = candidates.filter((c) => c.figures.extraAttemptsPerSuccess.median === 0);
  const byP99 = (calm.length > 0 ? calm : candidates).slice().sort((x, y) => x.p99.value - y.p99.value);
  const p99 = rank(byP99, 'p99');
  return {
    level,
    goodput,
    margin: goodput?.runnerUp ? margin(goodput.leader.goodput, goodput.runnerUp.goodput) : null,
    p99: p99 ? { ...p99, withoutRetries: calm.length > 0 } : null,
    withoutAtomic: rank(
      candidates.filter((c) => c.row.strategy !== SINGLE_UPDATE_STRATEGY),
      'goodput',
    ),
    disqualified: rows.filter((r) => r.correctness.state === 'violated'),
    unchecked: rows.filter((r) => r.correctness.state === 'unchecked'),
    notRun: rows.filter((r) => r.figures === null && r.notRun.length > 0),
  };
}

export function groupVerdicts(group: Group): LevelVerdict[] {
  return group.levels.map((level) => levelVerdict(group, level));
}
