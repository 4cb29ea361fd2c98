import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../write-atomic.ts';

/**
 * The marker lockbench writes into every throwaway server directory it creates: `owner.json`,
 * naming the harness process that owns the server and the server's main process. A sweep removes
 * a directory only when its marker is ours (a regular file, owned by our uid, with our tag), and
 * signals a process only when it is verifiably the server we started: same pid, same start time
 * where the OS tells it, and the server directory in its command line. A marker planted by another
 * user, or a pid recycled by an unrelated process, is never acted on.
 */

export const OWNER_FILE = 'owner.json';
/** Every marker carries it; a file without it is not ours. */
export const OWNER_TAG = 'lockbench-server-dir';

export interface Owner {
  tag: typeof OWNER_TAG;
  /** The harness process that owns the server. */
  ownerPid: number;
  /** The owner's start time (`/proc/<pid>/stat` field 22, clock ticks since boot); null without /proc. */
  ownerStart: string | null;
  /** The server's main process (postmaster, mariadbd); null until it was spawned. */
  serverPid: number | null;
  /** The server's start time, as ownerStart. */
  serverStart: string | null;
  /** Process name of the server (`postgres`, `mariadbd`), for people reading the file. */
  serverComm: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start time of a process in clock ticks since boot (Linux), or null. Survives pid reuse checks. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall; fields[0] is field 3
  } catch {
    return null;
  }
}

/** The command line of a process, arguments joined by spaces, or null when it is gone. */
export function processCommandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {}
  try {
    // No /proc (macOS): ps knows the command line too.
    return execFileSync('ps', ['-ww', '-o', 'command=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export function newOwner(serverPid: number | null, serverComm: string): Owner {
  return {
    tag: OWNER_TAG,
    ownerPid: process.pid,
    ownerStart: processStartTime(process.pid),
    serverPid,
    serverStart: serverPid === null ? null : processStartTime(serverPid),
    serverComm,
  };
}

/** Atomic (temp file + rename): a sweep in another process never reads half a file. */
export function writeOwner(dir: string, owner: Owner): void {
  writeFileAtomicSync(join(dir, OWNER_FILE), JSON.stringify(owner), 0o644);
}

/** The directory's marker when it is ours (regular file, our uid, our tag, right shape), else null. */
export function readOwner(dir: string): Owner | null {
  const file = join(dir, OWNER_FILE);
  try {
    const st = lstatSync(file);
    if (!st.isFile()) return null;
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) return null;
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<Owner>;
    if (o.tag !== OWNER_TAG || !Number.isInteger(o.ownerPid)) return null;
    if (o.serverPid !== null && !Number.isInteger(o.serverPid)) return null;
    return o as Owner;
  } catch {
    return null;
  }
}

/** Whether the harness that wrote the marker still runs (a recycled pid does not count). */
export function ownerAlive(o: Owner): boolean {
  if (!isAlive(o.ownerPid)) return false;
  return o.ownerStart === null || processStartTime(o.ownerPid) === o.ownerStart;
}

/**
 * Whether `o.serverPid` is still the server lockbench started in `dir`: alive, with the recorded
 * start time, and `dir` in its command line (`-D <dir>/data`, `--datadir=<dir>/data`).
 */
export function isOurServer(o: Owner, dir: string): boolean {
  const pid = o.serverPid;
  if (pid === null || pid <= 1 || !isAlive(pid)) return false;
  if (o.serverStart !== null) {
    const now = processStartTime(pid);
    if (now !== null && now !== o.serverStart) return false;
  }
  return processCommandLine(pid)?.includes(dir) ?? false;
}
