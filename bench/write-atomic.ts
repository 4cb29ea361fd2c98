import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temp name beside `file`, unique per process and call: two writers never share one. */
function tempBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes via a temp file and a rename, so a reader (another process, or the same one after a
 * Ctrl-C) never sees half a file. A failed write (a full disk) removes its temp file.
 */
export function writeFileAtomicSync(file: string, content: string, mode?: number): void {
  const tmp = tempBeside(file);
  try {
    writeFileSync(tmp, content, mode === undefined ? undefined : { mode });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** writeFileAtomicSync without blocking the event loop. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const tmp = tempBeside(file);
  try {
    await writeFile(tmp, content, 'utf8');
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
