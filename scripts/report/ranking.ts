import type { Group } from './groups.ts';
import { levelLabel, levelUnit, rowsAt } from './groups.ts';
import { correctCandidates } from './verdict.ts';

/**
 * Where the lead changes along a sweep over connections or rate. Only strategies that were
 * measured correct at every level of the group are compared, so a strategy that simply was not
 * run at some level cannot fake a change of leader.
 */
export interface SweepRanking {
  /** Strategies compared (correct at every level). */
  strategies: string[];
  /** The leader at each level, ascending. */
  leaders: { level: number; strategy: string; goodput: number }[];
  /** Consecutive levels with the same leader. */
  segments: { strategy: string; from: number; to: number }[];
  /** True when more than one strategy leads somewhere in the sweep. */
  changes: boolean;
}

export function sweepRanking(group: Group): SweepRanking | null {
  if (group.levels.length < 2) return null;
  const perLevel = group.levels.map((level) => ({ level, ranked: correctCandidates(rowsAt(group, level)) }));
  const everywhere = group.strategies.filter((s) =>
    perLevel.every(({ ranked }) => ranked.some((c) => c.row.strategy === s)),
  );
  if (everywhere.length < 2) return null;

  const leaders = perLevel.map(({ level, ranked }) => {
    const top = ranked.find((c) => everywhere.includes(c.row.strategy));
    if (!top) throw new Error('unreachable: every compared strategy is ranked at every level');
    return { level, strategy: top.row.strategy, goodput: top.figures.goodput.median };
  });
  const segments: SweepRanking['segments'] = [];
  for (const { level, strategy } of leaders) {
    const last = segments[segments.length - 1];
    if (last && last.strategy === strategy) last.to = level;
    else segments.push({ strategy, from: level, to: level });
  }
  return { strategies: everywhere, leaders, segments, changes: segments.length > 1 };
}

/** "at 8 connections" / "from 8 to 16 connections". */
function span(group: Group, from: number, to: number): string {
  if (from === to) return `at ${levelLabel(group.levelKind, from)}`;
  return `from ${from} to ${to} ${levelUnit(group.levelKind)}`;
}

/**
 * The sweep in one sentence: "optimistic leads at 8 connections, for-update at 32 connections."
 * or "for-update leads at every level measured (8 to 32 connections)."
 */
export function describeSweep(group: Group, ranking: SweepRanking): string {
  const first = group.levels[0] as number;
  const last = group.levels[group.levels.length - 1] as number;
  if (!ranking.changes) {
    const only = ranking.segments[0]?.strategy ?? '';
    return `${only} leads at every level measured (${first} to ${last} ${levelUnit(group.levelKind)}).`;
  }
  const parts = ranking.segments.map((s, i) =>
    i === 0
      ? `${s.strategy} leads ${span(group, s.from, s.to)}`
      : `${s.strategy} ${span(group, s.from, s.to)}`,
  );
  const axis = group.levelKind === 'rate' ? 'the request rate' : 'the number of connections';
  return `The ranking changes with ${axis}: ${parts.join(', ')}.`;
}
