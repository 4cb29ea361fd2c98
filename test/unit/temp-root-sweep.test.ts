import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, OWNER_TAG, type Owner, writeOwner } from '../../bench/databases/owner.ts';
import { ensureTempRoot, sweepStale } from '../../bench/databases/server-dirs.ts';
import { isLockbenchError } from '../../core/errors.ts';

/**
 * The sweep of throwaway-server directories (bench/databases/server-dirs.ts) removes only what
 * lockbench created there, follows no symlink, signals only the server it started, and refuses a
 * temp root others control.
 */

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function scratch(): string {
  const base = mkdtempSync(join(tmpdir(), 'lockbench-sweep-test-'));
  cleanups.push(() => rmSync(base, { recursive: true, force: true }));
  return base;
}

/** A long-lived process whose command line carries `marker` (as a server's carries its dir). */
function dummy(marker: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], { stdio: 'ignore' });
  cleanups.push(() => child.kill('SIGKILL'));
  return child;
}

/** A pid that has exited (its owner is gone). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

const HOUR_AGO = new Date(Date.now() - 3_600_000);
const old = (path: string) => utimesSync(path, HOUR_AGO, HOUR_AGO);
const nobody = 65534;
const asRoot = process.getuid?.() === 0;

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !isAlive(pid);
}

function stale(serverPid: number | null): Owner {
  return {
    tag: OWNER_TAG,
    ownerPid: deadPid(),
    ownerStart: null,
    serverPid,
    serverStart: null,
    serverComm: 'postgres',
  };
}

describe('the temp-root sweep deletes nothing that is not ours', () => {
  it('leaves foreign files, an old foreign directory, a symlink and foreign markers intact', async () => {
    const base = scratch();
    const root = join(base, 'root');
    mkdirSync(root, { mode: 0o711 });
    const outside = join(base, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'precious.txt'), 'keep me');

    writeFileSync(join(root, 'notes.txt'), 'my notes');
    mkdirSync(join(root, 'project', 'src'), { recursive: true });
    writeFileSync(join(root, 'project', 'src', 'main.c'), 'int main;');
    symlinkSync(outside, join(root, 'link'));
    // Named like ours but without a marker, and not empty.
    mkdirSync(join(root, 'pg-abc123'));
    writeFileSync(join(root, 'pg-abc123', 'data'), 'x');
    // A symlink named like ours, pointing outside.
    symlinkSync(outside, join(root, 'mysql-abc123'));
    // A marker of the wrong shape (another tool's owner.json naming a dead pid).
    mkdirSync(join(root, 'pg-def456'));
    writeFileSync(
      join(root, 'pg-def456', 'owner.json'),
      JSON.stringify({ ownerPid: deadPid(), serverPid: 1 }),
    );
    // Our marker, naming a dead owner and a live process that is not our server (no dir in its
    // command line): the dir is ours and goes, the process is never signalled.
    const victim = dummy('not-a-server');
    mkdirSync(join(root, 'pg-ghi789'));
    writeOwner(join(root, 'pg-ghi789'), stale(victim.pid as number));
    // Planted by another user: a marker of the right shape naming a process with the dir in its
    // command line. Not written by us, so neither the dir nor the process is touched.
    const planted = join(root, 'pg-jkl012');
    const plantedVictim = dummy(planted);
    if (asRoot) {
      mkdirSync(planted);
      writeOwner(planted, stale(plantedVictim.pid as number));
      chownSync(join(planted, 'owner.json'), nobody, nobody);
    }
    for (const name of readdirSync(root)) {
      try {
        utimesSync(join(root, name), HOUR_AGO, HOUR_AGO);
      } catch {}
    }
    old(join(root, 'notes.txt'));

    const removed = sweepStale(root);

    expect(removed).toEqual([join(root, 'pg-ghi789')]);
    expect(readFileSync(join(root, 'notes.txt'), 'utf8')).toBe('my notes');
    expect(readFileSync(join(root, 'project', 'src', 'main.c'), 'utf8')).toBe('int main;');
    expect(readFileSync(join(root, 'link', 'precious.txt'), 'utf8')).toBe('keep me');
    expect(readFileSync(join(outside, 'precious.txt'), 'utf8')).toBe('keep me');
    expect(existsSync(join(root, 'pg-abc123', 'data'))).toBe(true);
    expect(existsSync(join(root, 'mysql-abc123'))).toBe(true);
    expect(existsSync(join(root, 'pg-def456', 'owner.json'))).toBe(true);
    expect(isAlive(victim.pid as number)).toBe(true);
    expect(isAlive(plantedVictim.pid as number)).toBe(true);
    if (asRoot) expect(existsSync(join(planted, 'owner.json'))).toBe(true);
  });

  it('stops a stale server of ours (its dir in its command line) and removes its dir', async () => {
    const root = join(scratch(), 'root');
    mkdirSync(root, { mode: 0o711 });
    const dir = join(root, 'mysql-zz9zz9');
    mkdirSync(dir);
    const server = dummy(join(dir, 'data'));
    writeOwner(dir, stale(server.pid as number));
    expect(sweepStale(root)).toEqual([dir]);
    expect(await gone(server.pid as number)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it('an empty unmarked dir of our naming goes once it is old; a young one stays', () => {
    const root = join(scratch(), 'root');
    mkdirSync(root, { mode: 0o711 });
    mkdirSync(join(root, 'pg-old111'));
    old(join(root, 'pg-old111'));
    mkdirSync(join(root, 'pg-new222'));
    expect(sweepStale(root)).toEqual([join(root, 'pg-old111')]);
    expect(existsSync(join(root, 'pg-new222'))).toBe(true);
  });
});

describe('an unsafe temp root is refused and never swept', () => {
  function expectRefused(root: string, reason: RegExp): void {
    let err: unknown;
    try {
      ensureTempRoot(root);
    } catch (e) {
      err = e;
    }
    expect(isLockbenchError(err), String(err)).toBe(true);
    expect((err as { code: string }).code).toBe('LOCKBENCH_TMP_UNSAFE');
    expect((err as Error).message).toContain(root);
    expect((err as Error).message).toMatch(reason);
  }

  it('a symlinked root: refused, and its target is not emptied', () => {
    const base = scratch();
    const target = join(base, 'target');
    mkdirSync(target, { mode: 0o711 });
    const dir = join(target, 'pg-sym123');
    mkdirSync(dir);
    writeOwner(dir, stale(null));
    old(dir);
    const link = join(base, 'link');
    symlinkSync(target, link);
    expect(sweepStale(link)).toEqual([]);
    expect(existsSync(join(dir, 'owner.json'))).toBe(true);
    expectRefused(link, /symbolic link/);
  });

  it('a world-writable root without the sticky bit is refused; with it, accepted', () => {
    const root = join(scratch(), 'open');
    mkdirSync(root);
    chmodSync(root, 0o777);
    expectRefused(root, /writable by group or others without the sticky bit \(mode 0777\)/);
    const dir = join(root, 'pg-ww1234');
    mkdirSync(dir);
    writeOwner(dir, stale(null));
    expect(sweepStale(root)).toEqual([]);
    chmodSync(root, 0o1777);
    expect(ensureTempRoot(root)).toBe(root);
  });

  it.runIf(asRoot)('a root owned by another user is refused', () => {
    const root = join(scratch(), 'theirs');
    mkdirSync(root, { mode: 0o755 });
    chownSync(root, nobody, nobody);
    expectRefused(root, /owned by uid 65534/);
  });
});
