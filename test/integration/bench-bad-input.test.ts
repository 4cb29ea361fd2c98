import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSandbox, processesMentioning, runBench, type Sandbox } from '../fixtures/bench-process.ts';

/**
 * A scripted sweep of bad command lines, as a careless or hostile user types them: every one exits
 * 2 with LOCKBENCH_USAGE and a message naming the option (and, for values, the value and the
 * allowed range), and starts nothing: no database, no temp dir, no output dir, no process left.
 */

interface Case {
  args: (s: Sandbox) => string[];
  /** Each must match stderr. */
  expected: RegExp[];
  env?: NodeJS.ProcessEnv;
}

const plain = (args: string[], ...expected: RegExp[]): [string, Case] => [
  args.join(' ') || '(empty)',
  { args: () => args, expected },
];

const DURATION = /from 100ms to 1440m/;
const LOCK = /from 1ms to 60m/;

const cases: [string, Case][] = [
  // Item 6 of the hostile-user report, every case.
  plain(['--duration', '0'], /--duration/, /"0"/, DURATION),
  plain(['--duration', '0.0001s'], /--duration/, /"0.0001s"/, DURATION),
  plain(['--duration', '99999999m'], /--duration/, /"99999999m"/, DURATION),
  plain(['--lock-timeout', '0'], /--lock-timeout/, /"0"/, LOCK),
  plain(['--lock-timeout', '61m'], /--lock-timeout/, /"61m"/, LOCK),
  plain(['--pg-url', 'mysql://u:p@127.0.0.1:3306/x'], /--pg-url/, /postgres:\/\//, /a mysql:\/\/ URL/),
  plain(
    ['--mysql-url', 'postgres://u:p@127.0.0.1:5432/x'],
    /--mysql-url/,
    /mysql:\/\//,
    /a postgres:\/\/ URL/,
  ),
  plain(['--pg-url', 'not a url'], /--pg-url/, /not a URL/),
  plain(['--connections', '-1'], /--connections/, /"-1"/, /from 1 to 1000/),
  // More durations.
  plain(['--duration', '-5s'], /--duration/, /"-5s"/),
  plain(['--duration', 'ten'], /--duration/, /"ten"/, DURATION),
  plain(['--duration', ''], /--duration/, DURATION),
  plain(['--lock-timeout', 'abc'], /--lock-timeout/, /"abc"/, LOCK),
  plain(['--warmup', '2h'], /--warmup/, /"2h"/, /from 0 to 60m/),
  plain(['--warmup', '61m'], /--warmup/, /"61m"/, /from 0 to 60m/),
  plain(['--duration'], /--duration/),
  // More URLs.
  plain(['--pg-url', 'postgres://'], /--pg-url/, /without a host/),
  plain(['--mysql-url', 'http://example.com/'], /--mysql-url/, /a http:\/\/ URL/),
  plain(['--pg-url', 'postgres://u:p@[::1/x'], /--pg-url/),
  // Numbers out of range, negative, fractional, not numbers.
  plain(['--connections', '0'], /--connections/, /from 1 to 1000/),
  plain(['--connections', '1001'], /--connections/, /from 1 to 1000/),
  plain(['--connections', '1.5'], /--connections/, /from 1 to 1000/),
  plain(['--connections', 'abc'], /--connections/, /"abc"/),
  plain(['--rate', '0'], /--rate/, /from 1 to 1000000/),
  plain(['--rate', '-5'], /--rate/, /"-5"/),
  plain(['--repeat', '0'], /--repeat/, /"0"/, /from 1 to 100/),
  plain(['--repeat', '101'], /--repeat/, /from 1 to 100/),
  plain(['--pool', '-3'], /--pool/, /"-3"/, /from 1 to 1000/),
  plain(['--workers', '65'], /--workers/, /from 1 to 64/),
  plain(['--max-attempts', '0'], /--max-attempts/, /from 1 to 1000/),
  plain(['--seed', '-1'], /--seed/, /"-1"/),
  plain(['--work-ms', '-1'], /--work-ms/, /"-1"/, /from 0 to 10000/),
  plain(['--work-ms', '10001'], /--work-ms/, /from 0 to 10000/),
  // Names.
  plain(['--isolation', 'snapshot'], /--isolation/, /"snapshot"/, /allowed: /),
  plain(['--lock-order', 'random'], /--lock-order/, /"random"/),
  plain(['--durability', 'none'], /--durability/, /"none"/),
  plain(['--preset', 'fast'], /--preset/, /"fast"/),
  plain(['--strategy', 'pessimistic'], /--strategy/, /"pessimistic"/),
  plain(['--workload', 'bank'], /--workload/, /"bank"/),
  plain(['--profile', 'nope'], /--profile/),
  plain(['--db', 'oracle'], /--db/, /"oracle"/),
  plain(['--stratgy', 'naive'], /--stratgy/, /Did you mean --strategy/),
  plain(['naive'], /unexpected argument: naive/),
  // Combinations.
  plain(['--profile', 'sellout', '--workload', 'account'], /--profile sellout/),
  plain(['--lock-order', 'request', '--workload', 'account'], /--lock-order request/),
  plain(['--rate', '100', '--connections', '4,8'], /--rate/, /--connections/),
  // Output and config files.
  plain(['--out', '/proc/x'], /--out/, /\/proc\/x/),
  [
    '--out under a file',
    { args: (s) => ['--out', join(s.tmp, '..', 'file', 'runs')], expected: [/--out/, /ENOTDIR/] },
  ],
  plain(['--config', '/nonexistent/lockbench.json'], /--config/, /ENOENT/),
  [
    '--config with a zero duration',
    { args: (s) => ['--config', configFile(s, { duration: 0 })], expected: [/--duration/, DURATION] },
  ],
  [
    '--config with an unknown key',
    { args: (s) => ['--config', configFile(s, { durtion: '1s' })], expected: [/unknown option/, /durtion/] },
  ],
  [
    'LOCKBENCH_PG_URL naming a mysql server',
    {
      args: () => [],
      env: { LOCKBENCH_PG_URL: 'mysql://root:s3cret@127.0.0.1:3306/x' },
      expected: [/--pg-url/, /a mysql:\/\/ URL/],
    },
  ],
];

function configFile(s: Sandbox, content: unknown): string {
  const file = join(s.tmp, '..', 'config.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe.concurrent(`bad command lines exit 2 and start nothing (${cases.length} cases)`, () => {
  it('the sweep has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.for(cases)('%s', async ([, c], { onTestFinished }) => {
    const s = makeSandbox();
    onTestFinished(() => s.cleanup());
    writeFileSync(join(s.tmp, '..', 'file'), 'a file, not a directory\n');
    const args = c.args(s);
    const r = await runBench(args.includes('--out') ? args : [...args, '--out', s.out], s, c.env);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^lockbench: LOCKBENCH_USAGE: /);
    for (const re of c.expected) expect(r.stderr).toMatch(re);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).not.toContain('s3cret');
    expect(r.stdout).toBe('');
    expect(readdirSync(s.tmp)).toEqual([]);
    expect(existsSync(s.out)).toBe(false);
    expect(processesMentioning(s.tmp)).toEqual([]);
  });
});
