import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/databases/free-port.ts';
import type { Dialect } from '../../core/names.ts';
import type { ServerStats } from '../../servers/protocol.ts';
import { accountingErrors } from '../../servers/stats.ts';
import { resetAndSeed } from '../../workloads/schema.ts';
import { specFor } from '../helpers/db.ts';

/** servers/main.ts as the orchestrator runs it: its own process, workers, one ready line, SIGTERM. */
const schemas = { postgres: 't_main_pg', mysql: 't_main_my' } as const satisfies Record<Dialect, string>;

interface Running {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

function start(args: string[], dbUrl: string): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'servers/main.ts', ...args], {
    env: { ...process.env, LOCKBENCH_DB_URL: dbUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Running = {
    child,
    stdout: [],
    stderr: [],
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    const lines = out.split('\n');
    out = lines.pop() ?? '';
    run.stdout.push(...lines);
  });
  child.stderr
    ?.setEncoding('utf8')
    .on('data', (c: string) => run.stderr.push(...c.split('\n').filter(Boolean)));
  return run;
}

async function ready(run: Running): Promise<{ ready: boolean; port: number; pid: number; workers: number }> {
  const deadline = Date.now() + 30_000;
  while (run.stdout.length === 0) {
    if (run.child.exitCode !== null)
      throw new Error(`exited ${run.child.exitCode}: ${run.stderr.join(' | ')}`);
    if (Date.now() > deadline) throw new Error('no ready line');
    await new Promise((r) => setTimeout(r, 50));
  }
  return JSON.parse(run.stdout[0] as string);
}

/** GET on a fresh connection, so the cluster hands it to the next worker. */
function getFresh(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(['postgres', 'mysql'] as const)('servers/main.ts on %s', (dialect) => {
  const spec = specFor(dialect, schemas[dialect]);
  const started: Running[] = [];
  beforeAll(async () => {
    await resetAndSeed(spec, { accounts: 10, initialBalance: 1000, events: 1, seatsPerEvent: 5 });
  });
  afterAll(() => {
    for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  });

  it('two workers share one port; /stats is exact over both; SIGTERM stops it with 0', async () => {
    const run = start(
      ['--strategy', 'for-update', '--workload', 'account', '--schema', spec.schema, '--workers', '2'],
      spec.url,
    );
    started.push(run);
    const line = await ready(run);
    expect(line).toEqual({ ready: true, port: expect.any(Number), pid: run.child.pid, workers: 2 });
    const base = `http://127.0.0.1:${line.port}`;

    const pids = new Set<number>();
    for (let i = 0; i < 12; i++) pids.add(JSON.parse((await getFresh(line.port, '/health')).body).pid);
    expect(pids.size).toBe(2);

    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const N = 60;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        post(`/accounts/${1 + (i % 3)}/deposit`, { amount: 2, opId: `m-${i}` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(N).fill(200));
    expect(
      results.every((r) => r.headers.get('x-outcome') === 'ok' && r.headers.get('x-attempts') === '1'),
    ).toBe(true);
    const refused = await post('/accounts/4/withdraw', { amount: 5000, opId: 'm-big' });
    expect(refused.status).toBe(422);
    for (let i = 0; i < 5; i++)
      expect((await post('/accounts/1/deposit', { amount: -1, opId: 'm-bad' })).status).toBe(400);

    const stats = (await (await fetch(`${base}/stats`)).json()) as ServerStats;
    expect(stats).toMatchObject({
      workers: 2,
      operations: N + 1,
      ok: N,
      rejected: 1,
      badRequest: 5,
      attempts: N + 1,
    });
    expect(accountingErrors(stats)).toEqual([]);
    const balances = await Promise.all(
      [1, 2, 3].map(
        async (id) => ((await (await fetch(`${base}/accounts/${id}`)).json()) as { balance: number }).balance,
      ),
    );
    expect(balances.reduce((a, b) => a + b, 0)).toBe(3 * 1000 + 2 * N);

    expect((await fetch(`${base}/stats/reset`, { method: 'POST' })).status).toBe(200);
    const zero = (await (await fetch(`${base}/stats`)).json()) as ServerStats;
    expect([zero.workers, zero.operations, zero.badRequest]).toEqual([2, 0, 0]);

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.stdout.filter(Boolean)).toHaveLength(1);
  });

  it('exits 2 on a bad flag, 1 when the schema is not seeded or the database is unreachable', async () => {
    const bad = start(['--strategy', 'for-update', '--workload', 'account', '--pool', 'lots'], spec.url);
    started.push(bad);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr.join('\n')).toMatch(/^LOCKBENCH_USAGE: --pool/);

    const unseeded = start(
      ['--strategy', 'atomic', '--workload', 'tickets', '--schema', 't_main_never_seeded'],
      spec.url,
    );
    started.push(unseeded);
    expect(await unseeded.exit).toBe(1);
    expect(unseeded.stderr.join('\n')).toMatch(
      /LOCKBENCH_SERVER_START_FAILED: schema t_main_never_seeded is not seeded/,
    );

    const port = await freePort();
    const url = `${dialect === 'postgres' ? 'postgres' : 'mysql'}://u:secret@127.0.0.1:${port}/x`;
    const gone = start(['--strategy', 'atomic', '--workload', 'account'], url);
    started.push(gone);
    expect(await gone.exit).toBe(1);
    const err = gone.stderr.join('\n');
    expect(err).toMatch(/LOCKBENCH_DB_UNREACHABLE/);
    expect(err).not.toContain('secret');
    for (const r of [bad, unseeded, gone]) expect(r.stdout.filter(Boolean)).toEqual([]);
  });
});
