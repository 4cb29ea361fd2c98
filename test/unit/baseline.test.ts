import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RunResult } from '../../bench/result-schema.ts';
import { compareRuns } from '../../scripts/compare/index.ts';

describe('the committed CI baseline', () => {
  const baseline = RunResult.parse(JSON.parse(readFileSync('results/baselines/ci/run.json', 'utf8')));

  it('is a bench:ci run: repeated cells on both databases, every safe strategy correct', () => {
    expect(baseline.config.preset).toBe('ci');
    expect(new Set(baseline.cells.map((c) => c.database))).toEqual(new Set(['postgres', 'mysql']));
    expect(Math.max(...baseline.cells.map((c) => c.repeat))).toBeGreaterThanOrEqual(2);
    for (const c of baseline.cells) expect(c.status, c.key).toBe('ok');
    expect(JSON.stringify(baseline)).not.toMatch(/:\/\/[^:@/]+:[^*@/][^@/]*@/); // no credentials
  });

  it('compares clean against itself', () => {
    const c = compareRuns(baseline, baseline);
    expect(c.failed).toBe(false);
    expect(c.metrics.length).toBeGreaterThan(0);
  });
});
