import { describe, expect, it } from 'vitest';
import { parseAbSpec } from '../../bench/ab/spec.ts';
import { parseCommandLine } from '../../bench/cli-args.ts';
import { reproduceCommand } from '../../bench/reproduce.ts';
import type { LockbenchError } from '../../core/errors.ts';

function ab(argv: string[]) {
  const c = parseCommandLine(argv, {});
  if (c.kind !== 'run' || !c.ab) throw new Error('expected an A/B run');
  return c;
}

function usage(argv: string[]): string {
  try {
    parseCommandLine(argv, {});
  } catch (e) {
    expect((e as LockbenchError).code).toBe('LOCKBENCH_USAGE');
    return (e as Error).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('--ab spellings', () => {
  it('parses a revision, a setting and two databases', () => {
    expect(parseAbSpec('base=origin/main')).toEqual({ axis: 'revision', ref: 'origin/main' });
    expect(parseAbSpec('pool=16,64')).toEqual({
      axis: 'setting',
      key: 'pool',
      flag: '--pool',
      values: ['16', '64'],
    });
    expect(parseAbSpec('work-ms=0,2')).toMatchObject({ axis: 'setting', key: 'workMs' });
    expect(parseAbSpec('db=postgres,mysql')).toEqual({ axis: 'database', values: ['postgres', 'mysql'] });
  });

  it('refuses what it cannot read, naming the option', () => {
    expect(parseAbSpec('pool=16')).toMatch(/two values/);
    expect(parseAbSpec('poool=1,2')).toMatch(/unknown "poool"/);
    expect(parseAbSpec('base=--evil')).toMatch(/not a git ref/);
    expect(parseAbSpec('db=postgres,oracle')).toMatch(/expected postgres, mysql or a URL/);
  });
});

describe('A/B command line', () => {
  it('gives each side its own config through the same schema; B is the run config', () => {
    const c = ab(['--ab', 'pool=16,64', '--strategy', 'atomic']);
    const [a, b] = c.ab?.sides ?? [];
    expect(a?.pool).toBe(16);
    expect(b?.pool).toBe(64);
    expect(c.config).toBe(b);
    expect(a?.strategy).toEqual(['atomic']);
  });

  it('measures 3 s per side by default, one repeat (the pairs are the repeats), unless told', () => {
    const c = ab(['--ab', 'work-ms=0,2', '--preset', 'ci']);
    expect(c.config.duration).toBe(3000);
    expect(c.config.repeat).toBe(1);
    expect(ab(['--ab', 'work-ms=0,2', '--duration', '2s']).config.duration).toBe(2000);
  });

  it('defaults and parses the stopping rule', () => {
    const c = ab(['--ab', 'pool=8,16']);
    expect(c.config.abTarget).toBe(0.05);
    expect(c.config.abThreshold).toBe(0.05);
    expect(c.config.abBudget).toEqual({ pairs: 8, ms: null });
    const d = ab(['--ab', 'pool=8,16', '--ab-target', '10%', '--ab-budget', '6,10m', '--ab-threshold', '3']);
    expect(d.config.abTarget).toBeCloseTo(0.1, 12);
    expect(d.config.abThreshold).toBeCloseTo(0.03, 12);
    expect(d.config.abBudget).toEqual({ pairs: 6, ms: 600_000 });
    expect(ab(['--ab', 'pool=8,16', '--ab-budget', '9m']).config.abBudget).toEqual({ pairs: 8, ms: 540_000 });
  });

  it('validates each side with the flag it came from', () => {
    expect(usage(['--ab', 'pool=16,0'])).toMatch(/side B: --pool: expected an integer from 1 to 1000/);
    expect(usage(['--ab', 'isolation=serializable,chaos'])).toMatch(/side B: --isolation: unknown "chaos"/);
    expect(usage(['--ab', 'pool=1,2', '--ab-budget', '2'])).toMatch(/--ab-budget/);
    expect(usage(['--ab', 'pool=1,2', '--ab-target', '0%'])).toMatch(/--ab-target/);
    expect(usage(['--ab', 'db=postgres,mysql', '--db', 'postgres'])).toMatch(/leave out --db/);
  });

  it('allows A/A (equal sides): it shows what noise alone reports', () => {
    const c = ab(['--ab', 'pool=16,16']);
    expect(c.ab?.sides[0].pool).toBe(c.ab?.sides[1].pool);
  });

  it('a db run puts each side on its database; URLs land in the right option', () => {
    const c = ab(['--ab', 'db=postgres,mysql']);
    expect(c.ab?.sides[0].db).toEqual(['postgres']);
    expect(c.ab?.sides[1].db).toEqual(['mysql']);
    const u = ab(['--ab', 'db=postgres://u:secret@127.0.0.1:5432/a,postgres://u:secret@127.0.0.1:5433/b']);
    expect(u.ab?.sides[0].pgUrl).toContain(':5432/');
    expect(u.ab?.sides[1].pgUrl).toContain(':5433/');
    const cmd = reproduceCommand(u.config, [], null, (s) => s.replace(/:[^:@/]+@/, ':***@'));
    expect(cmd).not.toContain('secret');
    expect(cmd).toContain("--ab 'db=postgres://u:***@127.0.0.1:5432/a,postgres://u:***@127.0.0.1:5433/b'");
    expect(cmd).not.toContain('--pg-url');
  });

  it('the reproduce command carries the A/B options, and plain runs carry none', () => {
    const c = ab(['--ab', 'pool=8,16', '--ab-budget', '6,10m']);
    const cmd = reproduceCommand(c.config, ['postgres'], null, (s) => s);
    expect(cmd).toContain('--ab pool=8,16 --ab-target 5% --ab-threshold 5% --ab-budget 6,600000ms');
    const plain = parseCommandLine([], {});
    if (plain.kind !== 'run') throw new Error('run');
    expect(reproduceCommand(plain.config, ['postgres'], null, (s) => s)).not.toContain('--ab');
  });
});
