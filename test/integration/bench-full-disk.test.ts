import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { RunResult } from '../../core/result-schema.ts';
import { makeSandbox, runBench } from '../fixtures/bench-process.ts';

/**
 * A full disk under --out: the run is not lost. A 96 KiB tmpfs, filled but for a few KiB, takes
 * the probe file and the run directory, then fails every results write with ENOSPC.
 */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = join('/tmp', `lockbench-mount-probe-${process.pid}`);
  try {
    mkdirSync(probe, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

describe('ENOSPC under --out', () => {
  it.runIf(canMount())(
    'keeps the finished cells: a clear error with path and free space, the run elsewhere and on stdout, no temp files',
    async ({ onTestFinished }) => {
      const s = makeSandbox();
      mkdirSync(s.out);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', s.out]);
      onTestFinished(() => {
        execFileSync('umount', [s.out]);
        s.cleanup();
      });
      writeFileSync(join(s.out, 'filler'), Buffer.alloc(88 * 1024));
      const r = await runBench(
        [
          ...['--db', 'postgres', '--pg-url', inject('pgUrl'), '--workload', 'account'],
          ...['--strategy', 'atomic,naive', '--duration', '500ms', '--warmup', '0', '--connections', '2'],
          ...['--json', '--out', s.out],
        ],
        s,
      );
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        /lockbench: LOCKBENCH_OUTPUT_FAILED: cannot write .*run\.json: ENOSPC \(\d+\.\d MiB free of 0\.1 MiB\)/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const rescued = /were written to (\S+)/.exec(r.stderr)?.[1];
      expect(rescued, r.stderr).toBeDefined();
      onTestFinished(() => rmSync(rescued as string, { force: true }));
      const saved = RunResult.parse(JSON.parse(readFileSync(rescued as string, 'utf8')));
      expect(saved.cells.map((c) => c.strategy)).toEqual(['atomic', 'naive']);
      expect(saved.cells.every((c) => c.metrics !== null)).toBe(true);
      // --json: the whole run on stdout too.
      expect(RunResult.parse(JSON.parse(r.stdout)).cells).toHaveLength(2);
      // No stray temp file anywhere under --out.
      const runDirs = readdirSync(s.out).filter((d) => d !== 'filler');
      for (const d of runDirs) {
        expect(readdirSync(join(s.out, d)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      }
      expect(existsSync(join(s.out, 'latest'))).toBe(false);
    },
    120_000,
  );
});
