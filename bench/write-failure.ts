import { statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunResult } from '../core/result-schema.ts';

/**
 * When results cannot be written (a full disk under --out, a directory that went read-only), the
 * measurements must not be lost with them: the error names the path and the free space, and the
 * run is written where it still can be (the system temp dir), or printed with --json.
 */

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** `cannot write <path>: ENOSPC (0.0 MiB free of 0.1 MiB)`. */
export function describeWriteFailure(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  let space = '';
  try {
    const fs = statfsSync(dirname(path));
    space = ` (${mib(fs.bavail * fs.bsize)} free of ${mib(fs.blocks * fs.bsize)})`;
  } catch {}
  return `cannot write ${path}: ${code}${space}`;
}

/** Writes run.json to the system temp dir; returns where, or null when that fails too. */
export function rescueRun(result: RunResult): string | null {
  const file = join(tmpdir(), `lockbench-${result.runId}.run.json`);
  try {
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
    return file;
  } catch {
    return null;
  }
}
