import { describe, expect, it } from 'vitest';
import { compareCell } from '../../bench/ab/run-ab.ts';
import { type AbSection, RunResult } from '../../core/result-schema.ts';
import { abSummaryBlocks } from '../../report/ab-section.ts';
import { chartSpecs } from '../../report/charts.ts';
import { renderHtml } from '../../report/html.ts';
import { blocksToMarkdown, renderMarkdown } from '../../report/markdown.ts';
import { renderSvg } from '../../report/render-charts.ts';
import { loadFixture } from './report-fixture.ts';

/** The fixture run with an A/B section: for-update planted 0.8x, atomic unchanged, nowait inconclusive. */
function abRun(): RunResult {
  const run = loadFixture();
  const pairs = (ratios: number[]) =>
    ratios.map((r, i) => ({
      order: (i % 2 ? 'BA' : 'AB') as 'AB' | 'BA',
      a: { goodputPerSec: 1000 + 100 * i, p99Ms: 20 },
      b: { goodputPerSec: (1000 + 100 * i) * r, p99Ms: 20 / r },
    }));
  const head = (strategy: string) => ({
    keyA: `postgres/account/hot/${strategy}/closed/c16`,
    keyB: `postgres/account/hot/${strategy}/closed/c16`,
    strategy,
    workload: 'account',
    profile: 'hot',
  });
  const ok = { a: false, b: false };
  const ab: AbSection = {
    axis: 'setting',
    spec: 'work-ms=0,2',
    variants: {
      a: { label: 'work-ms=0', config: { workMs: 0 }, databases: ['postgres'], revision: null },
      b: { label: 'work-ms=2', config: { workMs: 2 }, databases: ['postgres'], revision: null },
    },
    rule: { target: 0.05, threshold: 0.05, minPairs: 3, maxPairs: 8, budgetMs: null },
    comparisons: [
      compareCell(head('for-update'), pairs([0.8, 0.79, 0.81]), 'target', ok, 0.05),
      compareCell(head('atomic'), pairs([1.0, 1.01, 0.99]), 'target', ok, 0.05),
      compareCell(head('nowait'), pairs([0.7, 1.3, 0.9, 1.2]), 'budget', { a: false, b: true }, 0.05),
    ],
    cellsA: run.cells.slice(0, 2),
    regressions: 1,
    violations: 1,
  };
  return RunResult.parse({ ...run, ab });
}

describe('A/B section of the report', () => {
  it('validates against the result schema (optional: old runs still validate)', () => {
    expect(RunResult.safeParse(loadFixture()).success).toBe(true);
    expect(abRun().ab?.comparisons).toHaveLength(3);
  });

  it('shows each cell’s ratio with its interval, the verdict and the pairs in report.md', () => {
    const md = renderMarkdown(abRun());
    expect(md).toContain('## A/B: work-ms=0,2');
    expect(md).toContain('**Fails.** B is slower than A beyond 5% in 1 of 3 cells.');
    expect(md).toMatch(
      /\| postgres\/account\/hot\/for-update \| 0\.80× \(0\.7\d–0\.8\d\) \| 1\.25× \(1\.\d\d–1\.\d\d\) \| \*\*regression\*\* \| 3 \| target \|/,
    );
    expect(md).toMatch(
      /\| postgres\/account\/hot\/atomic \| 1\.00× \(0\.9\d–1\.0\d\) \| .* \| unchanged \| 3 \| target \|/,
    );
    expect(md).toMatch(/nowait .* inconclusive \*\*UNSAFE on B\*\* \| 4 \| budget \|/);
    // The section comes before the single-run verdicts.
    expect(md.indexOf('## A/B')).toBeLessThan(md.indexOf('## Verdicts'));
  });

  it('a pass says how many cells it could not tell apart from how many are unchanged', () => {
    const run = abRun();
    const ab = run.ab as AbSection;
    const passing = { ...ab, comparisons: ab.comparisons.slice(1), regressions: 0, violations: 0 };
    const md = renderMarkdown(RunResult.parse({ ...run, ab: passing }));
    expect(md).toContain(
      '**Passes.** No regression detected beyond 5% in 2 cells: 1 unchanged (interval within ±5%), 1 could not tell (interval too wide; more pairs, --ab-budget, narrow it).',
    );
  });

  it('the pull-request summary is the section alone, without images, and small', () => {
    const md = blocksToMarkdown(abSummaryBlocks(abRun()));
    expect(md).toContain('### Lockbench A/B: work-ms=0,2');
    expect(md).not.toContain('![');
    expect(md.length).toBeLessThan(65_536); // GitHub's limit for a comment
  });

  it('draws a forest plot of the goodput ratios that renders to SVG, in HTML too', async () => {
    const spec = chartSpecs(abRun()).find((c) => c.kind === 'ab-forest');
    expect(spec?.file).toBe('chart-ab-forest.svg');
    const svg = await renderSvg(spec?.panels[0]?.spec as never);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('for-update');
    const html = renderHtml(abRun(), [
      {
        ...(spec as NonNullable<typeof spec>),
        svg,
        panels: [{ label: 'goodput B/A', svg }],
        error: null,
      },
    ]);
    expect(html).toContain('id="chart-chart-ab-forest"');
  });

  it('a plain run has no A/B section and no forest plot', () => {
    expect(renderMarkdown(loadFixture())).not.toContain('A/B');
    expect(chartSpecs(loadFixture()).some((c) => c.kind === 'ab-forest')).toBe(false);
  });
});
