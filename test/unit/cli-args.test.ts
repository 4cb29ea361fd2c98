import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../bench/cli-args.ts';
import { parseDuration } from '../../bench/config.ts';
import { LockbenchError } from '../../core/errors.ts';
import { STRATEGY_NAMES } from '../../core/names.ts';

function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const c = parseCommandLine(argv, env);
  if (c.kind !== 'run') throw new Error(`expected a run, got ${c.kind}`);
  return c.config;
}

function usageError(argv: string[]): LockbenchError {
  try {
    parseCommandLine(argv, {});
  } catch (e) {
    expect(e).toBeInstanceOf(LockbenchError);
    expect((e as LockbenchError).code).toBe('LOCKBENCH_USAGE');
    expect((e as LockbenchError).exitCode).toBe(2);
    return e as LockbenchError;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

function configFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-cfg-'));
  const path = join(dir, 'c.json');
  writeFileSync(path, content);
  return path;
}

describe('durations', () => {
  it.each([
    ['10s', 10_000],
    ['2m', 120_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['3', 3000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['10 sec', '-1s', 's', '1h', ''])('%j is rejected', (text) =>
    expect(parseDuration(text)).toBeNull(),
  );
});

describe('bench command line', () => {
  it('has defaults that run every strategy at 32 connections', () => {
    const c = run([]);
    expect(c.strategy).toEqual(STRATEGY_NAMES);
    expect(c.connections).toEqual([32]);
    expect(c.duration).toBe(5000);
    expect(c.warmup).toBe('auto');
    expect(c.warmupMax).toBe(10_000);
    expect(c.out).toBe('results');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads lists, sweeps and durations', () => {
    const c = run([
      '--strategy',
      'optimistic,atomic',
      '--connections',
      '4,16',
      '--duration',
      '2m',
      '--warmup',
      '500ms',
    ]);
    expect(c.strategy).toEqual(['optimistic', 'atomic']);
    expect(c.connections).toEqual([4, 16]);
    expect(c.duration).toBe(120_000);
    expect(c.warmup).toBe(500);
  });

  it('takes profile parameters as name:key=value, validated by the profile, as distinct cells', () => {
    const c = run(['--profile', 'zipf:theta=0.5,zipf,hot-set:share=0.8:size=4']);
    expect(c.profile).toEqual(['zipf:theta=0.5', 'zipf', 'hot-set:share=0.8:size=4']);
    expect(usageError(['--profile', 'zipf:theta=2']).message).toMatch(/--profile zipf:theta=2.*theta/s);
    expect(usageError(['--profile', 'hot-set:bogus=1']).message).toContain('bogus');
    expect(usageError(['--profile', 'zipf:theta']).message).toContain('key=value');
  });

  it('takes --help and --list before anything else', () => {
    expect(parseCommandLine(['--help', '--strategy', 'nope']).kind).toBe('help');
    expect(parseCommandLine(['--list']).kind).toBe('list');
  });

  it('rejects an unknown option, naming it and suggesting the closest', () => {
    const e = usageError(['--stratgy', 'naive']);
    expect(e.message).toContain('--stratgy');
    expect(e.message).toContain('Did you mean --strategy?');
  });

  it('rejects an unknown strategy, naming the option and the allowed values', () => {
    const e = usageError(['--strategy', 'for-update,pessimistic']);
    expect(e.message).toContain('--strategy');
    expect(e.message).toContain('"pessimistic"');
    for (const s of STRATEGY_NAMES) expect(e.message).toContain(s);
  });

  it.each([
    [['--connections', '0'], '--connections'],
    [['--connections', 'many'], '--connections'],
    [['--duration', 'ten'], '--duration'],
    [['--isolation', 'snapshot'], '--isolation'],
    [['--db', 'oracle'], '--db'],
    [['--repeat', '1.5'], '--repeat'],
    [['--pg-url', 'http://x'], '--pg-url'],
    [['--durability', 'fast'], '--durability'],
    [['--profile', 'sellout', '--workload', 'account'], 'sellout'],
    [['--lock-order', 'request', '--workload', 'account'], '--lock-order'],
    [['--rate', '100', '--connections', '4,8'], '--rate'],
    [['--preset', 'nightly'], '--preset'],
    [['positional'], 'unexpected argument'],
  ])('rejects %j naming %s', (argv, name) => {
    expect(usageError(argv).message).toContain(name);
  });

  it('applies precedence: command line, config file, environment, preset, defaults', () => {
    const file = configFile(JSON.stringify({ duration: '7s', pool: 4, strategy: ['atomic'] }));
    const c = run(['--config', file, '--pool', '8', '--preset', 'ci'], {
      LOCKBENCH_PG_URL: 'postgres://u:p@h/db',
    });
    expect(c.pool).toBe(8); // command line beats the file
    expect(c.duration).toBe(7000); // file beats the preset
    expect(c.strategy).toEqual(['atomic']);
    expect(c.repeat).toBe(3); // from the ci preset
    expect(c.pgUrl).toBe('postgres://u:p@h/db'); // environment
  });

  it('rejects a config file with an unknown key or bad JSON, naming the file', () => {
    const typo = configFile(JSON.stringify({ durration: '7s' }));
    expect(usageError(['--config', typo]).message).toContain('"durration"');
    const broken = configFile('{ nope');
    expect(usageError(['--config', broken]).message).toContain(broken);
    expect(usageError(['--config', '/does/not/exist.json']).message).toContain('/does/not/exist.json');
  });
});
