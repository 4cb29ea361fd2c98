import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Cell, RunResult } from '../../core/result-schema.ts';
import { toBencherMetricFormat } from '../../report/export/bencher.ts';
import { toGithubActionBenchmark } from '../../report/export/github-action-benchmark.ts';
import { EXPORT_FILES, writeExports } from '../../report/export/write-exports.ts';
import { buildRun, is, mapCells } from './compare-run-builder.ts';

/**
 * The documented shapes. github-action-benchmark (tools customBiggerIsBetter / customSmallerIsBetter):
 * a JSON array of { name: string, unit: string, value: number, range?: string, extra?: string }.
 * Bencher Metric Format (https://bencher.dev/bmf.json): object of benchmark -> measure ->
 * { value: number, lower_value?: number, upper_value?: number }.
 */
const finite = z.number().refine(Number.isFinite, 'finite');
const GithubBenchmarkJson = z.array(
  z.strictObject({
    name: z.string().min(1),
    unit: z.string().min(1),
    value: finite,
    range: z.string().optional(),
    extra: z.string().optional(),
  }),
);
const BencherJson = z.record(
  z.string().min(1).max(1024),
  z.record(
    z.string().min(1).max(64),
    z.strictObject({ value: finite, lower_value: finite.optional(), upper_value: finite.optional() }),
  ),
);

const run = buildRun();
const tmp = mkdtempSync(join(tmpdir(), 'lockbench-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('github-action-benchmark export', () => {
  const { bigger, smaller } = toGithubActionBenchmark(run);

  it('matches the documented custom JSON shape, with unique names', () => {
    expect(() => GithubBenchmarkJson.parse(bigger)).not.toThrow();
    expect(() => GithubBenchmarkJson.parse(smaller)).not.toThrow();
    const names = [...bigger, ...smaller].map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('bigger-is-better holds goodput: mean value, ± half its 95% interval, the repeats in extra', () => {
    expect(bigger).toHaveLength(8);
    expect(bigger.find((e) => e.name === 'postgres/account/hot/for-update c=32 goodput')).toEqual({
      name: 'postgres/account/hot/for-update c=32 goodput',
      unit: 'ops/s',
      value: 900,
      range: '± 44.7181', // t(2) 4.303 x sd 18 / sqrt(3)
      extra: '3 repeat(s): 882, 900, 918 ops/s; 95% interval: repeats; run 2025-01-01T00-00-00Z-test',
    });
  });

  it('smaller-is-better holds p99 (ms) and extra attempts per success', () => {
    expect(smaller).toHaveLength(16);
    const p99 = smaller.find((e) => e.name === 'mysql/account/hot/optimistic c=32 p99');
    expect(p99?.unit).toBe('ms');
    expect(p99?.value).toBe(80.0213); // mean of 80 / 0.98, 80, 80 / 1.02
    const extra = smaller.find(
      (e) => e.name === 'mysql/account/hot/optimistic c=32 extra attempts per success',
    );
    expect(extra?.unit).toBe('attempts/success');
    expect(extra?.value).toBe(0.4);
    expect(extra?.range).toBe('± 0.0198747');
    expect(smaller.find((e) => e.name === 'mysql/account/hot/naive c=32 p99')?.extra).toMatch(
      /; unsafe \(invariants broken\)$/,
    );
  });

  it('one repeat: the within-run interval where the run has one, else no range', () => {
    const withIv = toGithubActionBenchmark(buildRun({ jitter: [1], intervals: { goodput: 0.05, p99: 0.1 } }));
    expect(withIv.bigger[0]).toEqual({
      name: 'postgres/account/hot/atomic c=32 goodput',
      unit: 'ops/s',
      value: 2000,
      range: '± 100',
      extra: '1 repeat(s): 2000 ops/s; 95% interval: batch-means; run 2025-01-01T00-00-00Z-test',
    });
    // extra attempts has no within-run interval
    expect(withIv.smaller.find((e) => e.name.endsWith('extra attempts per success'))?.range).toBeUndefined();
  });

  it('leaves out cells with no measured repeat and omits range for a single repeat', () => {
    const failed = mapCells(
      run,
      is('postgres', 'atomic'),
      (c): Cell => ({ ...c, status: 'failed', metrics: null }),
    );
    expect(toGithubActionBenchmark(failed).bigger.map((e) => e.name)).not.toContain(
      'postgres/account/hot/atomic c=32 goodput',
    );
    const one = toGithubActionBenchmark(buildRun({ jitter: [1] })).bigger[0];
    expect(one).toBeDefined();
    expect(one && 'range' in one).toBe(false);
  });
});

describe('Bencher Metric Format export', () => {
  const bmf = toBencherMetricFormat(run);

  it('matches the documented BMF shape', () => {
    expect(() => BencherJson.parse(bmf)).not.toThrow();
    expect(Object.keys(bmf)).toHaveLength(8);
  });

  it('has goodput, latency-p99 and extra-attempts with the mean and its 95% interval as bounds', () => {
    expect(bmf['postgres/account/hot/for-update c=32']).toEqual({
      goodput: { value: 900, lower_value: 855.282, upper_value: 944.718 },
      'latency-p99': { value: 60.016, lower_value: 57.0334, upper_value: 62.9986 },
      'extra-attempts': { value: 0, lower_value: 0, upper_value: 0 },
    });
    // no interval, no bounds
    expect(toBencherMetricFormat(buildRun({ jitter: [1] }))['postgres/account/hot/atomic c=32']).toEqual({
      goodput: { value: 2000 },
      'latency-p99': { value: 20 },
      'extra-attempts': { value: 0 },
    });
    for (const measures of Object.values(bmf)) {
      for (const m of Object.values(measures)) {
        expect(m.lower_value).toBeLessThanOrEqual(m.value);
        expect(m.upper_value).toBeGreaterThanOrEqual(m.value);
      }
    }
  });
});

describe('writeExports', () => {
  it('writes the three files next to run.json, readable as the documented formats', async () => {
    const paths = await writeExports(run, tmp);
    expect(paths).toEqual({
      bigger: join(tmp, EXPORT_FILES.bigger),
      smaller: join(tmp, EXPORT_FILES.smaller),
      bencher: join(tmp, EXPORT_FILES.bencher),
    });
    expect(Object.values(EXPORT_FILES)).toEqual(['bench-bigger.json', 'bench-smaller.json', 'bencher.json']);
    const read = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
    expect(GithubBenchmarkJson.parse(read(paths.bigger))).toEqual(toGithubActionBenchmark(run).bigger);
    expect(GithubBenchmarkJson.parse(read(paths.smaller))).toEqual(toGithubActionBenchmark(run).smaller);
    expect(BencherJson.parse(read(paths.bencher))).toEqual(toBencherMetricFormat(run));
  });

  it('an empty run exports empty files', async () => {
    const empty = RunResult.parse({ ...run, cells: [] });
    expect(toGithubActionBenchmark(empty)).toEqual({ bigger: [], smaller: [] });
    expect(toBencherMetricFormat(empty)).toEqual({});
  });
});
