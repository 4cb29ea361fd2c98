import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isLockbenchError } from '../core/errors.ts';
import { compareRuns } from './compare-runs.ts';
import { loadRun } from './load-run.ts';
import { COMPARE_USAGE, parseCompareArgs } from './options.ts';
import { renderComparisonMarkdown } from './render-markdown.ts';

/** Where the command writes; the process entry passes stdout/stderr. */
export interface CliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/**
 * The `compare` command: parse, load both runs, compare, render, print (and write --out).
 * Returns the exit code: 0 no regression detected or nothing could be judged, 1 judged regression /
 * correctness failure / invalid run.json, 2 usage or no run at a path given.
 */
export async function runCompareCommand(argv: readonly string[], io: CliOutput): Promise<number> {
  try {
    const args = parseCompareArgs(argv);
    if (args.help) {
      io.stdout(`${COMPARE_USAGE}\n`);
      return 0;
    }
    const [baseline, current] = await Promise.all([
      loadRun(args.baseline, 'baseline'),
      loadRun(args.current, 'current'),
    ]);
    const comparison = compareRuns(baseline.run, current.run, args.options);
    const markdown = renderComparisonMarkdown(comparison);
    if (args.out !== null) {
      await mkdir(dirname(args.out), { recursive: true });
      await writeFile(args.out, markdown);
    }
    io.stdout(markdown);
    return comparison.failed ? 1 : 0;
  } catch (e) {
    if (!isLockbenchError(e)) throw e;
    io.stderr(`${e.code}: ${e.message}\n`);
    if (e.code === 'LOCKBENCH_USAGE') io.stderr(`\n${COMPARE_USAGE}\n`);
    return e.exitCode;
  }
}
