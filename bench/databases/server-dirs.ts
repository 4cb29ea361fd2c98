import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every throwaway server lives in its own directory under one temp root, with an `owner.json`
 * naming the harness process that started it and the server's pid. A run that was SIGKILLed
 * leaves such a directory behind; the next start finds it (owner gone) and stops the server.
 */
export const TEMP_ROOT = process.env.LOCKBENCH_TMP ?? join(tmpdir(), 'lockbench');

export interface Owner {
  /** The harness process that owns the server. */
  ownerPid: number;
  /** The server's main process (postmaster, mariadbd). */
  serverPid: number | null;
  /** Process name the server pid must have, so a recycled pid is never killed. */
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

function commOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The uid/gid to run PostgreSQL as: `postgres` when we are root (it refuses to run as root). */
export function postgresIds(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root, but there is no `postgres` user to run PostgreSQL as (useradd postgres)',
    );
  }
}

/** Creates a fresh server directory; `traversableBy` makes the root and dir usable by that uid. */
export function makeServerDir(prefix: string, traversableBy?: { uid: number; gid: number }): string {
  mkdirSync(TEMP_ROOT, { recursive: true, mode: 0o711 });
  if (traversableBy) {
    // An existing root (mktemp -d makes 0700) must let the server's user pass through it.
    const mode = statSync(TEMP_ROOT).mode & 0o777;
    if ((mode & 0o001) === 0) chmodSync(TEMP_ROOT, mode | 0o711);
  }
  const dir = mkdtempSync(join(TEMP_ROOT, `${prefix}-`));
  try {
    // mkdtemp makes 0700 root dirs: hand the whole dir to the server's user.
    if (traversableBy) chownSync(dir, traversableBy.uid, traversableBy.gid);
    writeOwner(dir, { ownerPid: process.pid, serverPid: null, serverComm: '' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return dir;
}

/** Atomic (temp file + rename): a sweep in another process never reads half a file. */
export function writeOwner(dir: string, owner: Owner): void {
  const tmp = join(dir, `.owner.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(owner));
  renameSync(tmp, join(dir, 'owner.json'));
}

/** A directory without a readable owner.json younger than this may be one being created now. */
const UNOWNED_GRACE_MS = 60_000;

/**
 * Stops servers whose owner process is gone and removes their directories. Directories of live
 * owners (another run, another test worker) are left alone. Returns the directories removed.
 */
export function sweepStale(): string[] {
  if (!existsSync(TEMP_ROOT)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(TEMP_ROOT)) {
    const dir = join(TEMP_ROOT, name);
    let owner: Owner | null = null;
    try {
      owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as Owner;
    } catch {
      owner = null;
    }
    if (owner && isAlive(owner.ownerPid)) continue;
    if (!owner && ageMs(dir) < UNOWNED_GRACE_MS) continue;
    if (owner?.serverPid && isAlive(owner.serverPid) && commOf(owner.serverPid) === owner.serverComm) {
      try {
        // The owner is gone and so is the data's value: no need for a clean shutdown.
        process.kill(owner.serverPid, 'SIGKILL');
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Last `n` lines of a log file, for start failures. Error lines from before the tail come first
 * (up to 10): mariadb-install-db, for one, ends its log with generic advice, not with the error.
 */
export function logTail(file: string, n = 20): string {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const tail = lines.slice(-n);
    const errors = lines
      .slice(0, Math.max(0, lines.length - n))
      .filter((l) => /\[ERROR\]|\bERROR\b|FATAL|PANIC|Permission denied|No space/i.test(l))
      .slice(-10);
    return errors.length ? [...errors, '...', ...tail].join('\n') : tail.join('\n');
  } catch {
    return '(no log written)';
  }
}

/**
 * Whether the log, from byte `from` on, says the port was taken. A port from freePort() can be
 * taken by another process before the server binds it (concurrent starts): then start again.
 */
export function portTaken(file: string, from: number): boolean {
  try {
    const text = readFileSync(file).subarray(from).toString('utf8');
    return /address already in use|could not bind|Bind on TCP\/IP port/i.test(text);
  } catch {
    return false;
  }
}

export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
