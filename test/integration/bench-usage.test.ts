import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLAG_OF, PROFILE_NAMES } from '../../bench/config.ts';
import { freePort } from '../../bench/databases/free-port.ts';
import { STRATEGY_NAMES } from '../../core/names.ts';
import type { RunResult } from '../../core/result-schema.ts';
import { BUILTIN_WORKLOADS } from '../../workloads/registry.ts';

const WORKLOAD_NAMES = Object.keys(BUILTIN_WORKLOADS);

import { makeSandbox, runBench, type Sandbox } from '../fixtures/bench-process.ts';

/**
 * The bench command's process-level contract for mistakes and questions: a usage error exits 2
 * with a message that names the option and what it accepts, before anything is started or
 * written; --help and --list answer and exit 0.
 */

function sandbox(onTestFinished: (fn: () => void) => void): Sandbox {
  const s = makeSandbox();
  onTestFinished(() => s.cleanup());
  return s;
}

/** Nothing started (no server directory) and nothing written (no --out directory). */
function expectNothingStarted(s: Sandbox): void {
  expect(readdirSync(s.tmp)).toEqual([]);
  expect(existsSync(s.out)).toBe(false);
}

describe.concurrent('bench usage errors exit 2 and start nothing', () => {
  it.for([
    {
      name: 'an unknown flag',
      args: ['--stratgy', 'naive'],
      // The flag as given, a suggestion and the list of real options.
      expected: [/unknown option --stratgy/, /Did you mean --strategy\?/, /--workload/, /--duration/],
    },
    {
      name: 'an unknown strategy',
      args: ['--strategy', 'naive,pessimistic'],
      expected: [/--strategy/, /"pessimistic"/, new RegExp(`allowed: ${STRATEGY_NAMES.join(', ')}`)],
    },
    {
      name: 'a bad duration',
      args: ['--duration', 'ten'],
      expected: [/--duration/, /"ten"/, /10s, 2m or 500ms/],
    },
    {
      name: 'a bad database',
      args: ['--db', 'oracle'],
      expected: [/--db/, /"oracle"/, /allowed: postgres, mysql/],
    },
  ])('$name', async ({ args, expected }, { onTestFinished }) => {
    const s = sandbox(onTestFinished);
    const r = await runBench([...args, '--out', s.out], s);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^lockbench: LOCKBENCH_USAGE: /);
    for (const re of expected) expect(r.stderr).toMatch(re);
    expect(r.stderr).toMatch(/--help/);
    // Nothing on stdout: scripts that parse it get nothing rather than half a result.
    expect(r.stdout).toBe('');
    expectNothingStarted(s);
  });

  it('an --out that is a file: exit 2 naming --out, before any database starts', async ({
    onTestFinished,
  }) => {
    const s = sandbox(onTestFinished);
    writeFileSync(s.out, 'not a directory\n');
    const r = await runBench(['--db', 'postgres', '--strategy', 'naive', '--out', join(s.out, 'runs')], s);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^lockbench: LOCKBENCH_USAGE: --out: cannot create .*: ENOTDIR$/m);
    expect(readdirSync(s.tmp)).toEqual([]);
    expect(readFileSync(s.out, 'utf8')).toBe('not a directory\n');
  });

  it('--dry-run prints the plan and starts nothing', async ({ onTestFinished }) => {
    const s = sandbox(onTestFinished);
    const r = await runBench(
      [
        '--dry-run',
        '--db',
        'postgres',
        '--strategy',
        'naive,atomic',
        '--workload',
        'account',
        '--out',
        s.out,
      ],
      s,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Plan: 2 cells on postgres \(throwaway\)/);
    expectNothingStarted(s);
  });
});

describe('a database that cannot be reached', () => {
  it('is skipped and its cells fail, each printing and recording LOCKBENCH_DB_UNREACHABLE', async ({
    onTestFinished,
  }) => {
    const s = sandbox(onTestFinished);
    const url = `mysql://root@127.0.0.1:${await freePort()}/lockbench`;
    const r = await runBench(
      ['--db', 'mysql', '--mysql-url', url, '--strategy', 'naive', '--workload', 'account', '--out', s.out],
      s,
    );
    expect(r.code, r.stderr).toBe(1);
    // The live lines go to stderr, the closing summary to stdout: both carry the code.
    expect(r.stderr).toMatch(/^database mysql skipped: LOCKBENCH_DB_UNREACHABLE: cannot reach MySQL/m);
    expect(r.stderr).toMatch(
      /^ {2}mysql\/account\/\S+ naive c=\d+: failed \(LOCKBENCH_DB_UNREACHABLE: database mysql unavailable: /m,
    );
    expect(r.stdout).toMatch(/ failed \(LOCKBENCH_DB_UNREACHABLE: database mysql unavailable: /);
    const run = JSON.parse(readFileSync(join(s.out, 'latest', 'run.json'), 'utf8')) as RunResult;
    expect(run.skippedDatabases).toEqual([
      { id: 'mysql', reason: expect.stringMatching(/^cannot reach/), code: 'LOCKBENCH_DB_UNREACHABLE' },
    ]);
    expect(run.cells.map((c) => [c.status, c.code])).toEqual(
      run.cells.map(() => ['failed', 'LOCKBENCH_DB_UNREACHABLE']),
    );
  });
});

describe('bench --help and --list', () => {
  it('--help exits 0 and names every option', async ({ onTestFinished }) => {
    const s = sandbox(onTestFinished);
    const r = await runBench(['--help'], s);
    expect(r.code, r.stderr).toBe(0);
    for (const flag of [...Object.values(FLAG_OF), '--config', '--dry-run', '--list', '--help']) {
      expect(r.stdout, flag).toMatch(new RegExp(`^ {2}${flag} `, 'm'));
    }
    expect(r.stdout).toMatch(/Exit codes: 0 .* 1 .* 2 usage error; 130 interrupted/s);
    expectNothingStarted(s);
  });

  it('--list exits 0 and names every strategy, workload and profile', async ({ onTestFinished }) => {
    const s = sandbox(onTestFinished);
    const r = await runBench(['--list'], s);
    expect(r.code, r.stderr).toBe(0);
    const names = (title: string) => {
      const section = r.stdout.split('\n\n').find((b) => b.startsWith(title)) ?? '';
      return (
        section
          .split('\n')
          .slice(1)
          // Names start two spaces in; profile parameters (key=default) are indented further.
          .filter((l) => /^ {2}\S/.test(l))
          .map((l) => l.trim().split(/\s+/)[0])
      );
    };
    expect(names('Strategies').sort()).toEqual([...STRATEGY_NAMES].sort());
    expect(names('Workloads').sort()).toEqual([...WORKLOAD_NAMES].sort());
    expect(names('Profiles').sort()).toEqual([...PROFILE_NAMES].sort());
    expect(r.stdout).toContain('theta=0.99');
    expectNothingStarted(s);
  });
});
