import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LockbenchError } from '../../bench/errors.ts';
import { RunResult } from '../../bench/result-schema.ts';

/**
 * Reads and validates a run: `path` is a run.json file or a run directory (dir/run.json; symlinks
 * such as results/latest are followed). A missing path is a usage error (exit 2); a file that is
 * not a valid run is LOCKBENCH_RESULT_INVALID.
 */
export async function loadRun(
  path: string,
  role: 'baseline' | 'current',
): Promise<{ file: string; run: RunResult }> {
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, 'run.json');
    await stat(file);
  } catch {
    throw new LockbenchError(
      'LOCKBENCH_USAGE',
      `${role}: no run at ${file} (expected a run.json file or a run directory)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new LockbenchError(
      'LOCKBENCH_RESULT_INVALID',
      `${role}: ${file} is not JSON: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const parsed = RunResult.safeParse(json);
  if (!parsed.success) {
    throw new LockbenchError(
      'LOCKBENCH_RESULT_INVALID',
      `${role}: ${file} does not match the result schema:\n${z.prettifyError(parsed.error)}`,
    );
  }
  return { file, run: parsed.data };
}
