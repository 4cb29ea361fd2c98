import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunResult } from '../../core/result-schema.ts';
import { buildRun, correctnessFor, is, mapCells, scaleCells } from './compare-run-builder.ts';

const root = join(import.meta.dirname, '..', '..');
const fixture = (name: string) => join(root, 'test', 'fixtures', name);
const tmp = mkdtempSync(join(tmpdir(), 'lockbench-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function compare(...args: string[]) {
  const r = spawnSync('npx', ['tsx', 'scripts/compare.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run compare (scripts/compare.ts)', () => {
  it('the fixtures are valid runs', () => {
    for (const f of ['compare-baseline.json', 'compare-regressed.json', 'compare-slower-runner.json']) {
      expect(() => RunResult.parse(JSON.parse(readFileSync(fixture(f), 'utf8')))).not.toThrow();
    }
  });

  it('exit 0 for identical runs, given as a run directory behind a symlink; --out writes the summary', () => {
    const run = join(tmp, 'run-1');
    mkdirSync(run);
    writeFileSync(join(run, 'run.json'), readFileSync(fixture('compare-baseline.json')));
    symlinkSync(run, join(tmp, 'latest'));
    const out = join(tmp, 'out', 'compare.md');
    const r = compare(fixture('compare-baseline.json'), join(tmp, 'latest'), '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✅ **PASS**');
    expect(readFileSync(out, 'utf8')).toBe(r.stdout);
  });

  it('exit 1 on a regression', () => {
    const r = compare(fixture('compare-baseline.json'), fixture('compare-regressed.json'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('❌ **FAIL**: 1 regression(s) (24 judged).');
    expect(r.stdout).toContain(
      '| postgres/account/hot/for-update c=32 | goodput (ops/s) | 900 ± 44.7 | 630 ± 31.3 | ×0.70 [0.65–0.75] |',
    );
  });

  it('a uniformly slower runner: exit 0 in the default mode, 1 with --mode absolute', () => {
    expect(compare(fixture('compare-baseline.json'), fixture('compare-slower-runner.json')).code).toBe(0);
    const abs = compare(
      fixture('compare-baseline.json'),
      fixture('compare-slower-runner.json'),
      '--mode',
      'absolute',
    );
    expect(abs.code).toBe(1);
    expect(abs.stdout).toContain('Mode **absolute**');
  });

  it('one repeat per run: judged from the intervals each run.json carries', () => {
    const write = (name: string, run: RunResult) => {
      const file = join(tmp, name);
      writeFileSync(file, JSON.stringify(run));
      return file;
    };
    const forUpdate = is('postgres', 'for-update');
    const plain = buildRun({ jitter: [1] });
    const withIv = buildRun({ jitter: [1], intervals: { goodput: 0.05, p99: 0.05 } });

    // a copy of a run with a 30% goodput drop planted on one strategy, its interval scaled with it
    const dropped = compare(
      write('a.json', withIv),
      write('a-drop.json', scaleCells(withIv, forUpdate, { goodput: 0.7 })),
    );
    expect(dropped.code).toBe(1);
    expect(dropped.stdout).toContain('❌ **FAIL**: 1 regression(s) (22 judged, 2 not judged: no interval');

    // the same drop in runs without intervals: nothing judged, exit 0, and the summary says so
    const blind = compare(
      write('b.json', plain),
      write('b-drop.json', scaleCells(plain, forUpdate, { goodput: 0.7 })),
    );
    expect(blind.code).toBe(0);
    expect(blind.stdout).toContain('❔ **PASS, could not tell**');
    expect(blind.stdout).toContain('not judged: no interval');

    // a correctness violation by a safe strategy fails whatever the speed and the intervals
    const unsafe = mapCells(plain, forUpdate, (c) => ({
      ...c,
      status: 'unsafe',
      correctness: correctnessFor(true, 2),
    }));
    const violated = compare(write('c.json', plain), write('c-unsafe.json', unsafe));
    expect(violated.code).toBe(1);
    expect(violated.stdout).toContain('❌ **FAIL**: 1 correctness failure(s)');
  });

  it('exit 2 for a bad flag, naming it and its allowed values', () => {
    const r = compare(fixture('compare-baseline.json'), fixture('compare-regressed.json'), '--mode', 'fast');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'LOCKBENCH_USAGE: --mode must be one of absolute, relative, both (got "fast")',
    );
  });

  it('exit 2 for a missing run, exit 1 for a file that is not a run', () => {
    const missing = compare(join(tmp, 'nope'), fixture('compare-baseline.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`LOCKBENCH_RESULT_MISSING: baseline: no run at ${join(tmp, 'nope')}`);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, cells: [] }));
    const invalid = compare(fixture('compare-baseline.json'), bad);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('LOCKBENCH_RESULT_INVALID: current:');
  });

  it('report and compare agree on a directory without run.json: LOCKBENCH_RESULT_MISSING, exit 2', () => {
    const empty = join(tmp, 'no-run');
    mkdirSync(empty);
    const npm = (...args: string[]) => {
      const r = spawnSync('npm', ['run', '--silent', ...args], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: r.status, stderr: r.stderr };
    };
    const report = npm('report', '--', empty);
    const compared = npm('compare', '--', empty, fixture('compare-baseline.json'));
    for (const r of [report, compared]) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`LOCKBENCH_RESULT_MISSING: `);
      expect(r.stderr).toContain(`no run at ${join(empty, 'run.json')}`);
    }
  });
});
