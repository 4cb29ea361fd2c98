import { describe, expect, it } from 'vitest';
import { parseCompareArgs, parsePercent } from '../../compare/options.ts';
import { LockbenchError } from '../../core/errors.ts';

function usageError(argv: string[]): LockbenchError {
  try {
    parseCompareArgs(argv);
  } catch (e) {
    if (e instanceof LockbenchError) return e;
    throw e;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('parseCompareArgs', () => {
  it('defaults: mode both, 15% for every metric, reference atomic, no --out', () => {
    expect(parseCompareArgs(['a', 'b'])).toEqual({
      baseline: 'a',
      current: 'b',
      out: null,
      options: {
        mode: 'both',
        thresholds: { goodput: 0.15, p99: 0.15, extraAttempts: 0.15 },
        reference: 'atomic',
      },
      help: false,
    });
  });

  it('--threshold sets every metric; per-metric flags override it in any order', () => {
    const args = parseCompareArgs([
      '--threshold-goodput',
      '10%',
      'a',
      '--threshold=20%',
      'b',
      '--threshold-p99',
      '25',
      '--threshold-retries=30.5%',
      '--mode',
      'absolute',
      '--out',
      'x/compare.md',
      '--reference',
      'for-update',
    ]);
    expect(args.options).toEqual({
      mode: 'absolute',
      thresholds: { goodput: 0.1, p99: 0.25, extraAttempts: 0.305 },
      reference: 'for-update',
    });
    expect([args.baseline, args.current, args.out]).toEqual(['a', 'b', 'x/compare.md']);
  });

  it('a bad --mode names the flag and the allowed values', () => {
    const e = usageError(['a', 'b', '--mode', 'fast']);
    expect(e.code).toBe('LOCKBENCH_USAGE');
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('--mode must be one of absolute, relative, both (got "fast")');
  });

  it('rejects unknown flags, missing values, bad percentages and wrong argument counts', () => {
    expect(usageError(['a', 'b', '--treshold', '5%']).message).toMatch(
      /^unknown option --treshold; allowed: --mode, --threshold,/,
    );
    expect(usageError(['a', 'b', '--out']).message).toBe('--out needs a value');
    expect(usageError(['a', 'b', '--threshold-p99', 'lots']).message).toBe(
      '--threshold-p99 must be a percentage between 0% and 1000%, like 15% (got "lots")',
    );
    expect(usageError(['a', 'b', '--threshold', '-5%']).message).toMatch(/^--threshold must be a percentage/);
    expect(usageError(['a']).message).toMatch(/^expected two arguments: <baseline> <current>/);
    expect(usageError(['a', 'b', 'c']).message).toBe('expected two arguments, got 3: a b c');
  });

  it('--help needs no arguments', () => {
    expect(parseCompareArgs(['--help']).help).toBe(true);
    expect(parseCompareArgs(['-h']).help).toBe(true);
  });
});

describe('parsePercent', () => {
  it('reads 15%, 15 and 0.5% as fractions', () => {
    expect(parsePercent('threshold', '15%')).toBe(0.15);
    expect(parsePercent('threshold', '15')).toBe(0.15);
    expect(parsePercent('threshold', '0.5%')).toBe(0.005);
    expect(parsePercent('threshold', '0')).toBe(0);
  });
});
