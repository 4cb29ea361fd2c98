import { describe, expect, it } from 'vitest';
import { type CompareOptions, compareRuns, DEFAULT_COMPARE_OPTIONS } from '../../compare/compare-runs.ts';
import { renderComparisonMarkdown } from '../../compare/render-markdown.ts';
import { buildRun, correctnessFor, is, mapCells, scaleCells, withIntervals } from './compare-run-builder.ts';

const base = buildRun();
const mode = (m: CompareOptions['mode']): CompareOptions => ({ ...DEFAULT_COMPARE_OPTIONS, mode: m });
const lineWith = (md: string, ...parts: string[]) =>
  md.split('\n').filter((l) => parts.every((p) => l.includes(p)));

describe('renderComparisonMarkdown', () => {
  it('identical runs: a PASS headline, the mode, and a full table with value ± half-width, ratio and interval', () => {
    const md = renderComparisonMarkdown(compareRuns(base, base));
    expect(md.startsWith('## lockbench: performance comparison\n')).toBe(true);
    expect(md).toContain('✅ **PASS**: no regression detected (24 judged).');
    expect(md).toContain('Mode **both**');
    expect(md).toContain('Thresholds: goodput 15%, p99 15%, extra attempts/success 15%.');
    expect(md).toContain(
      '| cell | metric | baseline | current | ratio [95% interval] | vs reference | verdict |',
    );
    expect(md).not.toContain('### Regressions and improvements');
    expect(md).not.toContain('### Correctness failures');
    expect(lineWith(md, 'postgres/account/hot/for-update c=32', 'goodput (ops/s)')).toEqual([
      '| postgres/account/hot/for-update c=32 | goodput (ops/s) | 900 ± 44.7 | 900 ± 44.7 | ×1.00 [0.93–1.07] | ' +
        '÷atomic: 0.450 → 0.450, ×1.00 [1.00–1.00], noise | noise |',
    ]);
  });

  it('no intervals: "not judged: no interval" rows and a could-not-tell headline with what to do', () => {
    const one = buildRun({ jitter: [1] });
    const md = renderComparisonMarkdown(
      compareRuns(one, scaleCells(one, is('postgres', 'for-update'), { goodput: 0.74 })),
    );
    expect(md).toContain(
      '❔ **PASS, could not tell**: no figure has an interval in both runs (6 judged, 18 not judged: no interval — ' +
        'run with --repeat 3 or longer --duration to judge them, or compare two revisions side by side with --ab base=origin/main).',
    );
    expect(md).not.toContain('no regression detected');
    expect(lineWith(md, 'postgres/account/hot/for-update c=32', 'goodput (ops/s)')).toEqual([
      '| postgres/account/hot/for-update c=32 | goodput (ops/s) | 900 (no interval) | 666 (no interval) | ×0.74 | ' +
        '÷atomic: 0.450 → 0.333, ×0.74, not judged: no interval | not judged: no interval |',
    ]);
  });

  it('some figures without an interval: PASS, no regression detected, and how many were not judged', () => {
    const one = withIntervals(buildRun({ jitter: [1] }), (c) => c.database === 'postgres', {
      goodput: 0.05,
      p99: 0.05,
    });
    const md = renderComparisonMarkdown(compareRuns(one, one));
    expect(md).toContain(
      '✅ **PASS**: no regression detected (14 judged, 10 not judged: no interval — ' +
        'run with --repeat 3 or longer --duration to judge them, or compare two revisions side by side with --ab base=origin/main).',
    );
  });

  it('is pure: the same comparison renders the same text', () => {
    const c = compareRuns(base, scaleCells(base, is('mysql', 'optimistic'), { goodput: 0.5 }));
    expect(renderComparisonMarkdown(c)).toBe(renderComparisonMarkdown(structuredClone(c)));
  });

  it('a regression: FAIL headline and a row with baseline, current, ratio and verdict', () => {
    const cur = scaleCells(base, is('postgres', 'for-update'), { goodput: 0.7 });
    const md = renderComparisonMarkdown(compareRuns(base, cur, mode('absolute')));
    expect(md).toContain('❌ **FAIL**: 1 regression(s) (24 judged).');
    expect(md).toContain('Mode **absolute**: each cell against the same cell of the baseline.');
    const section = md.slice(md.indexOf('### Regressions and improvements'), md.indexOf('<details>'));
    expect(lineWith(section, 'for-update')).toEqual([
      '| postgres/account/hot/for-update c=32 | goodput (ops/s) | 900 ± 44.7 | 630 ± 31.3 | ×0.70 [0.65–0.75] | — | ❌ **regression** |',
    ]);
  });

  it('says which mode was used and counts noise in relative mode', () => {
    const slower = scaleCells(base, () => true, { goodput: 0.7, latency: 1 / 0.7 });
    const md = renderComparisonMarkdown(compareRuns(base, slower, mode('relative')));
    expect(md).toContain(
      "Mode **relative**: goodput and p99 divided by the reference strategy's in the same run (atomic).",
    );
    expect(md).toContain('Median goodput ratio current/baseline over all cells: ×0.70');
    expect(md).toContain('✅ **PASS**');
    expect(md).toContain('4 figure(s) moved beyond the threshold but count as noise');
  });

  it('lists correctness failures, added/removed cells, expected unsafe notes and warnings', () => {
    let cur = mapCells(
      base,
      (c) => is('mysql', 'atomic')(c) && c.repeat === 2,
      (c) => ({
        ...c,
        status: 'unsafe',
        correctness: { ...correctnessFor(true, 2), lostUpdates: 0, oversold: 2 },
      }),
    );
    cur = { ...cur, interrupted: true, cells: cur.cells.filter((c) => !is('postgres', 'optimistic')(c)) };
    const md = renderComparisonMarkdown(compareRuns(base, cur));
    expect(md).toContain('❌ **FAIL**: 1 correctness failure(s) (21 judged). 0 added, 1 removed cell(s).');
    expect(md).toContain(
      '| mysql/account/hot/atomic c=32 | 2 | invariant violated (strategy claims safety) | 2 violation(s): oversold 2 |',
    );
    expect(md).toContain('- Removed (only in baseline): postgres/account/hot/optimistic c=32');
    expect(md).toContain('naive does not claim safety here, so this is expected, not a failure.');
    expect(md).toContain('- ⚠️ The current run was interrupted');
    expect(md).toContain('(interrupted)');
  });

  it('escapes pipes so a label cannot break the table', () => {
    const odd = mapCells(base, is('postgres', 'naive'), (c) => ({ ...c, profile: 'a|b', key: `${c.key}|x` }));
    const md = renderComparisonMarkdown(compareRuns(odd, odd));
    expect(md).toContain('postgres/account/a\\|b/naive c=32');
  });

  it('documents the rules, including the floors', () => {
    const md = renderComparisonMarkdown(compareRuns(base, base));
    expect(md).toContain('<details><summary>How verdicts are decided</summary>');
    expect(md).toContain('floors: goodput 1 ops/s, p99 1 ms, extra attempts/success 0.05 attempts/success');
    expect(md).toContain('extra attempts 0.001 → 0.002 is ×1.00, not ×2');
    expect(md).toContain('their half-widths combined in quadrature');
    expect(md).toContain('**not judged**: a side has no interval');
  });
});
