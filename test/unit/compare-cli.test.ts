import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunResult } from '../../bench/result-schema.ts';

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
    expect(r.stdout).toContain('❌ **FAIL**: 1 regression(s).');
    expect(r.stdout).toContain(
      '| postgres/account/hot/for-update c=32 | goodput (ops/s) | 900 (882–918) | 630 (617–643) |',
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
    expect(missing.stderr).toContain(`LOCKBENCH_USAGE: baseline: no run at ${join(tmp, 'nope')}`);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, cells: [] }));
    const invalid = compare(fixture('compare-baseline.json'), bad);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('LOCKBENCH_RESULT_INVALID: current:');
  });
});
