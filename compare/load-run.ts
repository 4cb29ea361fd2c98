import type { RunResult } from '../core/result-schema.ts';
import { loadRunResult, resolveRunFile } from '../report/load-result.ts';

/**
 * Reads and validates a run: `path` is a run.json file or a run directory (dir/run.json; symlinks
 * such as results/latest are followed). No run there is LOCKBENCH_RESULT_MISSING (exit 2); a file
 * that is not a valid run is LOCKBENCH_RESULT_INVALID; both messages start with the role.
 */
export async function loadRun(
  path: string,
  role: 'baseline' | 'current',
): Promise<{ file: string; run: RunResult }> {
  const file = await resolveRunFile(path, `${role}: `);
  return { file, run: await loadRunResult(file, `${role}: `) };
}
