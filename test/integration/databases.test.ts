import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import {
  connectExternal,
  openSql,
  resetAndSeed,
  startThrowawayMysql,
  startThrowawayPostgres,
} from '../../bench/databases/index.ts';
import { isAlive } from '../../bench/databases/server-dirs.ts';
import type { DatabaseTarget } from '../../bench/databases/target.ts';
import { isLockbenchError } from '../../core/errors.ts';

const starters = {
  postgres: startThrowawayPostgres,
  mysql: startThrowawayMysql,
} as const;

/** Each child gets its own temp root so the assertions see only its servers. */
function childRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'lockbench-test-'));
  chmodSync(root, 0o711);
  return root;
}

function startChild(which: string, root: string): Promise<{ child: ChildProcess; info: ChildInfo }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/start-servers.ts', which], {
    env: { ...process.env, LOCKBENCH_TMP: root },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    const rl = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
    rl.once('line', (line) => resolve({ child, info: JSON.parse(line) as ChildInfo }));
  });
}

interface ChildInfo {
  servers: { id: string; port: number }[];
  owners: { dir: string; ownerPid: number; serverPid: number }[];
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

async function waitGone(pid: number, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

describe.each(['postgres', 'mysql'] as const)('throwaway %s', (kind) => {
  it('starts, answers with its version, seeds, and stops leaving nothing behind', async () => {
    const t: DatabaseTarget = await starters[kind]();
    const port = Number(t.info.address.split(':')[1]);
    expect(t.info.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(t.info.version).toMatch(/^\d+\.\d+/);
    expect(t.info.product).toBe(kind === 'postgres' ? 'postgresql' : 'mariadb');
    expect(t.info.settings.durability).toBe('relaxed');
    // The settings that shape results are reported.
    const keys = Object.keys(t.info.settings);
    if (kind === 'postgres')
      expect(keys).toEqual(expect.arrayContaining(['synchronous_commit', 'deadlock_timeout']));
    else
      expect(keys).toEqual(
        expect.arrayContaining(['innodb_flush_log_at_trx_commit', 'transaction_isolation']),
      );
    // No credential in what goes into results.
    expect(JSON.stringify(t.info)).not.toContain(new URL(t.spec.url).password);

    await resetAndSeed(t.spec, { accounts: 10, initialBalance: 100, events: 2, seatsPerEvent: 5 });
    const sql = await openSql(t.spec);
    const { rows } = await sql.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM seats');
    expect(Number(rows[0]?.n)).toBe(10);
    await sql.close();

    await t.stop();
    const sql2 = await openSql(t.spec);
    await expect(sql2.query('SELECT 1')).rejects.toThrow();
    await sql2.close().catch(() => {});
    expect(port).toBeGreaterThan(0);
  });

  it('runs two servers of the same kind at once on different ports', async () => {
    const [a, b] = await Promise.all([starters[kind]({ id: 'a' }), starters[kind]({ id: 'b' })]);
    try {
      expect(a.info.address).not.toBe(b.info.address);
      for (const t of [a, b]) {
        const sql = await openSql(t.spec, { withSchema: false });
        await sql.query('SELECT 1');
        await sql.close();
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('reports the last lines of the server log when it cannot start', async () => {
    // A data directory below a file cannot be created: initialisation fails and says why.
    const blocker = mkdtempSync(join(tmpdir(), 'lockbench-blocked-'));
    roots.push(blocker);
    const err = await starters[kind]({ dataDirOverride: join('/proc/self/status', 'data') }).catch((e) => e);
    expect(isLockbenchError(err)).toBe(true);
    expect(err.code).toBe('LOCKBENCH_DB_START_FAILED');
    expect(err.message).toContain('last lines of its log');
    expect(err.message).toMatch(/proc\/self\/status|Not a directory|ermission|cannot|Can't|could not/i);
  });
});

describe('server lifecycle across processes', () => {
  it('a child that receives SIGINT stops its servers and removes their directories', async () => {
    const root = childRoot();
    roots.push(root);
    const { child, info } = await startChild('both', root);
    expect(info.owners).toHaveLength(2);
    for (const o of info.owners) expect(isAlive(o.serverPid)).toBe(true);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    for (const o of info.owners) {
      expect(await waitGone(o.serverPid)).toBe(true);
      expect(existsSync(o.dir)).toBe(false);
    }
  });

  it('servers whose owner is SIGKILLed stop by themselves, helpers and directories included', async () => {
    const root = childRoot();
    roots.push(root);
    const { child, info } = await startChild('both', root);
    expect(info.owners).toHaveLength(2);
    for (const o of info.owners) expect(isAlive(o.serverPid)).toBe(true);
    child.kill('SIGKILL');
    await exited(child);
    // No exit hook ran; each server's guardian (bench/databases/guardian.ts) stops it.
    for (const o of info.owners) {
      expect(await waitGone(o.serverPid)).toBe(true);
      expect(await waitFor(() => !existsSync(o.dir))).toBe(true);
    }
    // PostgreSQL's helper processes (checkpointer, walwriter...) name no directory: they are the
    // postmaster's children, so none may be left with the dead postmaster as parent.
    expect(await waitFor(() => processesOf(info.owners.map((o) => o.serverPid)).length === 0)).toBe(true);
    expect(readdirSync(root)).toEqual([]);
  });
});

/** Processes whose parent is one of `pids`. */
function processesOf(pids: number[]): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => pids.includes(Number(f[1])))
    .map((f) => f.join(' '));
}

async function waitFor(pred: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return pred();
}

describe('external targets', () => {
  it('a URL that points nowhere fails fast, naming host and port, without the password', async () => {
    mkdirSync(tmpdir(), { recursive: true });
    for (const url of ['postgres://bob:hunter2@127.0.0.1:9/x', 'mysql://bob:hunter2@127.0.0.1:9/x']) {
      const t0 = Date.now();
      const err = await connectExternal('ext', url).catch((e) => e);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(isLockbenchError(err)).toBe(true);
      expect(err.code).toBe('LOCKBENCH_DB_UNREACHABLE');
      expect(err.message).toContain('127.0.0.1:9');
      expect(err.message).not.toContain('hunter2');
    }
  });

  it('an external URL to a running server reports product and version', async () => {
    const t = await startThrowawayPostgres();
    try {
      const ext = await connectExternal('pg-ext', t.spec.url);
      expect(ext.info.kind).toBe('external');
      expect(ext.info.version).toBe(t.info.version);
      expect(ext.info.address).toBe(t.info.address);
    } finally {
      await t.stop();
    }
  });
});
