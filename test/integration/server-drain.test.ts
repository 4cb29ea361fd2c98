import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetAndSeed } from '../../workloads/schema.ts';
import { specFor } from '../helpers/db.ts';

/** servers/main.ts as a long-lived fleet member: liveness, readiness, and a graceful drain on SIGTERM. */
const spec = specFor('postgres', 't_drain_pg');

interface Running {
  child: ChildProcess;
  port: Promise<number>;
  exit: Promise<number | null>;
  stderr: string[];
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'servers/main.ts', ...args], {
    env: { ...process.env, LOCKBENCH_DB_URL: spec.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (c: string) => stderr.push(c));
  const port = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr.join('')}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, port, exit, stderr };
}

describe('servers/main.ts as a service', () => {
  const started: Running[] = [];
  beforeAll(async () => {
    await resetAndSeed(spec, { accounts: 10, initialBalance: 1000, events: 1, seatsPerEvent: 5 });
  });
  afterAll(() => {
    for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  });

  it('answers /livez and /readyz; on SIGTERM it turns unready, finishes in-flight requests and exits 0', async () => {
    // Each operation holds its row lock for 1.5 s of simulated work: a request in flight at SIGTERM.
    const run = start([
      ...['--strategy', 'for-update', '--workload', 'account', '--schema', spec.schema],
      ...['--work-ms', '1500', '--drain-ms', '800', '--workers', '2'],
    ]);
    started.push(run);
    const base = `http://127.0.0.1:${await run.port}`;
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe('ok');

    const inFlight = fetch(`${base}/accounts/1/deposit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 5, opId: 'drain-1' }),
    });
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    // Draining: still serving, but no longer ready.
    const draining = await fetch(`${base}/readyz`, { headers: { connection: 'close' } });
    expect(draining.status).toBe(503);
    expect(((await draining.json()) as { status: string }).status).toBe('draining');
    expect((await fetch(`${base}/livez`, { headers: { connection: 'close' } })).status).toBe(200);

    const done = await inFlight;
    expect(done.status).toBe(200);
    expect(done.headers.get('x-outcome')).toBe('ok');
    expect(await run.exit).toBe(0);
    // Gone: the listener is closed.
    await expect(fetch(`${base}/livez`)).rejects.toThrow();
  });

  it('refuses a --host that is not an IP address, before connecting anywhere', async () => {
    const run = start(['--strategy', 'atomic', '--workload', 'account', '--host', 'everywhere']);
    started.push(run);
    run.port.catch(() => {});
    expect(await run.exit).toBe(2);
    expect(run.stderr.join('')).toMatch(/LOCKBENCH_USAGE: --host: expected an IP address/);
  });
});
