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
    'goodput was still changing through the measured window (not steady): the figure depends on when the measurement started',
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
