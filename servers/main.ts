/**
 * The server process: parse options (flags + LOCKBENCH_DB_URL), check the database, start
 * `--workers` node:cluster workers sharing one port on 127.0.0.1, print one ready line.
 *
 *   stdout: exactly one line, {"ready":true,"port":N,"pid":P,"workers":W}, once every worker listens
 *   stderr: one line per problem, `CODE: message` (an unsupported combination: the reason alone)
 *   stdin:  with LOCKBENCH_STOP_ON_STDIN_END=1, its end (the parent died) stops the server
 *   SIGTERM: drain (GET /readyz 503 for --drain-ms, still serving), then close the listener, let
 *           in-flight requests finish, close the pools, exit 0: a fleet member can leave a load
 *           balancer without failing a request
 *   exit:   0 stopped by SIGTERM/SIGINT; 1 database unreachable or not seeded, listen failed, a
 *           worker died; 2 invalid options (LOCKBENCH_USAGE); 3 strategy x database unsupported
 *
 * Flags: servers/options.ts (SERVER_FLAGS, serverUsage).
 */
import cluster, { type Worker } from 'node:cluster';
import { dialectOfUrl, hostPort, openSql } from '../core/connect.ts';
import { isLockbenchError, LockbenchError } from '../core/errors.ts';
import { probeDatabase } from '../core/probe.ts';
import { registerWorkload } from '../workloads/catalog.ts';
import { loadWorkloadModule } from '../workloads/load-module.ts';
import { readSeed } from '../workloads/schema.ts';
import { checkWorkloadSupport as checkSupport } from '../workloads/support.ts';
import { buildServer } from './app.ts';
import { serveClusterStats, workerStatsSource } from './cluster-stats.ts';
import { addLifecycleRoutes } from './lifecycle.ts';
import { parseServerArgs, type ServerOptions, serverUsage } from './options.ts';
import { StatsCounter } from './stats.ts';

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_UNSUPPORTED = 3;

const TAG = 'lockbench:server';
/** Environment flag set by the bench command (bench/server-process.ts). */
const STOP_ON_STDIN_END = 'LOCKBENCH_STOP_ON_STDIN_END';
type WorkerMessage =
  | { tag: typeof TAG; kind: 'listening'; port: number }
  | { tag: typeof TAG; kind: 'failed'; message: string }
  | { tag: typeof TAG; kind: 'stop' };

function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === 'object' && m !== null && (m as { tag?: unknown }).tag === TAG;
}

function fail(code: number, line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(code);
}

function failWith(e: unknown): never {
  if (isLockbenchError(e)) fail(e.exitCode, `${e.code}: ${e.message}`);
  fail(EXIT_FAILURE, `LOCKBENCH_SERVER_START_FAILED: ${(e as Error)?.message ?? String(e)}`);
}

/**
 * Loads the `--workload-module` files before the options are parsed, so `--workload` may name
 * them (the bench validated them already; a bad one here is a usage error, exit 2).
 */
async function loadWorkloadModules(argv: readonly string[]): Promise<void> {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const path =
      arg === '--workload-module' ? argv[++i] : arg.startsWith('--workload-module=') ? arg.slice(18) : null;
    if (!path) continue;
    try {
      const loaded = await loadWorkloadModule(path, null);
      registerWorkload(loaded.module, loaded.path);
    } catch (e) {
      fail(EXIT_USAGE, `LOCKBENCH_USAGE: ${(e as Error).message}`);
    }
  }
}

function parse(): Readonly<ServerOptions> {
  let cmd: ReturnType<typeof parseServerArgs>;
  try {
    cmd = parseServerArgs(process.argv.slice(2), process.env);
  } catch (e) {
    failWith(e);
  }
  if (cmd.kind === 'help') {
    process.stdout.write(`${serverUsage()}\n`);
    process.exit(EXIT_OK);
  }
  return cmd.options;
}

/** Refuses to start where the workers could only fail: no database, no support, no seed. */
async function preflight(options: Readonly<ServerOptions>): Promise<void> {
  const dialect = dialectOfUrl(options.dbUrl);
  if (!dialect) fail(EXIT_USAGE, 'LOCKBENCH_USAGE: LOCKBENCH_DB_URL is not a postgres:// or mysql:// URL');
  const spec = { dialect, url: options.dbUrl, schema: options.schema };
  const info = await probeDatabase(spec, { id: dialect, kind: 'external', address: hostPort(options.dbUrl) });
  const support = checkSupport(options.strategy, info, options.workload);
  if (!support.ok) {
    fail(
      EXIT_UNSUPPORTED,
      `${options.strategy} cannot run ${options.workload} on ${info.product} ${info.version}: ${support.reason}`,
    );
  }
  const sql = await openSql(spec, { max: 1 });
  try {
    await readSeed(sql);
  } catch (e) {
    throw new LockbenchError(
      'LOCKBENCH_SERVER_START_FAILED',
      `schema ${options.schema} is not seeded on ${hostPort(options.dbUrl)} (resetAndSeed first): ${(e as Error).message.split('\n')[0]}`,
    );
  } finally {
    await sql.close().catch(() => {});
  }
}

async function runPrimary(): Promise<void> {
  await loadWorkloadModules(process.argv.slice(2));
  const options = parse();
  try {
    await preflight(options);
  } catch (e) {
    failWith(e);
  }

  serveClusterStats(cluster);
  let stopping = false;
  const ports = new Map<number, number>();
  const workers: Worker[] = [];
  for (let i = 0; i < options.workers; i++) workers.push(cluster.fork());

  const killAll = () => {
    for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
  };

  cluster.on('message', (worker, msg: unknown) => {
    if (!isWorkerMessage(msg)) return;
    if (msg.kind === 'failed') {
      killAll();
      fail(EXIT_FAILURE, `LOCKBENCH_SERVER_START_FAILED: worker ${worker.id}: ${msg.message}`);
    }
    if (msg.kind === 'listening') {
      ports.set(worker.id, msg.port);
      if (ports.size === options.workers) {
        const port = [...ports.values()][0];
        process.stdout.write(
          `${JSON.stringify({ ready: true, port, pid: process.pid, workers: options.workers })}\n`,
        );
      }
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    killAll();
    fail(
      EXIT_FAILURE,
      `LOCKBENCH_SERVER_START_FAILED: worker ${worker.id} exited (${signal ?? code}); stopping`,
    );
  });

  const stop = () => {
    if (stopping) return;
    stopping = true;
    const alive = workers.filter((w) => !w.isDead());
    let left = alive.length;
    if (left === 0) process.exit(EXIT_OK);
    // Workers drain for drainMs, then finish what is in flight: give them that, and 10 s more.
    const force = setTimeout(() => {
      killAll();
      process.exit(EXIT_OK);
    }, options.drainMs + 10_000);
    for (const w of alive) {
      w.once('exit', () => {
        if (--left === 0) {
          clearTimeout(force);
          process.exit(EXIT_OK);
        }
      });
      w.send({ tag: TAG, kind: 'stop' } satisfies WorkerMessage);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The bench command keeps a pipe to our stdin: when it ends, the harness is gone (even by
  // SIGKILL, which it cannot clean up after), and a server nobody will stop must not linger.
  if (process.env[STOP_ON_STDIN_END] === '1') {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
}

async function runWorker(): Promise<void> {
  await loadWorkloadModules(process.argv.slice(2));
  const options = parse();
  const counter = new StatsCounter();
  let reported = 0;
  /** The database's product and version, probed once, when a reconfiguration first asks. */
  let facts: ReturnType<typeof probeDatabase> | null = null;
  const app = buildServer(options, {
    counter,
    stats: workerStatsSource(counter),
    connectAtStart: true,
    checkSupport: async (strategy, workload) => {
      facts ??= probeDatabase(
        { dialect: dialectOfUrl(options.dbUrl) ?? 'postgres', url: options.dbUrl, schema: options.schema },
        { id: 'db', kind: 'external', address: hostPort(options.dbUrl) },
      );
      return checkSupport(strategy, await facts, workload);
    },
    // The logger is off; the first few internal errors still deserve a line on stderr.
    onInternalError: (e) => {
      if (++reported <= 5)
        process.stderr.write(`lockbench server: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    },
  });
  const lifecycle = addLifecycleRoutes(app);
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    lifecycle.drain();
    if (options.drainMs > 0) await new Promise((r) => setTimeout(r, options.drainMs));
    // Stops accepting, answers requests already received, then the onClose hook ends the pool.
    await app.close().catch(() => {});
    process.exit(EXIT_OK);
  };
  // The primary coordinates shutdown (a Ctrl-C reaches the whole process group).
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  process.on('message', (msg: unknown) => {
    if (isWorkerMessage(msg) && msg.kind === 'stop') void close();
  });
  process.on('disconnect', () => void close());
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (e) {
    process.send?.({ tag: TAG, kind: 'failed', message: (e as Error).message } satisfies WorkerMessage);
    process.exit(EXIT_FAILURE);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  process.send?.({ tag: TAG, kind: 'listening', port } satisfies WorkerMessage);
}

if (cluster.isPrimary) await runPrimary();
else await runWorker();
