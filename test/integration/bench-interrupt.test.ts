import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newOwner, writeOwner } from '../../bench/databases/owner.ts';
import { RunResult } from '../../core/result-schema.ts';
import {
  alive,
  type BenchProcess,
  eventually,
  makeSandbox,
  type OwnerFile,
  processesInGroup,
  processesMentioning,
  type Sandbox,
  serverPids,
  startBench,
} from '../fixtures/bench-process.ts';

/**
 * The bench command when things stop under it: a Ctrl-C, and a database that dies mid-run. Either
 * way the cells that finished are written, and no throwaway server, benchmark server or temp
 * directory is left behind.
 */

const sandboxes: Sandbox[] = [];
function sandbox(): Sandbox {
  const s = makeSandbox();
  sandboxes.push(s);
  return s;
}
afterEach(() => {
  for (const s of sandboxes.splice(0)) s.cleanup();
});

/**
 * The benchmark servers (servers/main.ts, run from source or as a bundle, and its cluster workers)
 * the bench has running now: the processes of its group started with a cell's server flags.
 */
function benchServers(bench: BenchProcess): string[] {
  return processesInGroup(bench.pid).filter(
    (p) => /--strategy \S+ --workload \S+ --schema /.test(p) && !p.startsWith(`${bench.pid} `),
  );
}

/** Waits until a benchmark server of the current cell is up, so a signal lands mid-load. */
async function waitForBenchServer(bench: BenchProcess): Promise<string[]> {
  let found: string[] = [];
  const ok = await eventually(() => {
    found = benchServers(bench);
    return found.length > 0;
  }, 60_000);
  if (!ok) throw new Error(`no benchmark server process appeared:\n${bench.stderr()}`);
  return found;
}

function readRun(s: Sandbox): RunResult {
  const runs = readdirSync(s.out).filter((d) => d !== 'latest' && !d.startsWith('.'));
  expect(runs).toHaveLength(1);
  return RunResult.parse(JSON.parse(readFileSync(join(s.out, runs[0] as string, 'run.json'), 'utf8')));
}

/** The pids seen before are gone, no process of the bench's group is left, the temp root is empty. */
async function expectNothingLeft(s: Sandbox, bench: BenchProcess, pids: number[]): Promise<void> {
  await eventually(() => pids.every((p) => !alive(p)) && processesInGroup(bench.pid).length === 0, 10_000);
  for (const p of pids) expect(alive(p), `pid ${p} still running`).toBe(false);
  expect(processesInGroup(bench.pid)).toEqual([]);
  expect(processesMentioning(s.tmp)).toEqual([]);
  expect(readdirSync(s.tmp)).toEqual([]);
}

const pidOf = (line: string) => Number(line.split(' ')[0]);

describe('Ctrl-C during a run', () => {
  // 6 cells of 3 s on PostgreSQL; the signal comes while the second cell is under load.
  const args = (s: Sandbox) => [
    ...[
      '--db',
      'postgres',
      '--workload',
      'account',
      '--strategy',
      'naive,for-update,nowait,optimistic,atomic,skip-locked',
    ],
    ...['--duration', '3s', '--warmup', '0', '--connections', '8', '--out', s.out],
  ];

  it.each([
    // A terminal's Ctrl-C reaches the whole foreground process group: the harness and the
    // benchmark server it spawned (the throwaway database runs in a group of its own).
    { how: 'to the process group (a terminal Ctrl-C)', target: (pid: number) => -pid },
    // `kill -INT <pid>`: only the harness hears it and must stop the benchmark server itself.
    { how: 'to the harness process only', target: (pid: number) => pid },
  ])(
    'SIGINT $how: exit 130, finished cells written, nothing left running',
    async ({ target }) => {
      const s = sandbox();
      const bench = startBench(args(s), s);
      await bench.waitForStderr(/^ {2}postgres\/account\/hot \S+ c=8: .*$/m, 120_000);
      const owners: OwnerFile[] = await serverPids(s.tmp, 1, 10_000);
      expect(owners.map((o) => o.serverComm)).toEqual(['postgres']);
      const servers = await waitForBenchServer(bench);
      const pids = [...owners.map((o) => o.serverPid as number), ...servers.map(pidOf)];
      for (const p of pids) expect(alive(p), `pid ${p} before the signal`).toBe(true);

      process.kill(target(bench.pid), 'SIGINT');
      const exit = await bench.exit;
      expect(exit.code, bench.stderr()).toBe(130);
      expect(bench.stderr()).toMatch(/SIGINT: stopping the current cell/);

      const run = readRun(s);
      expect(run.interrupted).toBe(true);
      expect(run.cells.length).toBeGreaterThanOrEqual(1);
      expect(run.cells.length).toBeLessThan(6);
      // Only finished cells are kept: the one the signal cut short is dropped, not recorded as failed.
      for (const c of run.cells) {
        expect(c.status, `${c.key}: ${c.reason}`).not.toBe('failed');
        expect(c.metrics, c.key).not.toBeNull();
      }
      expect(run.cells[0]?.strategy).toBe('naive');
      expect(existsSync(join(s.out, 'latest', 'report.md'))).toBe(true);
      await expectNothingLeft(s, bench, pids);
    },
    240_000,
  );
});

describe('a database that dies mid-run', () => {
  it('the MariaDB cells fail naming the database; the PostgreSQL cells are kept; exit 1', async () => {
    const s = sandbox();
    // Database-major order: both postgres cells run first, then the two mysql cells.
    const bench = startBench(
      [
        ...['--db', 'postgres,mysql', '--workload', 'account', '--strategy', 'for-update,atomic'],
        ...['--duration', '3s', '--warmup', '0', '--connections', '8', '--out', s.out],
      ],
      s,
    );
    await bench.waitForStderr(/^\[3\/4\] mysql\/account\/hot for-update \.\.\.$/m, 180_000);
    const owners = await serverPids(s.tmp, 2, 10_000);
    const mysql = owners.find((o) => basename(o.dir).startsWith('mysql-'));
    const postgres = owners.find((o) => basename(o.dir).startsWith('pg-'));
    if (!mysql?.serverPid || !postgres?.serverPid) throw new Error(`owners: ${JSON.stringify(owners)}`);
    // Kill it under load: once the cell's benchmark server is up (the tables are seeded by then).
    const servers = await waitForBenchServer(bench);
    process.kill(mysql.serverPid, 'SIGKILL');

    const exit = await bench.exit;
    expect(exit.code, bench.stderr()).toBe(1);
    const run = readRun(s);
    expect(run.interrupted).toBe(false);
    expect(run.cells.map((c) => `${c.database}/${c.strategy}`)).toEqual([
      'postgres/for-update',
      'postgres/atomic',
      'mysql/for-update',
      'mysql/atomic',
    ]);
    for (const c of run.cells.filter((c) => c.database === 'postgres')) {
      expect(c.status, `${c.key}: ${c.reason}`).toBe('ok');
      expect(c.correctness?.violations, c.key).toBe(0);
    }
    const [first, second] = run.cells.filter((c) => c.database === 'mysql');
    expect(first?.status).toBe('failed');
    expect(first?.reason).toMatch(/^database mysql stopped answering during the run/);
    expect(second?.status).toBe('failed');
    expect(second?.reason).toMatch(/^database mysql unavailable: database mysql stopped answering/);
    // The server's own log says why it died; its tail is kept once, on the cell that found it.
    expect(first?.reason).toMatch(/\n--- last lines of its log ---\n/);
    expect(second?.reason).not.toMatch(/last lines of its log/);
    expect([first?.code, second?.code]).toEqual(['LOCKBENCH_DB_UNREACHABLE', 'LOCKBENCH_DB_UNREACHABLE']);
    expect(bench.stderr().split('--- last lines of its log ---')).toHaveLength(2);
    expect(bench.stderr()).toMatch(
      /^ {2}mysql\/account\/hot for-update c=8: failed \(LOCKBENCH_DB_UNREACHABLE: database mysql /m,
    );
    expect(existsSync(join(s.out, 'latest', 'report.md'))).toBe(true);
    await expectNothingLeft(s, bench, [mysql.serverPid, postgres.serverPid, ...servers.map(pidOf)]);
  }, 240_000);
});

describe('a harness that dies', () => {
  it('SIGKILLed mid-cell: its databases, servers and temp dirs are gone within seconds', async () => {
    const s = sandbox();
    const bench = startBench(
      [
        ...['--db', 'postgres,mysql', '--workload', 'account', '--strategy', 'atomic'],
        ...['--duration', '20s', '--warmup', '0', '--connections', '8', '--out', s.out],
      ],
      s,
    );
    const owners = await serverPids(s.tmp, 2, 120_000);
    const servers = await waitForBenchServer(bench);
    const pids = [...owners.map((o) => o.serverPid as number), ...servers.map(pidOf)];
    process.kill(bench.pid, 'SIGKILL');
    await bench.exit;
    // Each database's guardian stops it and removes its directory, then exits itself.
    await eventually(
      () => processesMentioning(s.tmp).length === 0 && readdirSync(s.tmp).length === 0,
      15_000,
    );
    await expectNothingLeft(s, bench, pids);
  }, 240_000);

  it('--list and --dry-run sweep what a killed run left (only what lockbench marked)', async () => {
    for (const args of [['--list'], ['--dry-run', '--db', 'postgres']]) {
      const s = sandbox();
      const dir = join(s.tmp, 'pg-left01');
      mkdirSync(dir);
      const server = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', join(dir, 'data')], {
        stdio: 'ignore',
      });
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
        encoding: 'utf8',
      });
      writeOwner(dir, {
        ...newOwner(server.pid as number, 'postgres'),
        ownerPid: Number(dead.stdout),
        ownerStart: null,
      });
      writeFileSync(join(s.tmp, 'notes.txt'), 'not ours');
      const bench = startBench(args, s);
      const exit = await bench.exit;
      expect(exit.code, bench.stderr()).toBe(0);
      expect(await eventually(() => !alive(server.pid as number), 5_000)).toBe(true);
      expect(readdirSync(s.tmp)).toEqual(['notes.txt']);
    }
  });
});
