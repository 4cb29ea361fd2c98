/**
 * What does the benchmark server cost per request, apart from the database? Starts a throwaway
 * PostgreSQL, seeds it, and drives each server with a closed loop (undici, N connections, one
 * request in flight each) for `--duration` seconds per case:
 *
 *   health   GET /health                       the framework floor (one SELECT 1)
 *   account  GET /accounts/1                   one prepared read
 *   deposit  POST /accounts/<uniform>/deposit  strategy atomic, random accounts: no lock contention
 *
 * Servers ("targets"):
 *   bare     node:http + pg.Pool doing the same statements (the floor of Node + the driver)
 *   current  servers/main.ts of the working tree (1 worker), bundled as bench/server-process.ts does
 *   <ref>    with --against <ref>: servers/ and strategies/ as of that git ref (bench/ of the tree)
 *
 * All targets run side by side for a repeat (an idle one costs nothing) and each case is driven
 * in slices of about `--slice` seconds with the targets taking turns, so a change in how busy the
 * machine is falls on all of them alike. Every repeat starts fresh server processes.
 *
 * Figures: requests/s, and CPU microseconds per request of the server's process tree (primary +
 * worker, /proc utime+stime), of PostgreSQL (postmaster + backends) and of this driver; the
 * median over --repeats with the min-max spread. Differences between targets are paired by
 * repeat. The cores are shared by the driver, the server and the database (and maybe other
 * people): read CPU per request, which depends little on how busy the machine is, before
 * requests/s, which depends a lot.
 *
 * --profile DIR then runs the current server once per case under `node --cpu-prof` and prints the
 * worker's top self-time functions, with our code (servers/, strategies/, bench/) attributed to
 * its source file. The profiler samples wall time: a thread the kernel preempted (here, often
 * right after a socket write wakes the database) is charged to the function it was in, so
 * `writev` and `writeBuffer` look far costlier than the CPU they use. Compare shares, not sums.
 *
 *   npx tsx scripts/server-overhead.ts [--duration 10] [--slice 2] [--connections 32]
 *     [--repeats 3] [--warmup 2] [--cases health,account,deposit] [--against HEAD] [--no-bare]
 *     [--profile DIR]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import pg from 'pg';
import { Pool } from 'undici';
import { startThrowawayPostgres } from '../bench/databases/postgres-throwaway.ts';
import { ROOT } from '../bench/environment.ts';
import { opIdGenerator } from '../bench/load/op-id.ts';
import { processTreeCpuSec } from '../bench/load/process-cpu.ts';
import { SERVER_BUNDLE_OPTIONS, serverEntry } from '../bench/server-process.ts';
import { pgPoolConfig } from '../core/connect.ts';
import { beginStatement } from '../strategies/transaction.ts';
import { DEFAULT_SEED, resetAndSeed } from '../workloads/schema.ts';

const SELF = fileURLToPath(import.meta.url);
const CASES = ['health', 'account', 'deposit'] as const;
type CaseName = (typeof CASES)[number];
const POOL_SIZE = 16;
const LOCK_TIMEOUT_MS = 5000;

interface Options {
  durationSec: number;
  connections: number;
  repeats: number;
  cases: CaseName[];
  against: string | null;
  bare: boolean;
  profileDir: string | null;
  warmupSec: number;
  /** Each case is driven in slices of about this long, the targets taking turns. */
  sliceSec: number;
}

/** One target x case x repeat. */
export interface Sample {
  target: string;
  case: CaseName;
  repeat: number;
  requests: number;
  /** Responses other than 200 (none expected) plus transport errors. */
  failures: number;
  requestsPerSec: number;
  serverUsPerRequest: number | null;
  dbUsPerRequest: number | null;
  driverUsPerRequest: number;
}

// ---------------------------------------------------------------------------------------------
// The bare baseline: node:http + pg.Pool, the same statements as the atomic strategy's deposit.

/**
 * The statements of strategies/atomic.ts, strategies/ledger.ts and strategies/lookups.ts, and the
 * transaction as strategies/transaction.ts and strategies/pool.ts open it (lock_timeout is a
 * session setting made at connect time).
 */
const BARE_SQL = {
  begin: beginStatement('postgres', 'default'),
  change:
    'UPDATE accounts SET balance = balance + $1, version = version + 1 WHERE id = $2 AND balance + $1 >= 0 RETURNING balance',
  ledger:
    'INSERT INTO ledger (op_id, kind, account_id, counter_account_id, amount, event_id, seat_id) VALUES ($1, $2, $3, $4, $5, $6, $7)',
  account: 'SELECT id, balance, version FROM accounts WHERE id = $1',
};

async function serveBare(): Promise<void> {
  const url = process.env.LOCKBENCH_DB_URL ?? '';
  const schema = process.env.LOCKBENCH_SCHEMA ?? 'lockbench';
  const config = pgPoolConfig({ dialect: 'postgres', url, schema }, POOL_SIZE);
  const pool = new pg.Pool({
    ...config,
    options: `${config.options ?? ''} -c lock_timeout=${LOCK_TIMEOUT_MS}`,
  });
  pool.on('error', () => {});
  const json = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };
  const readBody = (req: http.IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        text += c;
      });
      req.on('end', () => resolve(text));
      req.on('error', reject);
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = req.url ?? '/';
    if (req.method === 'GET' && path === '/health') {
      await pool.query('SELECT 1');
      return json(res, 200, { status: 'ok', strategy: 'atomic', workload: 'account', dialect: 'postgres' });
    }
    const m = /^\/accounts\/([1-9][0-9]{0,9})(\/deposit)?$/.exec(path);
    if (!m) return json(res, 404, { error: 'not_found' });
    const id = Number(m[1]);
    if (req.method === 'GET' && !m[2]) {
      const r = await pool.query({ name: 'account', text: BARE_SQL.account, values: [id] });
      const row = r.rows[0];
      if (!row) return json(res, 404, { error: 'not_found' });
      return json(res, 200, {
        id: Number(row.id),
        balance: Number(row.balance),
        version: Number(row.version),
      });
    }
    if (req.method === 'POST' && m[2]) {
      const body = JSON.parse(await readBody(req)) as { amount: number; opId: string };
      const client = await pool.connect();
      try {
        await client.query(BARE_SQL.begin);
        const r = await client.query({ name: 'change', text: BARE_SQL.change, values: [body.amount, id] });
        await client.query({
          name: 'ledger',
          text: BARE_SQL.ledger,
          values: [body.opId, 'deposit', id, null, body.amount, null, null],
        });
        await client.query('COMMIT');
        const balance = Number(r.rows[0]?.balance);
        return json(
          res,
          200,
          { outcome: 'ok', opId: body.opId, attempts: 1, balance },
          { 'x-outcome': 'ok', 'x-attempts': '1' },
        );
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    }
    return json(res, 404, { error: 'not_found' });
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => json(res, 500, { error: String(e) }));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    process.stdout.write(`${JSON.stringify({ ready: true, port, pid: process.pid, workers: 1 })}\n`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void pool.end().finally(() => process.exit(0));
  });
}

// ---------------------------------------------------------------------------------------------
// Targets: how each server is started.

interface Target {
  label: string;
  /** node arguments before the entry's own arguments. */
  command: string[];
  /** The bundle file, for attributing profile lines to sources (null for the bare server). */
  bundle: string | null;
}

interface Running {
  pid: number;
  origin: string;
  stop(): Promise<void>;
}

/** A started target and the driver's connections to it (kept for the whole repeat). */
interface Live {
  target: Target;
  server: Running;
  http: Pool;
}

/** Spawns a server that prints one `{"ready":true,"port":N}` line; resolves when it does. */
async function launch(command: string[], env: NodeJS.ProcessEnv): Promise<Running> {
  const child: ChildProcess = spawn(process.execPath, command, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (c: string) => errors.push(c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server not ready after 30 s: ${errors.join('')}`));
    }, 30_000);
    createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> }).on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { ready?: boolean; port?: number };
        if (msg.ready && msg.port) {
          clearTimeout(timer);
          resolve(msg.port);
        }
      } catch {}
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before it was ready: ${errors.join('')}`));
    });
  });
  return {
    pid: child.pid as number,
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * servers/main.ts with servers/ and strategies/ as of `ref`, and bench/ of the working tree, as
 * one bundle next to bench/server-process.ts's (so its dependencies resolve from node_modules).
 */
async function bundleAtRef(ref: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-ref-'));
  try {
    const tar = execFileSync('git', ['archive', '--format=tar', ref, 'servers', 'strategies'], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    cpSync(join(ROOT, 'bench'), join(dir, 'bench'), { recursive: true });
    const out = await build({ entryPoints: [join(dir, 'servers/main.ts')], ...SERVER_BUNDLE_OPTIONS });
    const code = (out.outputFiles[0]?.text ?? '').replaceAll(`${dir}/`, '');
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    const cache = join(ROOT, 'node_modules', '.cache', 'lockbench');
    mkdirSync(cache, { recursive: true });
    const file = join(cache, `overhead-ref-${hash}.mjs`);
    if (!existsSync(file)) writeFileSync(file, code);
    return file;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function serverArgs(schema: string): string[] {
  return [
    '--strategy',
    'atomic',
    '--workload',
    'account',
    '--schema',
    schema,
    '--workers',
    '1',
    '--pool',
    String(POOL_SIZE),
    '--lock-timeout',
    String(LOCK_TIMEOUT_MS),
  ];
}

async function targets(o: Options, schema: string): Promise<Target[]> {
  const list: Target[] = [];
  if (o.bare) list.push({ label: 'bare', command: ['--import', 'tsx', SELF, '--bare'], bundle: null });
  const entry = await serverEntry();
  list.push({
    label: 'current',
    command: [...entry, ...serverArgs(schema)],
    bundle: entry.length === 1 ? (entry[0] as string) : null,
  });
  if (o.against) {
    const file = await bundleAtRef(o.against);
    list.push({ label: o.against, command: [file, ...serverArgs(schema)], bundle: file });
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// The driver.

interface Request {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

/** One generator for the whole process: a repeated opId would be a (cheaper) duplicate, not a deposit. */
const opId = opIdGenerator();

function requestsOf(c: CaseName, accounts: number): () => Request {
  if (c === 'health') {
    const r: Request = { method: 'GET', path: '/health' };
    return () => r;
  }
  if (c === 'account') {
    const r: Request = { method: 'GET', path: '/accounts/1' };
    return () => r;
  }
  const headers = { 'content-type': 'application/json' };
  return () => ({
    method: 'POST',
    path: `/accounts/${1 + Math.floor(Math.random() * accounts)}/deposit`,
    body: `{"amount":100,"opId":"${opId()}"}`,
    headers,
  });
}

/** Closed loop: `connections` loops, each sending its next request when the previous answers. */
async function drive(
  http: Pool,
  next: () => Request,
  connections: number,
  durationSec: number,
): Promise<{ requests: number; failures: number; elapsedSec: number }> {
  const start = performance.now();
  const deadline = start + durationSec * 1000;
  let requests = 0;
  let failures = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      try {
        const res = await http.request(next());
        await res.body.dump();
        requests++;
        if (res.statusCode !== 200) failures++;
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return { requests, failures, elapsedSec: (performance.now() - start) / 1000 };
}

/** The postmaster of the PostgreSQL listening on `port` (its backends are its children). */
function postmasterPid(port: number): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      const p = argv.indexOf('-p');
      if (argv[0]?.endsWith('postgres') && p >= 0 && argv[p + 1] === String(port)) return Number(name);
    } catch {}
  }
  return null;
}

/** What one target x case cost over the slices of one repeat. */
interface Tally {
  requests: number;
  failures: number;
  elapsedSec: number;
  serverSec: number | null;
  dbSec: number | null;
  driverSec: number;
}

const emptyTally = (): Tally => ({
  requests: 0,
  failures: 0,
  elapsedSec: 0,
  serverSec: 0,
  dbSec: 0,
  driverSec: 0,
});

/** Drives one server for one slice and adds what it cost to `into`. */
async function measureSlice(
  live: Live,
  dbPid: number | null,
  next: () => Request,
  o: Options,
  sliceSec: number,
  into: Tally,
): Promise<void> {
  const cpu = (pid: number | null) => (pid === null ? null : processTreeCpuSec(pid));
  const s0 = cpu(live.server.pid);
  const d0 = cpu(dbPid);
  const self0 = process.cpuUsage();
  const r = await drive(live.http, next, o.connections, sliceSec);
  const self = process.cpuUsage(self0);
  const s1 = cpu(live.server.pid);
  const d1 = cpu(dbPid);
  const add = (sum: number | null, a: number | null, b: number | null) =>
    sum === null || a === null || b === null ? null : sum + (b - a);
  into.requests += r.requests;
  into.failures += r.failures;
  into.elapsedSec += r.elapsedSec;
  into.serverSec = add(into.serverSec, s0, s1);
  into.dbSec = add(into.dbSec, d0, d1);
  into.driverSec += (self.user + self.system) / 1e6;
}

function toSample(target: string, c: CaseName, repeat: number, t: Tally): Sample {
  const per = (sec: number | null) => (sec === null || t.requests === 0 ? null : (sec * 1e6) / t.requests);
  return {
    target,
    case: c,
    repeat,
    requests: t.requests,
    failures: t.failures,
    requestsPerSec: t.requests / t.elapsedSec,
    serverUsPerRequest: per(t.serverSec),
    dbUsPerRequest: per(t.dbSec),
    driverUsPerRequest: per(t.driverSec) ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Profiles.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  /** Monotonic clock, µs: the clock of process.hrtime. */
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A line of the top list: self time of one function, and where it lives. */
export interface ProfileLine {
  name: string;
  /** `servers/app.ts`, a package name, `node:internal`, or a V8 pseudo-frame's name. */
  where: string;
  /** Our code (servers/, strategies/, bench/): the one part this project can make cheaper. */
  ours: boolean;
  selfMs: number;
}

export interface ProfileSummary {
  /** Time the profiler saw the thread busy (everything but `(idle)`), ms. */
  busyMs: number;
  /** Busy time by `where`, largest first. */
  byWhere: { where: string; selfMs: number }[];
  /** Functions by self time, largest first. */
  top: ProfileLine[];
}

/** Maps a line of an esbuild bundle to the source file esbuild marked it with (`// servers/app.ts`). */
export function bundleSources(bundleText: string): (line: number) => string | null {
  const marks: { line: number; file: string }[] = [];
  bundleText.split('\n').forEach((text, i) => {
    const m = /^\/\/ ((?:servers|strategies|bench)\/[\w./-]+\.ts)$/.exec(text);
    if (m?.[1]) marks.push({ line: i, file: m[1] });
  });
  return (line) => {
    let found: string | null = null;
    for (const m of marks) {
      if (m.line > line) break;
      found = m.file;
    }
    return found;
  };
}

/** Where a frame's code lives: a package, Node itself, our sources, or a V8 pseudo-frame. */
function whereOf(
  url: string,
  name: string,
  line: number,
  bundle: string | null,
  source: (l: number) => string | null,
) {
  if (url === '') return { where: name, ours: false };
  if (url.startsWith('node:')) return { where: 'node:internal', ours: false };
  // The bundle lives in node_modules/.cache: test it before the package names.
  if (bundle !== null && url === pathToFileURL(bundle).href)
    return { where: source(line) ?? 'bundle', ours: true };
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg?.[1]) return { where: pkg[1], ours: false };
  const own = /\/((?:servers|strategies|bench)\/[\w./-]+\.ts)$/.exec(url);
  if (own?.[1]) return { where: own[1], ours: true };
  return { where: url, ours: false };
}

export interface SummaryOptions {
  /** The bundle file our sources were run from, if any. */
  bundle?: string | null;
  /** Bundle line (0-based) -> source file (bundleSources). */
  source?: (line: number) => string | null;
  /** Only samples taken in [fromUs, toUs) of the profile's clock count (skip start-up and warm-up). */
  fromUs?: number;
  toUs?: number;
  /** Functions listed. Default 30. */
  topN?: number;
}

/** Self time per function of one .cpuprofile (pure). */
export function summarizeProfile(profile: CpuProfile, o: SummaryOptions = {}): ProfileSummary {
  const bundle = o.bundle ?? null;
  const source = o.source ?? (() => null);
  const fromUs = o.fromUs ?? Number.NEGATIVE_INFINITY;
  const toUs = o.toUs ?? Number.POSITIVE_INFINITY;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const deltas = profile.timeDeltas;
  let t = profile.startTime;
  // timeDeltas[i] is the time from sample i-1 to sample i; sample i lasted until sample i+1.
  for (let i = 0; i < profile.samples.length; i++) {
    t += deltas[i] ?? 0;
    if (t < fromUs || t >= toUs) continue;
    const id = profile.samples[i] as number;
    const us = deltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + us);
  }
  const lines = new Map<string, ProfileLine>();
  const where = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const f = (byId.get(id) as ProfileNode).callFrame;
    const name = f.functionName || '(anonymous)';
    if (name === '(idle)') continue;
    busyUs += us;
    const w = whereOf(f.url, name, f.lineNumber, bundle, source);
    where.set(w.where, (where.get(w.where) ?? 0) + us);
    const key = `${name}|${w.where}|${f.url}:${f.lineNumber}`;
    const line = lines.get(key) ?? { name: w.ours ? `${name}:${f.lineNumber + 1}` : name, ...w, selfMs: 0 };
    line.selfMs += us / 1000;
    lines.set(key, line);
  }
  return {
    busyMs: busyUs / 1000,
    byWhere: [...where]
      .map(([w, us]) => ({ where: w, selfMs: us / 1000 }))
      .sort((a, b) => b.selfMs - a.selfMs),
    top: [...lines.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, o.topN ?? 30),
  };
}

function renderProfile(c: CaseName, requests: number, s: ProfileSummary): string {
  const us = (ms: number) => ((ms * 1000) / Math.max(1, requests)).toFixed(1);
  const pct = (ms: number) => `${((100 * ms) / Math.max(1e-9, s.busyMs)).toFixed(1)}%`;
  const ours = s.byWhere.filter((w) => /^(servers|strategies|bench)\//.test(w.where));
  const oursMs = ours.reduce((a, w) => a + w.selfMs, 0);
  const out = [
    `### profile: ${c} (${requests} requests, worker on-CPU-or-preempted (not idle) ${us(s.busyMs)} µs/request, our code ${us(oursMs)} µs/request = ${pct(oursMs)})`,
    '',
    '| self time by where | µs/request | share |',
    '| --- | ---: | ---: |',
    ...s.byWhere.slice(0, 14).map((w) => `| ${w.where} | ${us(w.selfMs)} | ${pct(w.selfMs)} |`),
    '',
    '| function | where | µs/request | share |',
    '| --- | --- | ---: | ---: |',
    ...s.top.map(
      (l) => `| ${l.ours ? `**${l.name}**` : l.name} | ${l.where} | ${us(l.selfMs)} | ${pct(l.selfMs)} |`,
    ),
    '',
  ];
  return out.join('\n');
}

/** V8 stamps profiles with the monotonic clock process.hrtime reads. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function profile(o: Options, dbUrl: string, schema: string, accounts: number): Promise<string> {
  const dir = o.profileDir as string;
  const [target] = (await targets({ ...o, bare: false, against: null }, schema)) as [Target];
  const bundleText = target.bundle ? readFileSync(target.bundle, 'utf8') : '';
  const source = bundleSources(bundleText);
  const parts: string[] = [];
  for (const c of o.cases) {
    const caseDir = join(dir, c);
    rmSync(caseDir, { recursive: true, force: true });
    mkdirSync(caseDir, { recursive: true });
    // cluster.fork passes the primary's execArgv to the worker: both write a profile.
    const server = await launch(
      ['--cpu-prof', '--cpu-prof-dir', caseDir, '--cpu-prof-interval', '250', ...target.command],
      { LOCKBENCH_DB_URL: dbUrl },
    );
    const http = new Pool(server.origin, { connections: o.connections, keepAliveTimeout: 60_000 });
    await drive(http, requestsOf(c, accounts), o.connections, o.warmupSec);
    const fromUs = monotonicUs();
    const r = await drive(http, requestsOf(c, accounts), o.connections, o.durationSec);
    const toUs = monotonicUs();
    await http.close();
    await server.stop();
    // The worker's profile is the busiest one (the primary only forwards signals).
    const summaries = readdirSync(caseDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) =>
        summarizeProfile(JSON.parse(readFileSync(join(caseDir, f), 'utf8')), {
          bundle: target.bundle,
          source,
          fromUs,
          toUs,
        }),
      );
    const worker = summaries.sort((a, b) => b.busyMs - a.busyMs)[0];
    if (!worker) throw new Error(`no .cpuprofile written in ${caseDir}`);
    parts.push(renderProfile(c, r.requests, worker));
  }
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The table.

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** `median (min-max)` of the non-null values; `-` when there are none. */
export function spread(xs: (number | null)[], digits: number): string {
  const v = xs.filter((x): x is number => x !== null);
  if (v.length === 0) return '-';
  const f = (n: number) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  if (v.length === 1) return f(v[0] as number);
  return `${f(median(v))} (${f(Math.min(...v))}–${f(Math.max(...v))})`;
}

/** `a - b` of the same case and repeat (measured in the same slices), one per repeat both have. */
function paired(
  samples: readonly Sample[],
  c: CaseName,
  a: string,
  b: string,
  value: (s: Sample) => number | null,
  combine: (x: number, y: number) => number = (x, y) => x - y,
): (number | null)[] {
  const of = (label: string) =>
    new Map(samples.filter((s) => s.case === c && s.target === label).map((s) => [s.repeat, s]));
  const as = of(a);
  const bs = of(b);
  return [...as].map(([repeat, x]) => {
    const y = bs.get(repeat);
    const vx = value(x);
    const vy = y ? value(y) : null;
    return vx === null || vy === null ? null : combine(vx, vy);
  });
}

/**
 * Pure: one row per case x target, the median over repeats with the min-max spread. "over bare"
 * is, per repeat, the server's CPU per request minus the bare server's in the same slices.
 */
export function renderSamples(samples: readonly Sample[]): string {
  const lines = [
    '| case | server | requests/s | server CPU µs/req | over bare µs/req | PostgreSQL CPU µs/req | driver CPU µs/req | non-200 |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const cases = [...new Set(samples.map((s) => s.case))];
  const labels = [...new Set(samples.map((s) => s.target))];
  const hasBare = labels.includes('bare');
  for (const c of cases) {
    for (const label of labels) {
      const mine = samples.filter((s) => s.case === c && s.target === label);
      if (mine.length === 0) continue;
      const over =
        label === 'bare' || !hasBare
          ? '-'
          : spread(
              paired(samples, c, label, 'bare', (s) => s.serverUsPerRequest),
              1,
            );
      const cells = [
        c,
        label,
        spread(
          mine.map((s) => s.requestsPerSec),
          0,
        ),
        spread(
          mine.map((s) => s.serverUsPerRequest),
          1,
        ),
        over,
        spread(
          mine.map((s) => s.dbUsPerRequest),
          1,
        ),
        spread(
          mine.map((s) => s.driverUsPerRequest),
          1,
        ),
        String(mine.reduce((a, s) => a + s.failures, 0)),
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Pure: `a` against `b`, paired by repeat: CPU differences in µs per request, throughput as a ratio. */
export function renderComparison(samples: readonly Sample[], a: string, b: string): string {
  const lines = [
    `| case | ${a} − ${b}: server CPU µs/req | PostgreSQL CPU µs/req | requests/s ${a} / ${b} |`,
    '| --- | ---: | ---: | ---: |',
  ];
  for (const c of [...new Set(samples.map((s) => s.case))]) {
    const server = paired(samples, c, a, b, (s) => s.serverUsPerRequest);
    if (server.every((x) => x === null)) continue;
    const db = paired(samples, c, a, b, (s) => s.dbUsPerRequest);
    const rps = paired(
      samples,
      c,
      a,
      b,
      (s) => s.requestsPerSec,
      (x, y) => x / y,
    );
    lines.push(`| ${c} | ${spread(server, 1)} | ${spread(db, 1)} | ${spread(rps, 3)} |`);
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      repeats: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '2' },
      slice: { type: 'string', default: '2' },
      cases: { type: 'string', default: CASES.join(',') },
      against: { type: 'string' },
      'no-bare': { type: 'boolean', default: false },
      profile: { type: 'string' },
    },
    strict: true,
  });
  const num = (name: string, v: string) => {
    const n = Number(v);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number, got ${v}`);
    return n;
  };
  const cases = values.cases.split(',').map((c) => {
    if (!(CASES as readonly string[]).includes(c))
      throw new Error(`--cases: unknown case ${c} (${CASES.join(', ')})`);
    return c as CaseName;
  });
  return {
    durationSec: num('duration', values.duration),
    connections: Math.round(num('connections', values.connections)),
    repeats: Math.round(num('repeats', values.repeats)),
    warmupSec: num('warmup', values.warmup),
    sliceSec: num('slice', values.slice),
    cases,
    against: values.against ?? null,
    bare: !values['no-bare'],
    profileDir: values.profile ?? null,
  };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const db = await startThrowawayPostgres({ id: 'overhead' });
  const stopDb = () => void db.stop();
  process.once('SIGINT', stopDb);
  process.once('SIGTERM', stopDb);
  try {
    const seed = DEFAULT_SEED;
    await resetAndSeed(db.spec, seed);
    const dbPid = postmasterPid(Number(new URL(db.spec.url).port));
    const list = await targets(o, db.spec.schema);
    const out: string[] = [
      `# server overhead: ${o.connections} connections, ${o.durationSec} s per case, ${o.repeats} repeats, ` +
        `PostgreSQL ${db.info.version}, Node ${process.version}, load average ${loadavg()[0]?.toFixed(2)} at start`,
      '',
    ];
    const samples: Sample[] = [];
    const slices = Math.max(1, Math.round(o.durationSec / o.sliceSec));
    const sliceSec = o.durationSec / slices;
    const env = { LOCKBENCH_DB_URL: db.spec.url, LOCKBENCH_SCHEMA: db.spec.schema };
    for (let rep = 0; rep < o.repeats; rep++) {
      // Every target runs for the whole repeat (an idle one costs nothing) and each case is
      // driven in short slices taking the targets in turn, so a change in how busy the machine
      // is falls on all of them alike; the starting target rotates from slice to slice.
      const live: Live[] = [];
      try {
        for (const target of list) {
          const server = await launch(target.command, env);
          const http = new Pool(server.origin, { connections: o.connections, keepAliveTimeout: 60_000 });
          live.push({ target, server, http });
        }
        for (const c of o.cases) {
          const next = requestsOf(c, seed.accounts);
          for (const l of live) await drive(l.http, next, o.connections, o.warmupSec / o.cases.length);
          const tallies = live.map(() => emptyTally());
          for (let k = 0; k < slices; k++) {
            for (let j = 0; j < live.length; j++) {
              const i = (j + k + rep) % live.length;
              await measureSlice(live[i] as Live, dbPid, next, o, sliceSec, tallies[i] as Tally);
            }
          }
          live.forEach((l, i) => {
            const sample = toSample(l.target.label, c, rep + 1, tallies[i] as Tally);
            samples.push(sample);
            log(
              `repeat ${rep + 1} ${sample.target} ${c}: ${sample.requestsPerSec.toFixed(0)} req/s, server ${sample.serverUsPerRequest?.toFixed(1)} µs/req, db ${sample.dbUsPerRequest?.toFixed(1)} µs/req, non-200 ${sample.failures}`,
            );
          });
        }
      } finally {
        for (const l of live) {
          await l.http.close();
          await l.server.stop();
        }
      }
    }
    out.push(renderSamples(samples));
    if (o.against) out.push(renderComparison(samples, 'current', o.against));
    out.push(`load average ${loadavg()[0]?.toFixed(2)} at end`, '');
    if (o.profileDir) out.push(await profile(o, db.spec.url, db.spec.schema, seed.accounts));
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await db.stop();
  }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  if (process.argv.includes('--bare')) await serveBare();
  else await main();
}
