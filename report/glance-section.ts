/**
 * The first screen: one headline row per comparison and load level, and once, below it, how to
 * read its numbers (what ± means and how it was computed, the confidence marks, the quality marks).
 */
import type { Interval } from '../core/result-schema.ts';
import type { Block, Text } from './document.ts';
import { t } from './document.ts';
import { fmtCount, joinWords } from './format.ts';
import type { Group } from './groups.ts';
import { markLegend } from './quality-marks.ts';
import { CLOSE_SHARE } from './verdict.ts';
import { glanceTable } from './verdict-section.ts';

const METHOD_WORDS: Record<Interval['method'], string> = {
  repeats: "over the repeats (t-interval of the repeats' figures, each repeat a separate server process)",
  'batch-means':
    "within the cell by batch means (the measured seconds' goodput in consecutive batches, t-interval of the batch means)",
  'batch-percentiles': "within the cell from each batch's own p99 (t-interval of the batches' p99s)",
};

function range(values: readonly number[], unit: string): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? `${fmtCount(lo)}${unit}` : `${fmtCount(lo)}–${fmtCount(hi)}${unit}`;
}

/** How the intervals of this run were made, stated once: method, samples, batch length. */
export function intervalNote(groups: readonly Group[]): string {
  const all = groups.flatMap((g) => g.rows.flatMap((r) => [r.intervals.goodput, r.intervals.p99]));
  const present = all.filter((iv): iv is Interval => iv !== null);
  const figures = groups.flatMap((g) => g.rows).filter((r) => r.figures !== null).length * 2;
  if (present.length === 0) {
    return 'No figure in this run has an interval (the run predates them, or each cell ran once for under 5 s): rankings rest on single figures, and a lead under 5% is not called.';
  }
  const parts = (['repeats', 'batch-means', 'batch-percentiles'] as const).flatMap((method) => {
    const ivs = present.filter((iv) => iv.method === method);
    if (ivs.length === 0) return [];
    const samples = range(
      ivs.map((iv) => iv.samples),
      method === 'repeats' ? ' repeats' : ' batches',
    );
    const batches = ivs.map((iv) => iv.batchSec).filter((s): s is number => s !== null);
    const of = batches.length > 0 ? ` of ${range(batches, ' s')}` : '';
    return [`${METHOD_WORDS[method]}, ${samples}${of}, for ${fmtCount(ivs.length)} figures`];
  });
  const missing = figures - present.length;
  const without =
    missing > 0
      ? ` ${fmtCount(missing)} figures have no interval (shown without ±): a single repeat whose window was too short for batches, or from a run that predates intervals.`
      : '';
  return `± is half the 95% confidence interval, computed ${joinWords(parts)}.${without}`;
}

const CONFIDENCE_NOTE = [
  'Confidence: clear, the leader’s goodput interval overlaps no other correct strategy’s;',
  'tie, it overlaps at least one (the recommendation lists them all);',
  `no interval, a figure has none but the runner-up is more than ${CLOSE_SHARE * 100}% behind;`,
  `no interval: cannot rank, within ${CLOSE_SHARE * 100}% and no interval.`,
  'The margin is the leader’s goodput over the runner-up’s; its interval combines the two relative half-widths in quadrature on the log scale (approximate).',
].join(' ');

export function glanceBlocks(groups: readonly Group[]): Block[] {
  const table = glanceTable(groups);
  if (!table) return [];
  const notes: Text[] = [t(intervalNote(groups)), t(CONFIDENCE_NOTE)];
  for (const line of markLegend(groups.flatMap((g) => g.rows))) notes.push(t(line));
  return [
    { kind: 'heading', level: 2, text: 'At a glance', id: 'glance' },
    table,
    ...notes.map((text): Block => ({ kind: 'paragraph', text, tone: 'note' })),
  ];
}
