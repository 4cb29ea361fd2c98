import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cell, RunResult } from '../../core/result-schema.ts';
import { type BenchExit, makeSandbox, runBench, type Sandbox } from '../fixtures/bench-process.ts';

/**
 * `npm run bench -- --workload ./examples/inventory.ts`: the README's own workload, loaded from
 * its file, run end to end with every kind of strategy on both throwaway databases; and broken
 * modules refused before anything starts. Cells are short; nothing here asserts a speed.
 */
describe('a workload from a file, end to end on both databases', () => {
  let s: Sandbox;
  let r: BenchExit & { stdout: string; stderr: string };
  let run: RunResult;

  beforeAll(async () => {
    s = makeSandbox();
    r = await runBench(
      [
        ...['--workload', './examples/inventory.ts', '--db', 'postgres,mysql'],
        ...['--strategy', 'naive,for-update,skip-locked,optimistic,atomic', '--profile', 'hot'],
        ...['--duration', '2s', '--warmup', '500ms', '--connections', '16', '--work-ms', '2'],
        ...['--out', s.out, '--json'],
      ],
      s,
    );
    run = RunResult.parse(JSON.parse(r.stdout));
  });
  afterAll(() => s.cleanup());

  const cells = (strategy: string): Cell[] => run.cells.filter((c) => c.strategy === strategy);

  it('runs every applicable strategy on both databases and exits 0', () => {
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(new Set(run.cells.map((c) => c.workload))).toEqual(new Set(['inventory']));
    expect(new Set(run.cells.map((c) => c.database))).toEqual(new Set(['postgres', 'mysql']));
  });

  it('shows the strategy the module has no way for as not applicable, before and after running', () => {
    expect(r.stderr).toMatch(/n\/a\s+skip-locked x inventory: not applicable: a reservation names one item/);
    for (const c of cells('skip-locked')) {
      expect(c.status).toBe('unsupported');
      expect(c.reason).toMatch(/^not applicable: /);
    }
  });

  it('keeps the no-negative-stock invariant with every safe strategy', () => {
    for (const strategy of ['for-update', 'optimistic', 'atomic']) {
      for (const c of cells(strategy)) {
        expect(c.status, c.key).toBe('ok');
        // One hot item sells out within the cell: reservations, then refusals (out_of_stock).
        const o = c.metrics?.outcomes;
        expect((o?.ok ?? 0) + (o?.rejected ?? 0), c.key).toBeGreaterThan(0);
        expect(c.correctness, c.key).toMatchObject({ checked: true, violations: 0, acknowledgedLost: 0 });
        expect(c.correctness?.findings?.map((f) => f.kind)).toEqual(['negative-stock', 'stock-drift']);
      }
    }
  });

  it("finds naive's lost updates in the module's own words", () => {
    for (const c of cells('naive')) {
      const drift = c.correctness?.findings?.find((f) => f.kind === 'stock-drift');
      expect(drift?.count, c.key).toBeGreaterThan(0);
      expect(drift?.words[1]).toBe('items whose stock lost an update');
      expect(c.status, c.key).toBe('ok');
    }
  });
});

describe('a broken workload module', () => {
  let s: Sandbox;
  beforeAll(() => {
    s = makeSandbox();
  });
  afterAll(() => s.cleanup());

  it.each([
    ['test/fixtures/workloads/missing-check.ts', /check: missing: check\(sql, ctx\)/],
    ['test/fixtures/workloads/wrong-return.ts', /tables\.postgres\(\) must return an array of SQL strings/],
  ])('%s is refused with exit 2, naming the part, before anything starts', async (path, why) => {
    const res = await runBench(['--workload', `./${path}`, '--db', 'postgres', '--out', s.out], s);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^lockbench: LOCKBENCH_USAGE: --workload \.\/test\/fixtures\/workloads\//m);
    expect(res.stderr).toMatch(why);
    expect(readdirSync(s.tmp)).toEqual([]);
    expect(existsSync(s.out)).toBe(false);
  });
});
