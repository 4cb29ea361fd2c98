import { describe, expect, it } from 'vitest';
import { isLockbenchError } from '../../core/errors.ts';
import { parseServerArgs, SERVER_FLAGS, serverUsage } from '../../servers/options.ts';

const env = { LOCKBENCH_DB_URL: 'postgres://u:secret@127.0.0.1:5432/db' };
const base = ['--strategy', 'for-update', '--workload', 'account'];

function usageError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isLockbenchError(e) && e.code === 'LOCKBENCH_USAGE') return e.message;
    throw e;
  }
  throw new Error('expected a LOCKBENCH_USAGE error');
}

describe('parseServerArgs', () => {
  it('fills the documented defaults and freezes the result', () => {
    const cmd = parseServerArgs(base, env);
    if (cmd.kind !== 'run') throw new Error('expected run');
    expect(cmd.options).toEqual({
      strategy: 'for-update',
      workload: 'account',
      workloadModule: [],
      dbUrl: env.LOCKBENCH_DB_URL,
      schema: 'lockbench',
      isolation: 'default',
      pool: 16,
      lockTimeout: 5000,
      maxAttempts: 10,
      backoffBaseMs: 2,
      backoffCapMs: 200,
      workMs: 0,
      lockOrder: 'id',
      workers: 1,
      port: 0,
      host: '127.0.0.1',
      drainMs: 0,
    });
    expect(Object.isFrozen(cmd.options)).toBe(true);
  });

  it('reads every flag', () => {
    const argv = [
      ...[
        '--strategy',
        'skip-locked',
        '--workload',
        'tickets',
        '--schema',
        't_x',
        '--isolation',
        'repeatable-read',
      ],
      ...['--pool', '4', '--lock-timeout', '1500', '--max-attempts', '3', '--backoff-base-ms', '1'],
      ...[
        '--backoff-cap-ms',
        '50',
        '--work-ms',
        '2.5',
        '--lock-order',
        'request',
        '--workers',
        '2',
        '--port',
        '8080',
        '--workload-module',
        '/x/a.ts',
        '--workload-module',
        '/x/b.ts',
      ],
      ...['--host', '0.0.0.0', '--drain-ms', '5000'],
    ];
    const cmd = parseServerArgs(argv, env);
    if (cmd.kind !== 'run') throw new Error('expected run');
    expect(cmd.options).toMatchObject({
      strategy: 'skip-locked',
      workload: 'tickets',
      schema: 't_x',
      isolation: 'repeatable-read',
      pool: 4,
      lockTimeout: 1500,
      maxAttempts: 3,
      backoffBaseMs: 1,
      backoffCapMs: 50,
      host: '0.0.0.0',
      drainMs: 5000,
      workMs: 2.5,
      lockOrder: 'request',
      workers: 2,
      port: 8080,
      workloadModule: ['/x/a.ts', '/x/b.ts'],
    });
    expect(Object.keys(SERVER_FLAGS)).toHaveLength(16);
    for (const flag of Object.values(SERVER_FLAGS)) expect(serverUsage()).toContain(flag);
  });

  it('names the flag at fault', () => {
    expect(usageError(() => parseServerArgs([...base, '--pool', '0'], env))).toMatch(/--pool/);
    expect(usageError(() => parseServerArgs([...base, '--pool', '12abc'], env))).toMatch(/--pool/);
    expect(
      usageError(() => parseServerArgs(['--strategy', 'optimstic', '--workload', 'account'], env)),
    ).toMatch(/--strategy/);
    expect(usageError(() => parseServerArgs([...base, '--schema', 'Bad-Name'], env))).toMatch(/--schema/);
    expect(usageError(() => parseServerArgs([...base, '--poool', '3'], env))).toMatch(/poool/);
    expect(usageError(() => parseServerArgs(['--workload', 'account'], env))).toMatch(/--strategy/);
  });

  it('takes the URL only from LOCKBENCH_DB_URL and never echoes it', () => {
    expect(usageError(() => parseServerArgs(base, {}))).toMatch(/LOCKBENCH_DB_URL is not set/);
    const msg = usageError(() => parseServerArgs(base, { LOCKBENCH_DB_URL: 'http://u:hunter2@host/db' }));
    expect(msg).toMatch(/LOCKBENCH_DB_URL/);
    expect(msg).not.toContain('hunter2');
    expect(usageError(() => parseServerArgs([...base, '--db-url', 'postgres://x'], env))).toMatch(/db-url/);
  });

  it('answers --help without needing a URL', () => {
    expect(parseServerArgs(['--help'], {})).toEqual({ kind: 'help' });
  });
});
