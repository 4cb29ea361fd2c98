import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LockbenchError } from '../../bench/errors.ts';
import { RunResult } from '../../bench/result-schema.ts';
import { resolveRunFile } from '../report/load-result.ts';

/**
 * Reads and validates a run: `path` is a run.json file or a run directory (dir/run.json; symlinks
 * such as results/latest are followed). No run there is LOCKBENCH_RESULT_MISSING (exit 2); a file
 * that is not a valid run is LOCKBENCH_RESULT_INVALID.
 */
export async function loadRun(
  path: string,
  role: 'baseline' | 'current',
): Promise<{ file: string; run: RunResult }> {
  const file = await resolveRunFile(path, `${role}: `);
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
