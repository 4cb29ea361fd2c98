import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../bench/cli-args.ts';
import type { BenchConfig } from '../../bench/config.ts';
import { reproduceCommand } from '../../bench/reproduce.ts';

const configOf = (argv: string[]): BenchConfig => {
  const c = parseCommandLine(argv);
  if (c.kind !== 'run') throw new Error('not a run');
  return c.config as BenchConfig;
};
const mask = (u: string) => u.replace(/:[^:@/]+@/, ':***@');

describe('the reproduce command', () => {
  it('spells out every option in effect, the databases and the revision', () => {
    const cmd = reproduceCommand(configOf(['--strategy', 'atomic']), ['postgres', 'mysql'], 'abc123', mask);
    expect(cmd.startsWith('git checkout abc123 && npm ci && npm run bench -- --db postgres,mysql ')).toBe(
      true,
    );
    for (const part of [
      '--strategy atomic',
      '--workload account,transfer,tickets',
      '--connections 32',
      '--duration 5000ms',
      '--warmup auto',
      '--warmup-max 10000ms',
      '--repeat 1',
      '--seed 1',
      '--pool 16',
      '--lock-timeout 5000ms',
      '--durability relaxed',
    ])
      expect(cmd).toContain(part);
    expect(cmd).not.toContain('--preset');
  });

  it('parses back to the same configuration', () => {
    const config = configOf([
      '--warmup',
      '2s',
      '--duration',
      '7s',
      '--seed',
      '9',
      '--profile',
      'zipf:theta=0.8',
    ]);
    const cmd = reproduceCommand(config, ['postgres'], null, mask);
    const argv = cmd.replace(/^npm run bench -- /, '').split(' ');
    const again = configOf(argv);
    for (const k of ['warmup', 'duration', 'seed', 'profile', 'strategy', 'workload', 'lockTimeout'] as const)
      expect(again[k], k).toEqual(config[k]);
  });

  it('masks a URL password and names the base commit of a dirty tree', () => {
    const config = configOf(['--pg-url', 'postgres://u:secret@127.0.0.1:5432/db']);
    const cmd = reproduceCommand(config, ['postgres'], 'abc123-dirty', mask);
    expect(cmd).not.toContain('secret');
    expect(cmd).toContain('postgres://u:***@127.0.0.1:5432/db');
    expect(cmd).toContain('git checkout abc123 ');
    expect(cmd).toContain('uncommitted changes');
  });
});
