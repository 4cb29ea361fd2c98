import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  type Dirent,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockbenchError } from '../../core/errors.ts';
import { makeDirs } from '../make-dirs.ts';
import { isOurServer, newOwner, ownerAlive, readOwner, writeOwner } from './owner.ts';

export { isAlive, type Owner, writeOwner } from './owner.ts';

/**
 * Every throwaway server lives in its own directory under one temp root, with an `owner.json`
 * marker (bench/databases/owner.ts). A run that was SIGKILLed can leave such a directory behind;
 * the next invocation finds it (owner gone) and stops the server. Nothing else under the root is
 * ever touched: the root may be shared (`LOCKBENCH_TMP=/tmp`) or hold the user's own files.
 */
export function tempRoot(): string {
  return process.env.LOCKBENCH_TMP || join(tmpdir(), 'lockbench');
}

/** The root as it was when this module loaded; tempRoot() reads the environment each time. */
export const TEMP_ROOT = tempRoot();

/** Names mkdtemp gives server directories (`pg-XXXXXX`, `mysql-XXXXXX`); nothing else is swept. */
const SERVER_DIR_NAME = /^(pg|mysql)-[A-Za-z0-9]{6}$/;

/**
 * Why `root` is unsafe to keep servers in, or null. A root someone else owns or can write to
 * (without the sticky bit) lets them plant or swap directories under ours; a symlink is not
 * followed at all. A missing root is fine: we create it.
 */
export function tempRootProblem(root: string): string | null {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(root);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT'
      ? null
      : `cannot inspect it (${(e as NodeJS.ErrnoException).code})`;
  }
  if (st.isSymbolicLink()) return 'it is a symbolic link (never followed)';
  if (!st.isDirectory()) return 'it is not a directory';
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    return `it is owned by uid ${st.uid}, not by this user (uid ${uid})`;
  const mode = st.mode & 0o7777;
  if ((mode & 0o022) !== 0 && (mode & 0o1000) === 0) {
    return `it is writable by group or others without the sticky bit (mode ${mode.toString(8).padStart(4, '0')})`;
  }
  return null;
}

/** Creates the root if missing; refuses an unsafe one. Returns the root. */
export function ensureTempRoot(root = tempRoot()): string {
  const problem = tempRootProblem(root);
  if (problem) {
    throw new LockbenchError(
      'LOCKBENCH_TMP_UNSAFE',
      `temp root ${root} (LOCKBENCH_TMP) is unsafe: ${problem}. Point LOCKBENCH_TMP at a directory you own that others cannot write to, or unset it`,
    );
  }
  try {
    makeDirs(root, 0o711);
  } catch (e) {
    throw new LockbenchError(
      'LOCKBENCH_TMP_UNSAFE',
      `temp root ${root} (LOCKBENCH_TMP) cannot be created: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return root;
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
export function makeServerDir(prefix: 'pg' | 'mysql', traversableBy?: { uid: number; gid: number }): string {
  const root = ensureTempRoot();
  if (traversableBy) {
    // An existing root (mktemp -d makes 0700) must let the server's user pass through it.
    const mode = statSync(root).mode & 0o777;
    if ((mode & 0o001) === 0) chmodSync(root, mode | 0o711);
  }
  const dir = mkdtempSync(join(root, `${prefix}-`));
  try {
    // The marker first, before the directory is handed to anyone else.
    writeOwner(dir, newOwner(null, ''));
    // mkdtemp makes 0700 root dirs: hand the whole dir to the server's user.
    if (traversableBy) chownSync(dir, traversableBy.uid, traversableBy.gid);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return dir;
}

/** A server directory of ours without a marker younger than this may be one being created now. */
const UNMARKED_GRACE_MS = 60_000;

/**
 * Stops servers whose owner process is gone and removes their directories. Only directories that
 * carry our marker are removed (an unmarked one of our own naming only when empty); directories of
 * live owners (another run, another test worker) are left alone; symlinks are never followed; an
 * unsafe root is not touched at all. Returns the directories removed.
 */
export function sweepStale(root = tempRoot()): string[] {
  if (tempRootProblem(root) !== null) return [];
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !SERVER_DIR_NAME.test(entry.name)) continue;
    const dir = join(root, entry.name);
    const owner = readOwner(dir);
    if (!owner) {
      // Ours only by its name: remove it only if empty (rmdir fails otherwise) and old.
      if (ageMs(dir) >= UNMARKED_GRACE_MS && lstatSync(dir).uid === process.getuid?.()) {
        try {
          rmdirSync(dir);
          removed.push(dir);
        } catch {}
      }
      continue;
    }
    if (ownerAlive(owner)) continue;
    if (isOurServer(owner, dir)) {
      try {
        // The owner is gone and so is the data's value: no need for a clean shutdown.
        process.kill(owner.serverPid as number, 'SIGKILL');
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

function ageMs(path: string): number {
  try {
    return Date.now() - lstatSync(path).mtimeMs;
  } catch {
    return 0;
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
