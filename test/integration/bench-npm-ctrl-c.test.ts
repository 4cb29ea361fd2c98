import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../bench/environment.ts';
import { RunResult } from '../../core/result-schema.ts';
import { eventually, makeSandbox, processesInGroup } from '../fixtures/bench-process.ts';

/**
 * Ctrl-C through the documented command: `npm run bench`, the signal sent to the whole process
 * group as a terminal does, while 32 connections keep the harness busy. A wrapper may relay the
 * SIGINT again (the tsx CLI did, when the busy harness did not acknowledge it within 30 ms), so the
 * harness can hear it twice within milliseconds; it must still write run.json (interrupted:
 * true), the reports and `latest`, every time. The suite's PostgreSQL serves as an external
 * database, so a trial costs one benchmark server start, not a database start.
 */
const TRIALS = 10;

describe('SIGINT to the process group of `npm run bench`', () => {
  it(`writes run.json, the reports and latest in ${TRIALS} of ${TRIALS} trials`, async ({
    onTestFinished,
  }) => {
    const s = makeSandbox();
    onTestFinished(() => s.cleanup());
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const out = join(s.out, `trial-${trial}`);
      const child = spawn(
        'npm',
        [
          ...['run', '--silent', 'bench', '--', '--db', 'postgres', '--pg-url', inject('pgUrl')],
          ...['--workload', 'account', '--strategy', 'atomic', '--duration', '5s', '--warmup', '0'],
          ...['--connections', '32', '--out', out],
        ],
        {
          cwd: ROOT,
          env: { ...process.env, LOCKBENCH_TMP: s.tmp },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        },
      );
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (c: string) => {
        stderr += c;
      });
      child.stdout?.resume();
      const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
      const pgid = child.pid as number;
      // Mid-cell: once the benchmark server of the cell is up (the load starts right after).
      const underLoad = await eventually(
        () => processesInGroup(pgid).some((p) => /--strategy atomic --workload account --schema /.test(p)),
        60_000,
      );
      expect(underLoad, stderr).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      process.kill(-pgid, 'SIGINT');
      await exited;

      const runs = existsSync(out)
        ? readdirSync(out).filter((d) => d !== 'latest' && !d.startsWith('.'))
        : [];
      const dir = join(out, runs[0] ?? 'none');
      const run = existsSync(join(dir, 'run.json'))
        ? RunResult.parse(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')))
        : null;
      const ok =
        run?.interrupted === true &&
        existsSync(join(dir, 'report.md')) &&
        existsSync(join(dir, 'report.html')) &&
        existsSync(join(out, 'latest')) &&
        realpathSync(join(out, 'latest')) === realpathSync(dir);
      outcomes.push(
        ok
          ? 'written'
          : `trial ${trial}: lost (run.json ${run ? `interrupted=${run.interrupted}` : 'missing'})\n${stderr}`,
      );
      await eventually(() => processesInGroup(pgid).length === 0, 10_000);
    }
    expect(outcomes.filter((o) => o !== 'written')).toEqual([]);
  }, 400_000);
});
