/**
 * Installs what `npm test` and `npm run bench` need and npm cannot install: a MariaDB server (both)
 * and Chromium (the HTML report test). Runs as their `pretest` and `prebench` hooks, so the
 * README's two commands work on a fresh Debian or Ubuntu machine.
 *
 * - Everything present: does nothing and prints nothing (no apt-get call).
 * - Something missing, apt-get here, root or passwordless sudo: installs it with apt-get, saying so
 *   in one line first (`apt-get update`, then the packages; MariaDB takes about 25 s).
 * - Otherwise, or with LOCKBENCH_NO_INSTALL=1: prints what to run. `test` then exits 1 (the suite
 *   needs both); `bench` exits 0 and the bench runs PostgreSQL alone, skipping MySQL with the reason.
 *
 * Usage: node --import tsx scripts/provision.ts test|bench. Exit 0 ready (or bench without
 * MariaDB), 1 something the tests need is missing, 2 usage.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findMysqlServerBinary, isExecutable, MYSQL_SERVER_DIRS } from '../bench/databases/mysql-binary.ts';
import { isEntry } from './is-entry.ts';

export type Purpose = 'test' | 'bench';

/** The Chromium the HTML report test opens: LOCKBENCH_CHROMIUM, default /usr/bin/chromium. */
export function chromiumPath(env: NodeJS.ProcessEnv): string {
  return env.LOCKBENCH_CHROMIUM || '/usr/bin/chromium';
}

/** What this machine offers; the process entry passes the real one, tests a fake. */
export interface Machine {
  env: NodeJS.ProcessEnv;
  /** Searched for mariadbd/mysqld after PATH. Default MYSQL_SERVER_DIRS (/usr/sbin, ...). */
  serverDirs?: readonly string[];
  /** Whether this process runs as root (uid 0). */
  isRoot: boolean;
  /** One line for the person at the terminal. */
  say: (line: string) => void;
}

interface Need {
  what: string;
  /** apt-get install arguments after `install -y -qq`. */
  apt: string[];
  /** The line that says why it is needed and what is installed. */
  why: string;
  /** What to run where apt-get cannot be used. */
  manual: string[];
  present: (m: Machine) => boolean;
}

const MARIADB: Need = {
  what: 'MariaDB',
  apt: ['--no-install-recommends', 'mariadb-server', 'mariadb-client'],
  why: 'MariaDB (mariadbd) is not installed',
  manual: [
    'Debian/Ubuntu: sudo apt-get install -y mariadb-server',
    'Fedora/RHEL:   sudo dnf install -y mariadb-server',
    'macOS:         brew install mariadb',
  ],
  present: (m) => findMysqlServerBinary(m.env.PATH ?? '', m.serverDirs ?? MYSQL_SERVER_DIRS) !== null,
};

const CHROMIUM: Need = {
  what: 'Chromium',
  apt: ['chromium'],
  why: 'Chromium is not installed (the HTML report test opens the report in it)',
  manual: [
    'Debian/Ubuntu: sudo apt-get install -y chromium',
    'elsewhere:     set LOCKBENCH_CHROMIUM to a Chromium or Chrome binary',
  ],
  present: (m) => existsSync(chromiumPath(m.env)),
};

const OPT_OUT = 'LOCKBENCH_NO_INSTALL';

/** An executable named `name` on the machine's PATH, or null. */
function onPath(m: Machine, name: string): string | null {
  for (const d of (m.env.PATH ?? '').split(delimiter)) {
    if (d && isExecutable(join(d, name))) return join(d, name);
  }
  return null;
}

interface Ran {
  code: number;
  output: string;
}

function run(m: Machine, cmd: string, args: string[]): Ran {
  const r = spawnSync(cmd, args, {
    env: { ...m.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return {
    code: r.status ?? 1,
    output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`,
  };
}

/** How apt-get can be run here, or why it cannot. */
function aptRunner(m: Machine): { run: (args: string[]) => Ran } | { why: string } {
  if (m.env[OPT_OUT] === '1' || m.env[OPT_OUT] === 'true') return { why: `${OPT_OUT}=1 is set` };
  const apt = onPath(m, 'apt-get');
  if (!apt) return { why: 'there is no apt-get here' };
  if (m.isRoot) return { run: (args) => run(m, apt, args) };
  const sudo = onPath(m, 'sudo');
  if (sudo && run(m, sudo, ['-n', 'true']).code === 0) {
    // sudo resets the environment; env(1) sets the one variable apt-get needs.
    return { run: (args) => run(m, sudo, ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', apt, ...args]) };
  }
  return { why: 'apt-get needs root and sudo asks for a password' };
}

const tail = (text: string) =>
  text
    .trim()
    .split('\n')
    .slice(-10)
    .map((l) => `    ${l}`)
    .join('\n');

function instructions(purpose: Purpose, missing: Need[], why: string): string[] {
  const names = missing.map((n) => n.what).join(' and ');
  const lines = [
    purpose === 'test'
      ? `lockbench: npm test needs ${names}, not installed here, and cannot install it (${why}).`
      : `lockbench: ${names} is not installed and cannot be installed here (${why}).`,
    `  Install it, then run npm ${purpose === 'test' ? 'test' : 'run bench'} again:`,
    ...missing.flatMap((n) => n.manual.map((l) => `    ${l}`)),
  ];
  if (purpose === 'test') lines.push('  (CI installs both in .ci/run; the suite skips nothing.)');
  else {
    lines.push(
      '  Or point the bench at a server: --mysql-url mysql://user:password@host:3306/lockbench.',
      '  This run uses PostgreSQL only; the MySQL cells are skipped with the reason.',
    );
  }
  return lines;
}

/** Checks, installs where it can, and returns the exit code (see the header). */
export function provision(purpose: Purpose, m: Machine): number {
  const wanted = purpose === 'test' ? [MARIADB, CHROMIUM] : m.env.LOCKBENCH_MYSQL_URL ? [] : [MARIADB];
  const missing = wanted.filter((n) => !n.present(m));
  if (missing.length === 0) return 0;

  const apt = aptRunner(m);
  const fail = (why: string, left: Need[]) => {
    for (const l of instructions(purpose, left, why)) m.say(l);
    return purpose === 'test' ? 1 : 0;
  };
  if ('why' in apt) return fail(apt.why, missing);

  for (const n of missing) {
    m.say(
      `lockbench: ${n.why}; installing it with apt-get (${n.apt.filter((a) => !a.startsWith('-')).join(' ')}${n === MARIADB ? ', about 25 s' : ''}; ${OPT_OUT}=1 skips this)`,
    );
  }
  // A fresh machine has no package lists yet: update first.
  const steps = [['update', '-qq'], ...missing.map((n) => ['install', '-y', '-qq', ...n.apt])];
  for (const args of steps) {
    const r = apt.run(args);
    if (r.code !== 0) {
      m.say(`lockbench: apt-get ${args.join(' ')} failed (exit ${r.code}):\n${tail(r.output)}`);
      return fail(`apt-get ${args[0]} failed`, missing);
    }
  }
  const still = missing.filter((n) => !n.present(m));
  if (still.length > 0) return fail('apt-get ran but it is still missing', still);
  m.say(`lockbench: installed ${missing.map((n) => n.what).join(' and ')}`);
  return 0;
}

if (isEntry(import.meta.url)) {
  const purpose = process.argv[2];
  if (purpose !== 'test' && purpose !== 'bench') {
    process.stderr.write('usage: node --import tsx scripts/provision.ts test|bench\n');
    process.exitCode = 2;
  } else {
    process.exitCode = provision(purpose, {
      env: process.env,
      isRoot: process.getuid?.() === 0,
      say: (line) => process.stderr.write(`${line}\n`),
    });
  }
}
