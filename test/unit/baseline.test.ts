import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareRuns, DEFAULT_COMPARE_OPTIONS } from '../../compare/compare-runs.ts';
import { RunResult } from '../../core/result-schema.ts';
import { scaleCells } from './compare-run-builder.ts';

describe('the committed CI baseline', () => {
  const baseline = RunResult.parse(JSON.parse(readFileSync('results/baselines/ci/run.json', 'utf8')));

  it('is a bench:ci run: repeated cells on both databases, every safe strategy correct', () => {
    expect(baseline.config.preset).toBe('ci');
    expect(new Set(baseline.cells.map((c) => c.database))).toEqual(new Set(['postgres', 'mysql']));
    expect(Math.max(...baseline.cells.map((c) => c.repeat))).toBeGreaterThanOrEqual(2);
    for (const c of baseline.cells) expect(c.status, c.key).toBe('ok');
    expect(JSON.stringify(baseline)).not.toMatch(/:\/\/[^:@/]+:[^*@/][^@/]*@/); // no credentials
  });

  it('compares clean against itself, every figure judged from the t-interval over its 3 repeats', () => {
    const c = compareRuns(baseline, baseline);
    expect(c.failed).toBe(false);
    expect(c.outcome).toBe('pass');
    expect(c.metrics.length).toBeGreaterThan(0);
    expect(c.counts['not-judged']).toBe(0);
    expect(c.metrics.every((m) => m.absolute.baseline.method === 'repeats')).toBe(true);
  });

  it('a 30% goodput drop planted on its steadiest cell is a regression in absolute mode', () => {
    const key = 'postgres/account/hot/for-update/closed/c16'; // repeats within ±2% of their mean
    const cur = scaleCells(baseline, (c) => c.key === key, { goodput: 0.7 });
    const c = compareRuns(baseline, cur, { ...DEFAULT_COMPARE_OPTIONS, mode: 'absolute' });
    expect(c.metrics.filter((m) => m.verdict === 'regression').map((m) => [m.key, m.metric])).toEqual([
      [key, 'goodput'],
    ]);
    expect(c.failed).toBe(true);
  });

  it('what README says it can see: a planted 30% goodput drop caught on 3 of 24 cells (absolute), 0 (both)', () => {
    const keys = [...new Set(baseline.cells.map((c) => c.key))];
    const caught = (mode: 'absolute' | 'both') =>
      keys.filter((key) => {
        const cur = scaleCells(baseline, (c) => c.key === key, { goodput: 0.7 });
        const c = compareRuns(baseline, cur, { ...DEFAULT_COMPARE_OPTIONS, mode });
        return c.metrics.some((m) => m.key === key && m.metric === 'goodput' && m.verdict === 'regression');
      }).length;
    expect(keys).toHaveLength(24);
    expect(caught('absolute')).toBe(3);
    expect(caught('both')).toBe(0);
    expect(readFileSync('README.md', 'utf8')).toContain('caught on 3 of its 24');
  });
});
