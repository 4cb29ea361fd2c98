import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeArtifacts } from '../bench/artifacts.ts';
import { mergeRuns } from '../bench/merge/merge-runs.ts';
import { readOperations, writeOperations } from '../bench/merge/operations-file.ts';
import { createRunDir, writeRunJson } from '../bench/results-writer.ts';
import { isLockbenchError, LockbenchError } from '../core/errors.ts';
import { loadRunResult, resolveRunFile } from '../report/load-result.ts';
import { isEntry } from './is-entry.ts';

const USAGE = `usage: npm run merge -- <run dir> <run dir> ... [--out <dir>]

  Merges runs of the same matrix into one new run directory under --out (default results):
  the segments of one run (--segment 1/n ... n/n) into whole cells, or whole runs into one run
  whose repeats are all of theirs. Latency percentiles come from the histograms added together.
  Runs whose matrix, options, tool version or segments differ are refused, each difference named.
  Segments' cells stay unchecked until: npm run check -- <merged dir> --pg-url|--mysql-url <url>

  --out <dir>     parent directory of the merged run (default results)
  -h, --help      show this help`;

/** The command's options (a test checks the deploy manifests use no other). */
export const MERGE_OPTIONS = {
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command; returns the process exit code. */
export async function main(
  argv: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
): Promise<number> {
  try {
    let values: { out?: string; help?: boolean };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: MERGE_OPTIONS,
      }));
    } catch (e) {
      throw new LockbenchError('LOCKBENCH_USAGE', `${(e as Error).message}\n\n${USAGE}`);
    }
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length < 2)
      throw new LockbenchError(
        'LOCKBENCH_USAGE',
        `expected two or more run directories, got ${positionals.length}\n\n${USAGE}`,
      );
    const inputs = [];
    for (const target of positionals) {
      const file = await resolveRunFile(target);
      inputs.push({
        label: target,
        result: await loadRunResult(file),
        operations: readOperations(path.dirname(file)),
      });
    }
    const merged = mergeRuns(inputs, `npm run merge -- ${positionals.join(' ')}`);
    const dir = createRunDir(values.out ?? 'results', merged.result.runId);
    writeRunJson(dir, merged.result);
    if (merged.operations.length) writeOperations(dir, merged.operations);
    await writeArtifacts(merged.result, dir);
    io.stdout.write(`${dir}\n`);
    return 0;
  } catch (e) {
    if (isLockbenchError(e)) {
      io.stderr.write(`error ${e.code}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

if (isEntry(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
