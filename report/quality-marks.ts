import type { UnsteadyCause } from '../bench/stats/steady-state.ts';
import type { Row } from './groups.ts';

/**
 * Marks beside a strategy's name wherever its figures appear, for figures taken in conditions
 * that weaken them. Each mark has one legend line; the report prints the lines for the marks it
 * used.
 */
export const UNSTEADY_MARK = '†';
export const SUSPECT_MARK = '‡';

/** The marks a row earns: "" when its figures were taken steady and undisturbed. */
export function qualityMark(row: Pick<Row, 'quality'>): string {
  return `${row.quality.unsteady > 0 ? UNSTEADY_MARK : ''}${row.quality.suspect > 0 ? SUSPECT_MARK : ''}`;
}

export const MARK_LEGEND: Readonly<Record<string, string>> = {
  [UNSTEADY_MARK]:
    'not steady by the rule: goodput either still changed through the measured window (the figure depends on when the measurement started) or stayed level but swung second to second more than the rule allows (only its interval is wide); the test conditions say which',
  [SUSPECT_MARK]:
    'something else on the machine took at least 15% of its CPU while this was measured: the figure may be depressed',
};

/** Legend lines ("† …") for the marks that occur among `rows`. */
export function markLegend(rows: readonly Pick<Row, 'quality'>[]): string[] {
  const used = new Set(rows.flatMap((r) => [...qualityMark(r)]));
  return Object.entries(MARK_LEGEND)
    .filter(([mark]) => used.has(mark))
    .map(([mark, words]) => `${mark} ${words}.`);
}

/** How a report or the console names why a window was not steady (unsteadyCause). */
export const UNSTEADY_WORDS: Readonly<Record<UnsteadyCause, string>> = {
  trend: 'still changing',
  bursty: 'level but bursty',
};
