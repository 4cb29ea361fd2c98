import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type BuildOptions, build } from 'esbuild';
import { LockbenchError } from '../core/errors.ts';
import type { ServerStats } from '../servers/protocol.ts';
import { loadedWorkloadSources } from '../workloads/catalog.ts';
import { envWithoutCredentials } from './databases/child-env.ts';
import { ROOT } from './environment.ts';
import { writeFileAtomicSync } from './write-atomic.ts';

/** Exit code servers/main.ts uses for a strategy x database combination it does not support. */
export const EXIT_UNSUPPORTED = 3;

/** The server refused the strategy x database combination (its exit code 3); the reason is its last line. */
export class UnsupportedError extends Error {}

export interface ServerLaunch {
  /** Flags for servers/main.ts, already spelled (`--strategy`, `for-update`, ...). */
  args: string[];
  /** Carries the credentials; passed in the environment so they never show in `ps`. */
  dbUrl: string;
  /** Default 30 s. */
  readyTimeoutMs?: number;
  /** Node arguments that start the server (an A/B run's base revision); default serverEntry(). */
  entry?: readonly string[];
}

/** A running benchmark server (its primary process; workers are its children). */
export interface ServerProcess {
  port: number;
  pid: number;
  baseUrl: string;
  /** Date.now() when the process was ready. */
  startedAt: number;
  stats(): Promise<ServerStats>;
  resetStats(): Promise<void>;
  /**
   * Serves another strategy, workload or settings from the same warm process (POST
   * /admin/configure): a new pool, counters reset. Throws UnsupportedError when this database
   * cannot run the combination (the process is left as it was).
   */
  configure(body: Record<string, string | number>): Promise<void>;
  /** Ends every database session of the server (POST /admin/quiesce): nothing it runs can write. */
  quiesce(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s. Idempotent. Resolves when the process has exited. */
  stop(): Promise<void>;
  /** Set when the process exited on its own (a crash). */
  exited(): { code: number | null; signal: string | null } | null;
  /** The last lines the server wrote to stderr, for failure reasons. */
  stderrTail(): string;
}

let entry: Promise<string[]> | null = null;

/**
 * The server's entry as one JavaScript file. Every cell starts a server (a primary and its
 * workers), and loading the TypeScript sources through tsx in each of those processes cost about
 * a second per cell; esbuild bundles our sources once per bench process (dependencies stay
 * external, resolved from node_modules), and the file is named by its content so concurrent runs
 * share it and a changed source never runs stale.
 */
export function serverEntry(): Promise<string[]> {
  entry ??= bundleServer().then(
    (file) => [file],
    // A read-only install cannot cache the bundle: run the sources through tsx instead.
    () => ['--import', 'tsx', join(ROOT, 'servers/main.ts')],
  );
  return entry;
}

/** How the server is bundled: our sources in one ESM file, dependencies left to node_modules. */
export const SERVER_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  write: false,
  logLevel: 'silent',
} as const satisfies BuildOptions;

/**
 * Bundles `<root>/servers/main.ts` into node_modules/.cache/lockbench/ of this checkout (named by
 * content), so its dependencies resolve from this checkout's node_modules. Also used for another
 * revision's tree (bench/ab/revision.ts).
 */
export async function bundleServer(root = ROOT): Promise<string> {
  const out = await build({ entryPoints: [join(root, 'servers/main.ts')], ...SERVER_BUNDLE_OPTIONS });
  const code = out.outputFiles[0]?.text ?? '';
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = join(ROOT, 'node_modules', '.cache', 'lockbench');
  const file = join(dir, `server-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileAtomicSync(file, code);
  }
  return file;
}

/**
 * Starts servers/main.ts as its own process (with its node:cluster workers), like a production
 * app: the load never shares an event loop with it. Resolves on the one ready line.
 */
export async function startServer(launch: ServerLaunch): Promise<ServerProcess> {
  const bundled = launch.entry ?? (await serverEntry());
  // A workload module loaded from a file may be TypeScript: the bundled server then loads it
  // through tsx, as the bench did.
  const entryArgs =
    loadedWorkloadSources().size > 0 && !bundled.includes('tsx') ? ['--import', 'tsx', ...bundled] : bundled;
  const child: ChildProcess = spawn(process.execPath, [...entryArgs, ...launch.args], {
    cwd: ROOT,
    // stdin stays an open pipe: if this process dies, even by SIGKILL, the pipe ends and the
    // server stops itself (servers/main.ts) instead of lingering as an orphan.
    env: { ...envWithoutCredentials(), LOCKBENCH_DB_URL: launch.dbUrl, LOCKBENCH_STOP_ON_STDIN_END: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail.push(...chunk.split('\n').filter(Boolean));
    if (tail.length > 30) tail.splice(0, tail.length - 30);
  });
  let exit: { code: number | null; signal: string | null } | null = null;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );

  const ready = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new LockbenchError(
          'LOCKBENCH_SERVER_START_FAILED',
          `server not ready after ${launch.readyTimeoutMs ?? 30_000} ms: ${tail.join('\n')}`,
        ),
      );
    }, launch.readyTimeoutMs ?? 30_000);
    const rl = createInterface({ input: child.stdout as NonNullable<ChildProcess['stdout']> });
    rl.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { ready?: boolean; port?: number; pid?: number };
        if (msg.ready && msg.port) {
          clearTimeout(timer);
          resolve({ port: msg.port, pid: msg.pid ?? child.pid ?? 0 });
        }
      } catch {}
    });
    void exitPromise.then(() => {
      clearTimeout(timer);
      const e = exit as { code: number | null; signal: string | null } | null;
      reject(
        e?.code === EXIT_UNSUPPORTED
          ? new UnsupportedError(tail.slice(-1)[0] ?? 'unsupported on this database')
          : new LockbenchError(
              'LOCKBENCH_SERVER_START_FAILED',
              `server exited with ${e?.code ?? e?.signal} before it was ready: ${tail.slice(-5).join(' | ')}`,
            ),
      );
    });
  });

  const baseUrl = `http://127.0.0.1:${ready.port}`;
  const stop = async () => {
    if (exit) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.kill('SIGTERM');
    await exitPromise;
    clearTimeout(timer);
  };
  return {
    port: ready.port,
    pid: ready.pid,
    baseUrl,
    startedAt: Date.now(),
    async stats() {
      const r = await fetch(`${baseUrl}/stats`);
      if (!r.ok) throw new Error(`GET /stats answered ${r.status}`);
      return (await r.json()) as ServerStats;
    },
    async resetStats() {
      const r = await fetch(`${baseUrl}/stats/reset`, { method: 'POST' });
      if (!r.ok) throw new Error(`POST /stats/reset answered ${r.status}`);
    },
    async configure(body) {
      const r = await fetch(`${baseUrl}/admin/configure`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (r.status === 422) throw new UnsupportedError(((await r.json()) as { message: string }).message);
      if (!r.ok) throw new Error(`POST /admin/configure answered ${r.status}: ${await r.text()}`);
    },
    async quiesce() {
      const r = await fetch(`${baseUrl}/admin/quiesce`, { method: 'POST' });
      if (!r.ok) throw new Error(`POST /admin/quiesce answered ${r.status}`);
    },
    stop,
    exited: () => exit,
    stderrTail: () => tail.slice(-10).join('\n'),
  };
}
