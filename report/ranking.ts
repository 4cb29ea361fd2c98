import { joinWords } from './format.ts';
import type { Group } from './groups.ts';
import { byStrategy, levelLabel, levelUnit, rowsAt } from './groups.ts';
import { correctCandidates, rank } from './verdict.ts';

/**
 * Where the lead changes along a sweep over connections or rate. Only strategies that were
 * measured correct at every level of the group are compared, so a strategy that simply was not
 * run at some level cannot fake a change of leader.
 */
export interface SweepRanking {
  /** Strategies compared (correct at every level). */
  strategies: string[];
  /**
   * The leader at each level, ascending, and the compared strategies its goodput interval does
   * not separate it from (a tie), in rank order.
   */
  leaders: { level: number; strategy: string; goodput: number; tied: string[] }[];
  /** Consecutive levels with the same leader (or the same tied set). */
  segments: { strategy: string; tied: string[]; from: number; to: number }[];
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
    const r = rank(
      ranked.filter((c) => everywhere.includes(c.row.strategy)),
      'goodput',
    );
    if (!r) throw new Error('unreachable: every compared strategy is ranked at every level');
    const tied = r.tied.map((c) => c.row.strategy);
    return { level, strategy: r.leader.row.strategy, goodput: r.leader.goodput.value, tied };
  });
  const segments: SweepRanking['segments'] = [];
  // A tie is the same finding whoever is nominally first inside it.
  const key = (strategy: string, tied: readonly string[]) =>
    tied.length > 0 ? [strategy, ...tied].sort(byStrategy).join(',') : strategy;
  for (const { level, strategy, tied } of leaders) {
    const last = segments[segments.length - 1];
    if (last && key(last.strategy, last.tied) === key(strategy, tied)) last.to = level;
    else segments.push({ strategy, tied, from: level, to: level });
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
 * "for-update leads at every level measured (8 to 32 connections)." or, where goodput intervals
 * overlap, "for-update and optimistic tie at 8 connections, for-update at 32 connections."
 */
export function describeSweep(group: Group, ranking: SweepRanking): string {
  const first = group.levels[0] as number;
  const last = group.levels[group.levels.length - 1] as number;
  const names = (s: SweepRanking['segments'][number]) => [s.strategy, ...s.tied].sort(byStrategy);
  if (!ranking.changes) {
    const only = ranking.segments[0];
    if (!only) return '';
    const range = `(${first} to ${last} ${levelUnit(group.levelKind)})`;
    return only.tied.length > 0
      ? `${joinWords(names(only))} are tied at every level measured ${range}: their goodput intervals overlap.`
      : `${only.strategy} leads at every level measured ${range}.`;
  }
  const parts = ranking.segments.map((s, i) =>
    s.tied.length > 0
      ? `${joinWords(names(s))} tie ${span(group, s.from, s.to)}`
      : i === 0
        ? `${s.strategy} leads ${span(group, s.from, s.to)}`
        : `${s.strategy} ${span(group, s.from, s.to)}`,
  );
  const axis = group.levelKind === 'rate' ? 'the request rate' : 'the number of connections';
  return `The ranking changes with ${axis}: ${parts.join(', ')}.`;
}
