/**
 * How fast can the load drivers go on this machine? Starts a trivial server in a child process
 * (node:http: POST /accounts/:id/:kind answers 200 with the protocol headers at once), then drives it in turn
 * with wrk (the reference; skipped when not installed), the closed-model driver and the open-model
 * driver (rate stepped up until it no longer holds). For each: requests/s, the load generator's
 * CPU microseconds per request, and the server's. The driver and the server share the machine's
 * cores, so a cheaper generator leaves the server more room.
 *
 *   npx tsx scripts/driver-capacity.ts [--duration 5] [--connections 32]
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runClosed } from '../bench/load/closed-driver.ts';
import { toMetricsPart } from '../bench/load/load-result.ts';
import { runOpen } from '../bench/load/open-driver.ts';
import { processTreeCpuSec } from '../bench/load/process-cpu.ts';
import { createRequestBuilder } from '../bench/load/request-builder.ts';
import { OUTCOME_HEADER } from '../servers/protocol.ts';
import { isEntry } from './is-entry.ts';

interface Row {
  generator: string;
  /** What was asked: connections or a rate. */
  setting: string;
  requestsPerSec: number;
  generatorCpuUsPerRequest: number | null;
  serverCpuUsPerRequest: number | null;
  p99Ms: number | null;
  note: string;
}

/**
 * The trivial route: POST /accounts/:id/:kind answers 200 with the protocol headers and a fixed
 * body, on plain node:http, so that the server costs as little as it can and the generators,
 * not the server, are what runs out first.
 */
async function serve(): Promise<void> {
  const body = JSON.stringify({ outcome: 'ok', attempts: 1 });
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    [OUTCOME_HEADER]: 'ok',
    'x-attempts': '1',
  };
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      res.writeHead(200, headers);
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  process.stdout.write(`${addr.port}\n`);
}

export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // wrk --version exits 1 after printing its version.
    return (e as { status?: number }).status === 1;
  }
}

/** wrk's requests/s and CPU seconds (read from the reaping shell's cutime + cstime). */
export function runWrk(
  url: string,
  connections: number,
  durationSec: number,
): { rps: number; cpuSec: number; p99Ms: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-wrk-'));
  try {
    const script = join(dir, 'post.lua');
    writeFileSync(
      script,
      'wrk.method = "POST"\nwrk.body = \'{"amount":100,"opId":"wrk-1"}\'\nwrk.headers["Content-Type"] = "application/json"\n',
    );
    const out = execFileSync(
      'bash',
      [
        '-c',
        'wrk -t1 -c"$1" -d"$2"s --latency -s "$3" "$4"; read -r s < /proc/$$/stat; echo "STAT $s"',
        'wrk',
        String(connections),
        String(durationSec),
        script,
        `${url}/accounts/1/deposit`,
      ],
      { encoding: 'utf8' },
    );
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
    const stat = /STAT (.*)/.exec(out)?.[1] ?? '';
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[16 - 3]) + Number(f[17 - 3]);
    const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
    const p99Ms = p99 ? Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1) : null;
    return { rps, cpuSec: ticks / hz, p99Ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const perRequestUs = (sec: number | null, requests: number) =>
  sec === null || requests === 0 ? null : (sec * 1e6) / requests;

/** The trivial server in its own process: its URL, its pid (for its CPU) and how to stop it. */
export async function startTrivialServer(): Promise<{ url: string; pid: number; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    url: `http://127.0.0.1:${Number(chunk.toString().trim())}`,
    pid: child.pid as number,
    stop: () => child.kill(),
  };
}

export async function measure(o: { durationSec: number; connections: number }): Promise<Row[]> {
  const server = await startTrivialServer();
  try {
    const { url } = server;
    const serverPid = server.pid;
    const rows: Row[] = [];
    const source = () =>
      createRequestBuilder({
        workload: 'account',
        keys: { kind: 'uniform' },
        seed: 1,
        sizes: { accounts: 1000, events: 1 },
        mix: { depositShare: 1 },
      });
    // Warm the server's JIT so the first generator measured is not penalised.
    await runClosed({ url, connections: o.connections, durationSec: 2 }, source());

    if (hasWrk()) {
      const before = processTreeCpuSec(serverPid);
      const w = runWrk(url, o.connections, o.durationSec);
      const after = processTreeCpuSec(serverPid);
      const requests = w.rps * o.durationSec;
      rows.push({
        generator: 'wrk (1 thread)',
        setting: `${o.connections} connections`,
        requestsPerSec: w.rps,
        generatorCpuUsPerRequest: perRequestUs(w.cpuSec, requests),
        serverCpuUsPerRequest: perRequestUs(
          before === null || after === null ? null : after - before,
          requests,
        ),
        p99Ms: w.p99Ms,
        note: 'one fixed body; C, epoll',
      });
    } else {
      rows.push({
        generator: 'wrk',
        setting: '-',
        requestsPerSec: 0,
        generatorCpuUsPerRequest: null,
        serverCpuUsPerRequest: null,
        p99Ms: null,
        note: 'not installed (apt-get install -y wrk)',
      });
    }

    const closed = await runClosed(
      { url, connections: o.connections, durationSec: o.durationSec, cpuPids: [serverPid] },
      source(),
    );
    const cm = toMetricsPart(closed);
    const closedDone = closed.outcomes.sent - closed.outcomes.inFlight;
    rows.push({
      generator: 'closed driver',
      setting: `${o.connections} connections`,
      requestsPerSec: cm.requestsPerSec,
      generatorCpuUsPerRequest: perRequestUs(closed.driverCpuSec, closed.outcomes.sent),
      serverCpuUsPerRequest: perRequestUs(closed.serverCpuSec, closedDone),
      p99Ms: cm.latencyMs.p99,
      note: 'fresh body and opId per request',
    });

    // Raise the rate by half until the schedule no longer holds (fewer than 97% of the due
    // requests started, or more than 1% dropped), then bisect between the last rate that held and
    // the first that did not.
    // A rate counts as held if one of two attempts holds: on a shared machine one stall of
    // another process's making can sink a 3 s attempt.
    const openAt = async (rate: number): Promise<{ held: boolean; row: Row }> => {
      const first = await openOnce(rate);
      return first.held ? first : openOnce(rate);
    };
    const openOnce = async (rate: number): Promise<{ held: boolean; row: Row }> => {
      const r = await runOpen(
        { url, rate, maxInFlight: 256, durationSec: Math.min(3, o.durationSec), cpuPids: [serverPid] },
        source(),
      );
      const m = toMetricsPart(r);
      const due = r.outcomes.sent + r.outcomes.dropped;
      const held = r.outcomes.sent >= 0.97 * rate * r.durationSec && r.outcomes.dropped <= 0.01 * due;
      const lag = `lag p99 ${m.scheduleLagMs?.p99.toFixed(1)} ms`;
      return {
        held,
        row: {
          generator: 'open driver',
          setting: `${rate}/s, max 256 in flight`,
          requestsPerSec: m.requestsPerSec,
          generatorCpuUsPerRequest: perRequestUs(r.driverCpuSec, r.outcomes.sent),
          serverCpuUsPerRequest: perRequestUs(r.serverCpuSec, r.outcomes.sent - r.outcomes.inFlight),
          p99Ms: m.latencyMs.p99,
          note: held
            ? lag
            : `started ${Math.round(r.outcomes.sent / r.durationSec)}/s, dropped ${r.outcomes.dropped}, ${lag}`,
        },
      };
    };
    let lo: Row | null = null;
    let loRate = 0;
    let hi: Row | null = null;
    let hiRate = 0;
    for (let rate = 2000; rate < 200_000; rate = Math.round(rate * 1.5)) {
      const t = await openAt(rate);
      if (!t.held) {
        hi = t.row;
        hiRate = rate;
        break;
      }
      lo = t.row;
      loRate = rate;
    }
    for (let i = 0; i < 3 && hi && hiRate - loRate > 500; i++) {
      const mid = Math.round((loRate + hiRate) / 2 / 100) * 100;
      const t = await openAt(mid);
      if (t.held) {
        lo = t.row;
        loRate = mid;
      } else {
        hi = t.row;
        hiRate = mid;
      }
    }
    if (lo) rows.push({ ...lo, note: `${lo.note}; did not hold at ${hiRate}/s (${hi?.note})` });
    if (hi && !lo) rows.push(hi);
    return rows;
  } finally {
    server.stop();
  }
}

/** Pure: the table. */
export function render(rows: Row[]): string {
  const f = (n: number | null, d = 0) =>
    n === null ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const lines = [
    '| generator | setting | requests/s | generator CPU µs/req | server CPU µs/req | p99 ms | note |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.generator} | ${r.setting} | ${f(r.requestsPerSec)} | ${f(r.generatorCpuUsPerRequest, 1)} | ${f(r.serverCpuUsPerRequest, 1)} | ${f(r.p99Ms, 2)} | ${r.note} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!(v > 0)) throw new Error(`${name} must be a positive number`);
  return v;
}

if (!isEntry(import.meta.url)) {
  // Imported (bench:overhead): nothing runs.
} else if (process.argv.includes('--serve')) {
  await serve();
} else {
  const rows = await measure({ durationSec: arg('--duration', 5), connections: arg('--connections', 32) });
  process.stdout.write(render(rows));
}
