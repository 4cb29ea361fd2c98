import { mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LockbenchError } from '../core/errors.ts';
import { RunResult } from '../core/result-schema.ts';
import { makeDirs } from './make-dirs.ts';
import { writeFileAtomicSync } from './write-atomic.ts';

/** A new directory for one run; an existing one is never reused or overwritten. */
export function createRunDir(outDir: string, runId: string): string {
  const dir = join(outDir, runId);
  try {
    // Both inside the try: an --out that is a file (ENOTDIR, EEXIST) is the user's to fix, not a crash.
    makeDirs(outDir);
    mkdirSync(dir);
  } catch (e) {
    throw new LockbenchError(
      'LOCKBENCH_USAGE',
      `--out: cannot create ${dir}: ${(e as NodeJS.ErrnoException).code}`,
    );
  }
  return dir;
}

/** Validates against the schema (a bug here must not produce a file others cannot read) and writes run.json. */
export function writeRunJson(dir: string, result: RunResult): string {
  const checked = RunResult.safeParse(result);
  if (!checked.success) {
    throw new LockbenchError(
      'LOCKBENCH_RESULT_INVALID',
      `run.json would not match its schema: ${checked.error.message}`,
    );
  }
  const path = join(dir, 'run.json');
  writeFileAtomicSync(path, `${JSON.stringify(checked.data, null, 2)}\n`);
  return path;
}

/** Points `<out>/latest` at the run directory (relative link, replaced atomically). */
export function updateLatest(outDir: string, runDir: string): void {
  const link = join(outDir, 'latest');
  const tmp = join(outDir, `.latest.${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(basename(runDir), tmp);
  renameSync(tmp, link);
}
