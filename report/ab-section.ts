/**
 * The A/B section of a report (runs made with `--ab`): each cell's B/A ratios with their 95%
 * intervals and verdicts, a forest plot of the goodput ratios, and the variants. Also rendered
 * alone as ab.md, short enough for a pull-request comment.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { AbComparison, AbSection, RunResult } from '../core/result-schema.ts';
import type { ChartSpec, RenderedChart } from './chart-spec.ts';
import type { Block, TableCell } from './document.ts';
import { cell, code, DASH, strong, t } from './document.ts';

export const AB_FOREST_FILE = 'chart-ab-forest.svg';

const x = (v: number | null) => (v === null ? DASH : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** `postgres/account/hot/atomic` (or `account/hot/atomic` when the databases are the variants). */
export function comparisonLabel(c: AbComparison, axis: AbSection['axis']): string {
  const parts = c.keyB.split('/');
  const [database, workload, profile, strategy, model, level] = parts;
  const head = axis === 'database' ? [workload, profile, strategy] : [database, workload, profile, strategy];
  const tail = model === 'closed' && level === 'c16' ? [] : [level];
  return [...head, ...tail].filter(Boolean).join('/');
}

function ratioText(r: AbComparison['goodput']): string {
  if (!r) return DASH;
  return r.low === null ? `${x(r.ratio)}×` : `${x(r.ratio)}× (${x(r.low)}–${x(r.high)})`;
}

function verdictCell(c: AbComparison): TableCell {
  const unsafe = [c.unsafe.a ? 'A' : '', c.unsafe.b ? 'B' : ''].filter(Boolean);
  const v = c.goodputVerdict;
  const word = !v
    ? `not measured (${c.stoppedBy})`
    : v.regression
      ? 'regression'
      : v.kind === 'same'
        ? 'unchanged'
        : v.kind;
  return {
    text: [
      v?.regression ? strong(word) : word,
      ...(unsafe.length ? [' ', strong(`UNSAFE on ${unsafe.join(' and ')}`)] : []),
    ],
  };
}

/**
 * "No regression detected", split into what the run could tell and what it could not: a cell whose
 * interval is too wide is not shown to be unchanged, and the reader must see how many those are.
 */
export function noRegressionText(ab: AbSection, threshold: string): string {
  const kinds = ab.comparisons.map((c) => c.goodputVerdict?.kind ?? 'inconclusive');
  const n = (k: string) => kinds.filter((x) => x === k).length;
  const moved = n('slower') + n('faster');
  const parts = [
    `${n('same')} unchanged (interval within ±${threshold})`,
    ...(moved > 0 ? [`${moved} slower or faster, not beyond ${threshold}`] : []),
    ...(n('inconclusive') > 0
      ? [`${n('inconclusive')} could not tell (interval too wide; more pairs, --ab-budget, narrow it)`]
      : []),
  ];
  return `No regression detected beyond ${threshold} in ${ab.comparisons.length} cells: ${parts.join(', ')}.`;
}

/** The headline: fails or passes, and why. */
export function abHeadline(ab: AbSection): Block {
  const bad = ab.regressions > 0 || ab.violations > 0;
  const parts = [
    ab.regressions > 0
      ? `B is slower than A beyond ${pct(ab.rule.threshold)} in ${ab.regressions} of ${ab.comparisons.length} cells.`
      : noRegressionText(ab, pct(ab.rule.threshold)),
    ab.violations > 0 ? ` A strategy that claims safety broke an invariant in ${ab.violations} cell(s).` : '',
  ];
  return {
    kind: 'paragraph',
    text: t(strong(bad ? 'Fails. ' : 'Passes. '), parts.join('')),
    tone: bad ? 'warning' : 'verdict',
  };
}

/** The table: one row per cell, ratios B/A with 95% intervals, verdict, pairs and why sampling stopped. */
export function abTable(ab: AbSection): Block {
  return {
    kind: 'table',
    head: ['cell', 'goodput B/A (95%)', 'p99 B/A (95%)', 'verdict', 'pairs', 'stopped by'],
    numeric: [false, true, true, false, true, false],
    rows: ab.comparisons.map((c) => [
      cell(comparisonLabel(c, ab.axis)),
      { text: [ratioText(c.goodput)], numeric: true },
      { text: [ratioText(c.p99)], numeric: true },
      verdictCell(c),
      cell(String(c.pairs.length), true),
      cell(c.stoppedBy),
    ]),
  };
}

/** How the intervals borrowed from the run's other cells (empty for runs made before they did). */
function priorText(ab: AbSection): string {
  const g = ab.priors?.goodputPerSec;
  if (ab.priors === undefined) return '';
  if (!g) return 'Each cell\u2019s interval rests on its own pairs (too few cells to pool their noise). ';
  return (
    `With a few pairs a cell\u2019s own spread is itself uncertain, so each interval\u2019s variance is moderated across the run\u2019s ${g.cells} cells (empirical Bayes, as limma does): ` +
    `a typical spread of ±${pct(g.sd)} per pair (sd of ln B/A), lent with ${g.df === null ? 'full weight (the cells differed no more than sampling explains)' : `the weight of ${g.df.toFixed(1)} pairs`}. `
  );
}

function howRead(ab: AbSection): Block {
  return {
    kind: 'paragraph',
    tone: 'note',
    text: t(
      'A and B ran interleaved on the same machine, pair after pair (AB, BA, AB, ...), each side a whole cell (reset, its side\u2019s strategy server, warm-up, load, check). ',
      'A ratio is the geometric mean of the pairs\u2019 B/A, with the 95% t-interval of the mean log ratio. ',
      priorText(ab),
      `A regression: the goodput ratio\u2019s whole interval below ${x(1 - ab.rule.threshold)}; unchanged: the interval within ±${pct(ab.rule.threshold)}. `,
      `A cell stopped after at least ${ab.rule.minPairs} pairs once both intervals were within ±${pct(ab.rule.target)} (target) or the goodput interval lay wholly below, above or within ±${pct(ab.rule.threshold)} (resolved: more pairs would not change the verdict), at ${ab.rule.maxPairs} pairs (budget)${ab.rule.budgetMs === null ? '' : `, or when the run\u2019s ${Math.round(ab.rule.budgetMs / 1000)} s were spent (time)`}. `,
      'A uniform slowdown of every cell is a regression too: both sides shared the machine and the minute.',
    ),
  };
}

function variantsBlock(ab: AbSection): Block {
  const rev = (v: AbSection['variants']['a']) => (v.revision?.sha ? ` (${v.revision.sha.slice(0, 10)})` : '');
  return {
    kind: 'list',
    items: [
      t(
        strong('A: '),
        `${ab.variants.a.label}${rev(ab.variants.a)} on ${ab.variants.a.databases.join(', ')}`,
      ),
      t(
        strong('B: '),
        `${ab.variants.b.label}${rev(ab.variants.b)} on ${ab.variants.b.databases.join(', ')}`,
      ),
      ...(ab.axis === 'revision'
        ? [
            t(
              'Only the strategy server comes from the base revision; the load driver, the checks and this report are the working tree\u2019s.',
            ),
          ]
        : []),
    ],
  };
}

/** The section inside report.md / report.html. */
export function abBlocks(result: RunResult, charts: readonly RenderedChart[]): Block[] {
  const ab = result.ab;
  if (!ab) return [];
  const forest = charts.find((c) => c.file === AB_FOREST_FILE);
  return [
    { kind: 'heading', level: 2, text: `A/B: ${ab.spec}`, id: 'ab' },
    abHeadline(ab),
    variantsBlock(ab),
    abTable(ab),
    ...(forest
      ? [
          {
            kind: 'chart',
            file: forest.file,
            title: forest.title,
            alt: forest.alt,
            svg: forest.svg,
            panels: forest.panels,
            error: forest.error,
          } satisfies Block,
        ]
      : []),
    howRead(ab),
    {
      kind: 'paragraph',
      tone: 'note',
      text: t(
        'The rest of this report shows side B\u2019s cells (repeats are the pairs); side A\u2019s are in run.json under ',
        code('ab.cellsA'),
        '.',
      ),
    },
  ];
}

/** The A/B section alone, for a pull-request comment: no charts, no images. */
export function abSummaryBlocks(result: RunResult): Block[] {
  const ab = result.ab;
  if (!ab) return [];
  return [
    { kind: 'heading', level: 3, text: `Lockbench A/B: ${ab.spec}` },
    abHeadline(ab),
    variantsBlock(ab),
    abTable(ab),
    howRead(ab),
    { kind: 'paragraph', tone: 'note', text: t(`Run ${result.runId}: `, code(result.command)) },
  ];
}

/** The forest plot: one row per cell, the goodput ratio B/A and its interval, on a log axis. */
export function abForestChart(result: RunResult): ChartSpec | null {
  const ab = result.ab;
  if (!ab) return null;
  const rows = ab.comparisons
    .filter((c) => c.goodput !== null)
    .map((c) => ({
      cell: comparisonLabel(c, ab.axis),
      ratio: c.goodput?.ratio,
      low: c.goodput?.low ?? c.goodput?.ratio,
      high: c.goodput?.high ?? c.goodput?.ratio,
      verdict: c.goodputVerdict?.regression ? 'regression' : (c.goodputVerdict?.kind ?? 'inconclusive'),
    }));
  if (rows.length === 0) return null;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 420,
    height: { step: 18 },
    config: { font: 'system-ui, sans-serif', background: 'white', padding: 8, view: { stroke: '#ddd' } },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y: { field: 'cell', type: 'nominal', sort: null, title: null },
          x: {
            field: 'low',
            type: 'quantitative',
            scale: { type: 'log', zero: false },
            title: 'goodput B/A (log scale)',
          },
          x2: { field: 'high' },
          color: {
            field: 'verdict',
            type: 'nominal',
            scale: {
              domain: ['regression', 'slower', 'same', 'faster', 'inconclusive'],
              range: ['#b42318', '#e08a3c', '#4c78a8', '#1f7a3a', '#9aa3ab'],
            },
            legend: { orient: 'bottom', title: null },
          },
        },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          y: { field: 'cell', type: 'nominal', sort: null },
          x: { field: 'ratio', type: 'quantitative' },
          color: { field: 'verdict', type: 'nominal' },
        },
      },
      {
        data: { values: [{ v: 1 }, { v: 1 - ab.rule.threshold }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#666' },
        encoding: { x: { field: 'v', type: 'quantitative' } },
      },
    ],
  };
  return {
    group: 'ab',
    kind: 'ab-forest',
    file: AB_FOREST_FILE,
    title: 'A/B: goodput of B over A per cell, 95% intervals',
    alt: `Forest plot of ${rows.length} goodput ratios B/A with their 95% intervals; dashed lines at 1 (no change) and ${x(1 - ab.rule.threshold)} (the regression threshold).`,
    panels: [{ label: 'goodput B/A', spec }],
  };
}
