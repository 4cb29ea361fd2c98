import { accessSync, constants, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LockbenchError } from '../core/errors.ts';
import { makeDirs } from './make-dirs.ts';

/**
 * `--out` is checked before anything starts: a run that measures for minutes and then cannot
 * write is the worst way to learn that the directory was wrong (`/proc/x`, a file, a read-only
 * mount, someone else's directory).
 */

function usage(what: string): LockbenchError {
  return new LockbenchError('LOCKBENCH_USAGE', `--out: ${what}`);
}

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** Without creating anything (--dry-run): the nearest existing ancestor is a directory we may write. */
export function checkOutputDir(out: string): void {
  let p = resolve(out);
  for (;;) {
    try {
      if (!statSync(p).isDirectory())
        throw usage(`cannot create ${resolve(out)}: ENOTDIR (${p} is not a directory)`);
      break;
    } catch (e) {
      if (e instanceof LockbenchError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(p) === p) {
        throw usage(`cannot create ${resolve(out)}: ${codeOf(e)}`);
      }
      p = dirname(p);
    }
  }
  try {
    accessSync(p, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw usage(`cannot write in ${p}: ${codeOf(e)}`);
  }
}

/** Creates `out` and proves a file can be written there, then removes the probe. */
export function prepareOutputDir(out: string): void {
  checkOutputDir(out);
  try {
    makeDirs(out);
  } catch (e) {
    throw usage(`cannot create ${(e as NodeJS.ErrnoException).path ?? out}: ${codeOf(e)}`);
  }
  const probe = join(out, `.lockbench-write-check.${process.pid}`);
  try {
    writeFileSync(probe, 'ok\n');
  } catch (e) {
    throw usage(`cannot write in ${out}: ${codeOf(e)}`);
  } finally {
    rmSync(probe, { force: true });
  }
}
