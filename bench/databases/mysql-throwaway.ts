import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import mysql from 'mysql2/promise';
import { DEFAULT_SCHEMA } from '../../core/connect.ts';
import { LockbenchError } from '../../core/errors.ts';
import type { Durability } from '../../core/names.ts';
import { probeDatabase } from '../../core/probe.ts';
import { childEnv } from './child-env.ts';
import { freePort } from './free-port.ts';
import { type Guardian, startGuardian } from './guardian.ts';
import { track } from './lifecycle.ts';
import { findMysqlServerBinary, isExecutable } from './mysql-binary.ts';
import { newOwner } from './owner.ts';
import { fileSize, logTail, makeServerDir, portTaken, sweepStale, writeOwner } from './server-dirs.ts';
import type { DatabaseTarget } from './target.ts';

export { findMysqlServerBinary } from './mysql-binary.ts';

export interface ThrowawayMysqlOptions {
  /** Default `relaxed` (innodb_flush_log_at_trx_commit=2); `strict` flushes every commit (=1). */
  durability?: Durability;
  /** Path to mariadbd or mysqld; default: the first found on PATH, /usr/sbin, /usr/libexec. */
  binary?: string;
  /** Target id in results. Default `mysql`. */
  id?: string;
  /** Where the datadir goes; tests use it to break starts. */
  dataDirOverride?: string;
}

/** How to make a MySQL-family server available, for the "unavailable" message. */
export const MYSQL_FIX =
  'install one (bash scripts/install-mariadb.sh), start one with docker compose up -d mariadb, or give --mysql-url';

function runInit(cmd: string, args: string[], logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(logFile, 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: childEnv() });
    closeSync(fd);
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${basename(cmd)} exited with ${code ?? signal}`)),
    );
  });
}

/** MariaDB ships mariadb-install-db; Oracle MySQL initialises with `mysqld --initialize-insecure`. */
async function initialise(binary: string, datadir: string, tmpdir: string, logFile: string): Promise<void> {
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8', env: childEnv() });
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  if (/mariadb/i.test(version)) {
    const dir = dirname(binary);
    const installDb = [
      join(dir, 'mariadb-install-db'),
      '/usr/bin/mariadb-install-db',
      '/usr/bin/mysql_install_db',
    ].find(isExecutable);
    if (!installDb) throw new Error('mariadb-install-db not found next to the server binary');
    await runInit(
      installDb,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        ...asRoot,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
        // Its own temp dir: concurrent bootstraps in a shared /tmp removed each other's temporary
        // tables ("Unknown table 'mysql.tmp_user_sys'") about one start in ten.
        `--tmpdir=${tmpdir}`,
      ],
      logFile,
    );
  } else {
    await runInit(
      binary,
      ['--no-defaults', '--initialize-insecure', `--datadir=${datadir}`, ...asRoot],
      logFile,
    );
  }
}

async function waitReady(
  socket: string,
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
    if (exited) throw new Error('the server exited during start-up');
    try {
      const c = await mysql.createConnection({ socketPath: socket, user: 'root', connectTimeout: 1000 });
      await c.end();
      return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms (log: ${logFile})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startThrowawayMysql(opts: ThrowawayMysqlOptions = {}): Promise<DatabaseTarget> {
  const durability = opts.durability ?? 'relaxed';
  const id = opts.id ?? 'mysql';
  const binary = opts.binary ?? findMysqlServerBinary();
  if (!binary) {
    throw new LockbenchError('LOCKBENCH_DB_UNAVAILABLE', `no mariadbd or mysqld found: ${MYSQL_FIX}`);
  }
  sweepStale();
  const dir = makeServerDir('mysql');
  const datadir = opts.dataDirOverride ?? join(dir, 'data');
  const socket = join(dir, 'sock');
  const logFile = join(dir, 'server.log');
  writeFileSync(logFile, '');
  let child: ChildProcess | null = null;
  let guardian: Guardian | null = null;
  let untrack = () => {};

  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    guardian?.dismiss();
    if (c && c.exitCode === null && c.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
        c.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        // SIGTERM is a normal shutdown for mysqld/mariadbd.
        c.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
    untrack();
  };
  untrack = track({ stop, pid: () => child?.pid ?? null, dir });

  try {
    const tmpdir = join(dir, 'tmp');
    mkdirSync(tmpdir);
    await initialise(binary, datadir, tmpdir, logFile);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const logFrom = fileSize(logFile);
      const fd = openSync(logFile, 'a');
      child = spawn(
        binary,
        [
          '--no-defaults', // must come first
          `--datadir=${datadir}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--socket=${socket}`,
          `--pid-file=${join(dir, 'pid')}`,
          ...(process.getuid?.() === 0 ? ['--user=root'] : []),
          '--skip-name-resolve',
          '--skip-log-bin',
          `--tmpdir=${tmpdir}`,
          `--innodb-flush-log-at-trx-commit=${durability === 'strict' ? 1 : 2}`,
          '--innodb-buffer-pool-size=256M',
          '--max-connections=500',
          '--innodb-lock-wait-timeout=5',
        ],
        { stdio: ['ignore', fd, fd], detached: true, env: childEnv() },
      );
      closeSync(fd);
      child.unref();
      writeOwner(dir, newOwner(child.pid ?? null, basename(binary)));
      guardian?.dismiss();
      if (child.pid) guardian = startGuardian(child.pid, dir, 'KILL');
      try {
        await waitReady(socket, child, logFile, 60_000);
        break;
      } catch (e) {
        if (attempt < 3 && portTaken(logFile, logFrom)) continue;
        throw e;
      }
    }

    // A user with a random password for loopback TCP; root stays reachable only on the socket.
    const password = randomBytes(18).toString('base64url');
    const admin = await mysql.createConnection({ socketPath: socket, user: 'root' });
    try {
      await admin.query(`CREATE USER 'lockbench'@'127.0.0.1' IDENTIFIED BY ?`, [password]);
      await admin.query(`GRANT ALL PRIVILEGES ON *.* TO 'lockbench'@'127.0.0.1'`);
      await admin.query(`DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1'`);
    } finally {
      await admin.end();
    }
    const url = `mysql://lockbench:${encodeURIComponent(password)}@127.0.0.1:${port}/${DEFAULT_SCHEMA}`;
    const spec = { dialect: 'mysql' as const, url, schema: DEFAULT_SCHEMA };
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
      `throwaway ${basename(binary)} did not start: ${(e as Error).message}\n--- last lines of its log ---\n${tail}`,
      { cause: e },
    );
  }
}
