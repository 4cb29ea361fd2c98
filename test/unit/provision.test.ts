import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Machine, type Purpose, provision } from '../../scripts/provision.ts';

/**
 * The pretest/prebench hook's decisions, on a fake machine: PATH holds only a directory of fake
 * tools (apt-get, sudo) that record their arguments and environment, and the "installed" binaries
 * live in temp directories. Nothing on this machine is installed or removed.
 */

const root = join(import.meta.dirname, '..', '..');
const base = mkdtempSync(join(tmpdir(), 'lockbench-provision-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let n = 0;
interface Fake {
  machine: Machine;
  /** Each call of a fake tool: `name args... [DEBIAN_FRONTEND=...]`. */
  calls: () => string[];
  said: string[];
  sbin: string;
  chromium: string;
}

/** `tools`: fake executables to put on PATH, each a shell script body after the recording line. */
function fake(opts: {
  tools?: Record<string, string>;
  mariadb?: boolean;
  chromium?: boolean;
  root?: boolean;
  env?: NodeJS.ProcessEnv;
}): Fake {
  const dir = join(base, String(n++));
  const bin = join(dir, 'bin');
  const sbin = join(dir, 'sbin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(sbin);
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  const chromium = join(dir, 'chromium');
  const exe = (path: string, body: string) => {
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  };
  for (const [name, body] of Object.entries(opts.tools ?? {})) {
    exe(join(bin, name), `echo "${name} $* [DEBIAN_FRONTEND=$DEBIAN_FRONTEND]" >> "${log}"\n${body}`);
  }
  if (opts.mariadb) exe(join(sbin, 'mariadbd'), 'exit 0');
  if (opts.chromium) writeFileSync(chromium, '');
  const said: string[] = [];
  return {
    machine: {
      // sh and the coreutils the fake tools use, but neither apt-get nor sudo nor mariadbd.
      env: {
        PATH: `${bin}:/nonexistent`,
        LOCKBENCH_CHROMIUM: chromium,
        FAKE_SBIN: sbin,
        FAKE_CHROMIUM: chromium,
        ...opts.env,
      },
      serverDirs: [sbin],
      isRoot: opts.root ?? true,
      say: (line) => said.push(line),
    },
    calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
    said,
    sbin,
    chromium,
  };
}

/** An apt-get that "installs" by creating the binaries the real packages bring. */
const APT_OK = [
  'case "$*" in *mariadb-server*) printf "#!/bin/sh\\n" > "$FAKE_SBIN/mariadbd"; /bin/chmod +x "$FAKE_SBIN/mariadbd";; esac',
  'case "$*" in *chromium*) : > "$FAKE_CHROMIUM";; esac',
  'exit 0',
].join('\n');

const MARIADB_INSTALL = 'apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client';
const NI = '[DEBIAN_FRONTEND=noninteractive]';

describe('provision (npm pretest / prebench)', () => {
  it.each(['test', 'bench'] as const)('%s: everything installed: no apt-get call, no output, exit 0', (p) => {
    const f = fake({ tools: { 'apt-get': APT_OK }, mariadb: true, chromium: true });
    expect(provision(p, f.machine)).toBe(0);
    expect(f.calls()).toEqual([]);
    expect(f.said).toEqual([]);
  });

  it('test, as root with apt-get: updates, installs MariaDB and Chromium non-interactively, says so, exit 0', () => {
    const f = fake({ tools: { 'apt-get': APT_OK } });
    expect(provision('test', f.machine)).toBe(0);
    expect(f.calls()).toEqual([
      `apt-get update -qq ${NI}`,
      `${MARIADB_INSTALL} ${NI}`,
      `apt-get install -y -qq chromium ${NI}`,
    ]);
    expect(f.said).toEqual([
      'lockbench: MariaDB (mariadbd) is not installed; installing it with apt-get (mariadb-server mariadb-client, about 25 s; LOCKBENCH_NO_INSTALL=1 skips this)',
      'lockbench: Chromium is not installed (the HTML report test opens the report in it); installing it with apt-get (chromium; LOCKBENCH_NO_INSTALL=1 skips this)',
      'lockbench: installed MariaDB and Chromium',
    ]);
    expect(existsSync(join(f.sbin, 'mariadbd'))).toBe(true);
  });

  it('bench installs MariaDB only (Chromium is for the tests), and nothing when a MySQL URL is set', () => {
    const f = fake({ tools: { 'apt-get': APT_OK } });
    expect(provision('bench', f.machine)).toBe(0);
    expect(f.calls()).toEqual([`apt-get update -qq ${NI}`, `${MARIADB_INSTALL} ${NI}`]);
    const url = fake({ tools: { 'apt-get': APT_OK }, env: { LOCKBENCH_MYSQL_URL: 'mysql://root@h/x' } });
    expect(provision('bench', url.machine)).toBe(0);
    expect(url.calls()).toEqual([]);
  });

  it('not root but passwordless sudo: runs apt-get through sudo -n env DEBIAN_FRONTEND=noninteractive', () => {
    const f = fake({
      root: false,
      chromium: true,
      tools: { 'apt-get': APT_OK, sudo: 'shift; [ "$1" = true ] && exit 0; shift; exec /usr/bin/env "$@"' },
    });
    expect(provision('test', f.machine)).toBe(0);
    const apt = (f.machine.env.PATH as string).split(':')[0];
    expect(f.calls()).toEqual([
      'sudo -n true [DEBIAN_FRONTEND=noninteractive]',
      `sudo -n env DEBIAN_FRONTEND=noninteractive ${apt}/apt-get update -qq ${NI}`,
      `apt-get update -qq ${NI}`,
      `sudo -n env DEBIAN_FRONTEND=noninteractive ${apt}/apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client ${NI}`,
      `${MARIADB_INSTALL} ${NI}`,
    ]);
  });

  const cannot: [string, Parameters<typeof fake>[0], RegExp][] = [
    ['no apt-get', { tools: {} }, /\(there is no apt-get here\)/],
    [
      'not root, sudo wants a password',
      { root: false, tools: { 'apt-get': APT_OK, sudo: 'exit 1' } },
      /\(apt-get needs root and sudo asks for a password\)/,
    ],
    [
      'LOCKBENCH_NO_INSTALL=1',
      { tools: { 'apt-get': APT_OK }, env: { LOCKBENCH_NO_INSTALL: '1' } },
      /\(LOCKBENCH_NO_INSTALL=1 is set\)/,
    ],
  ];

  it.each(cannot)('test, %s: installs nothing, exit 1 with the exact instruction', (_, opts, why) => {
    const f = fake({ ...opts, chromium: true });
    expect(provision('test', f.machine)).toBe(1);
    expect(f.calls().filter((c) => c.startsWith('apt-get'))).toEqual([]);
    expect(f.said[0]).toMatch(
      /^lockbench: npm test needs MariaDB, not installed here, and cannot install it /,
    );
    expect(f.said[0]).toMatch(why);
    expect(f.said).toContain('    Debian/Ubuntu: sudo apt-get install -y mariadb-server');
    expect(f.said.at(-1)).toBe('  (CI installs both in .ci/run; the suite skips nothing.)');
  });

  it.each(cannot)('bench, %s: installs nothing, says the run is PostgreSQL only, exit 0', (_, opts, why) => {
    const f = fake(opts);
    expect(provision('bench', f.machine)).toBe(0);
    expect(f.calls().filter((c) => c.startsWith('apt-get'))).toEqual([]);
    expect(f.said[0]).toMatch(/^lockbench: MariaDB is not installed and cannot be installed here /);
    expect(f.said[0]).toMatch(why);
    expect(f.said.at(-1)).toBe(
      '  This run uses PostgreSQL only; the MySQL cells are skipped with the reason.',
    );
  });

  it('a failing apt-get: its output tail, then the instruction; test exits 1, bench 0', () => {
    const tools = { 'apt-get': 'echo "E: Unable to locate package mariadb-server" >&2; exit 100' };
    for (const [p, code] of [
      ['test', 1],
      ['bench', 0],
    ] as [Purpose, number][]) {
      const f = fake({ tools, chromium: true });
      expect(provision(p, f.machine)).toBe(code);
      expect(f.said.join('\n')).toMatch(
        /apt-get update -qq failed \(exit 100\):\n {4}E: Unable to locate package mariadb-server\n/,
      );
      expect(f.said.join('\n')).toMatch(
        /cannot install it \(apt-get update failed\)|cannot be installed here/,
      );
    }
  });

  it('the npm hooks run it, and on this machine (MariaDB and Chromium present) it does nothing', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.pretest).toBe('node --import tsx scripts/provision.ts test');
    expect(pkg.scripts.prebench).toBe('node --import tsx scripts/provision.ts bench');
    const f = fake({ tools: { 'apt-get': APT_OK, sudo: 'exit 1' } });
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/provision.ts', 'test'], {
      cwd: root,
      encoding: 'utf8',
      // The fake apt-get first on PATH: a call would be recorded.
      env: { ...process.env, PATH: `${f.machine.env.PATH}:${process.env.PATH}` },
    });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(f.calls()).toEqual([]);
    const usage = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/provision.ts', 'deploy'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect([usage.status, usage.stderr]).toEqual([
      2,
      'usage: node --import tsx scripts/provision.ts test|bench\n',
    ]);
  });
});
