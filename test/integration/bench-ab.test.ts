import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunResult } from '../../core/result-schema.ts';
import { type BenchExit, makeSandbox, runBench, type Sandbox } from '../fixtures/bench-process.ts';

/**
 * `npm run bench -- --ab ...` end to end on a throwaway PostgreSQL, kept tiny (one strategy, 2 s
 * cells after a 2 s warm-up, 3 to 6 pairs): an A/A run must report no regression, and 2 ms of work inside for-update's
 * transaction on side B only (the hot row's lock is held 2 ms longer) must be caught as one.
 */

const TINY = [
  ...['--db', 'postgres', '--workload', 'account', '--profile', 'hot', '--strategy', 'for-update'],
  ...['--connections', '16', '--duration', '2s', '--warmup', '2s', '--ab-budget', '3', '--json'],
];

async function abRun(
  spec: string,
  pairs: number,
): Promise<{ s: Sandbox; r: BenchExit & { stderr: string }; run: RunResult }> {
  const s = makeSandbox();
  const r = await runBench([...TINY, '--ab', spec, '--ab-budget', String(pairs), '--out', s.out], s);
  const run = RunResult.parse(JSON.parse(r.stdout));
  return { s, r, run };
}

describe('A/B: A/A reports no regression', () => {
  let x: Awaited<ReturnType<typeof abRun>>;
  beforeAll(async () => {
    x = await abRun('pool=16,16', 3);
  }, 240_000);
  afterAll(() => x?.s.cleanup());

  it('exits 0 with 3 interleaved pairs, AB then BA, and both sides recorded', () => {
    expect(x.r.code, x.r.stderr).toBe(0);
    const ab = x.run.ab;
    expect(ab?.regressions).toBe(0);
    const c = ab?.comparisons[0];
    expect(c?.pairs.map((p) => p.order)).toEqual(['AB', 'BA', 'AB']);
    expect(c?.goodputVerdict?.regression).toBe(false);
    expect(c?.goodput?.low).not.toBeNull();
    expect(ab?.cellsA).toHaveLength(3);
    expect(x.run.cells).toHaveLength(3);
    expect(x.run.cells.map((cell) => cell.repeat)).toEqual([0, 1, 2]);
    // Each side keeps one warm server: a new process for its first pair, the same one after.
    for (const side of [ab?.cellsA ?? [], x.run.cells])
      expect(side.map((cell) => cell.server?.warmProcess)).toEqual([false, true, true]);
    expect(x.r.stderr).toMatch(/^\[A, pair 1\] postgres\/account\/hot for-update \.\.\.$/m);
    expect(x.r.stderr).toMatch(/^\[B, pair 2\] postgres\/account\/hot for-update \.\.\.$/m);
  });

  it('writes ab.md beside the reports and leaves no temp directory behind', () => {
    const dir = readdirSync(x.s.out).filter((d) => d !== 'latest');
    expect(readdirSync(`${x.s.out}/${dir[0]}`)).toEqual(
      expect.arrayContaining(['ab.md', 'report.md', 'run.json']),
    );
    expect(readdirSync(x.s.tmp)).toEqual([]);
  });
});

describe('A/B: a planted 2 ms delay on side B is a regression', () => {
  let x: Awaited<ReturnType<typeof abRun>>;
  beforeAll(async () => {
    // Up to 6 pairs: on a busy shared machine 3 pairs (t = 4.3) can leave even a 3x drop unproven.
    x = await abRun('work-ms=0,2', 6);
  }, 240_000);
  afterAll(() => x?.s.cleanup());

  it('exits 1 and names the strategy as slower, its whole interval below the threshold', () => {
    expect(x.r.code, x.r.stderr).toBe(1);
    const c = x.run.ab?.comparisons[0];
    expect(c?.goodputVerdict?.regression).toBe(true);
    expect(c?.goodputVerdict?.text).toMatch(/^B is 0\.\d\d× A \(0\.\d\d–0\.\d\d\): slower$/);
    expect(c?.goodput?.high ?? 1).toBeLessThan(0.95);
    expect(x.run.ab?.variants.a.config.workMs).toBe(0);
    expect(x.run.ab?.variants.b.config.workMs).toBe(2);
    expect(x.r.stderr).toMatch(
      /^ {2}=> postgres\/account\/hot\/for-update\/closed\/c16: B is .* REGRESSION$/m,
    );
  });
});
