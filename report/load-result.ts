import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { LockbenchError } from '../core/errors.ts';
import { RunResult } from '../core/result-schema.ts';

/**
 * `<dir>` -> `<dir>/run.json`; a file path stays as it is (symlinks such as results/latest are
 * followed). No run there, a directory without run.json included, is LOCKBENCH_RESULT_MISSING
 * (exit 2), the same for `report` and `compare`; `label` prefixes the message ("baseline: ").
 */
export async function resolveRunFile(target: string, label = ''): Promise<string> {
  const file = (await stat(target).catch(() => null))?.isDirectory() ? path.join(target, 'run.json') : target;
  if (!(await stat(file).catch(() => null))?.isFile()) {
    throw new LockbenchError(
      'LOCKBENCH_RESULT_MISSING',
      `${label}no run at ${file} (expected a run.json file or a run directory)`,
    );
  }
  return file;
}

/**
 * Reads and validates a run.json. Anything that is not a valid RunResult is
 * LOCKBENCH_RESULT_INVALID with the file named and, for schema mismatches, zod's issues; `label`
 * prefixes the message ("baseline: ").
 */
export async function loadRunResult(file: string, label = ''): Promise<RunResult> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new LockbenchError('LOCKBENCH_RESULT_INVALID', `${label}${file}: cannot be read (${why})`, {
      cause: e,
    });
  }
  return parseRunResult(raw, file, label);
}

/** Validates run.json text; `file` names it in errors, after `label`. */
export function parseRunResult(raw: string, file: string, label = ''): RunResult {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new LockbenchError('LOCKBENCH_RESULT_INVALID', `${label}${file} is not valid JSON: ${why}`, {
      cause: e,
    });
  }
  const parsed = RunResult.safeParse(data);
  if (!parsed.success) {
    throw new LockbenchError(
      'LOCKBENCH_RESULT_INVALID',
      `${label}${file} does not match the result schema:\n${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
