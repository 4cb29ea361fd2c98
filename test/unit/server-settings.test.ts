import { describe, expect, it } from 'vitest';
import { BenchConfigSchema } from '../../bench/config.ts';
import { planCells } from '../../bench/plan.ts';
import { serverArgs, serverConfigureBody, serverSettings } from '../../bench/server-settings.ts';
import { parseServerArgs, SERVER_FLAGS, ServerOptionsSchema } from '../../servers/options.ts';
import { EXECUTOR_DEFAULTS } from '../../strategies/settings.ts';

/** The bench's options for a cell reach the server under one set of names, derived from one schema. */
describe('server options from the bench', () => {
  const config = BenchConfigSchema.parse({
    strategy: ['optimistic'],
    workload: ['transfer'],
    pool: 7,
    maxAttempts: 4,
    lockTimeout: '1500ms',
    workMs: 3,
    lockOrder: 'request',
    isolation: 'repeatable-read',
    workers: 2,
  });
  // biome-ignore lint/style/noNonNullAssertion: the matrix above has one cell per database
  const cell = planCells(config, ['postgres'])[0]!;
  const env = { LOCKBENCH_DB_URL: 'postgres://127.0.0.1:1/x' };

  it('the command line the bench builds parses back, on the server, to the cell it was built for', () => {
    const parsed = parseServerArgs(serverArgs(config, cell, 'lb_schema'), env);
    if (parsed.kind !== 'run') throw new Error('expected a run');
    expect(parsed.options).toMatchObject({
      strategy: 'optimistic',
      workload: 'transfer',
      schema: 'lb_schema',
      pool: 7,
      maxAttempts: 4,
      lockTimeout: 1500,
      workMs: 3,
      lockOrder: 'request',
      isolation: 'repeatable-read',
      workers: 2,
      port: 0,
    });
  });

  it('configure body and recorded settings use the server option names, so every key is one the server takes', () => {
    const names = new Set(Object.keys(ServerOptionsSchema.shape));
    for (const key of Object.keys(serverConfigureBody(config, cell))) expect(names).toContain(key);
    const recorded = Object.keys(serverSettings(config, cell)).filter((k) => k !== 'durability');
    for (const key of recorded) expect(names).toContain(key);
  });

  it('every server option but the URL has a flag, its name in kebab case', () => {
    expect(SERVER_FLAGS.lockTimeout).toBe('--lock-timeout');
    expect(SERVER_FLAGS.maxAttempts).toBe('--max-attempts');
    expect(Object.keys(SERVER_FLAGS).sort()).toEqual(
      Object.keys(ServerOptionsSchema.shape)
        .filter((k) => k !== 'dbUrl')
        .sort(),
    );
  });

  it("the bench's defaults are the server's defaults", () => {
    const d = BenchConfigSchema.parse({});
    expect([d.pool, d.maxAttempts, d.lockTimeout, d.workMs, d.lockOrder, d.isolation]).toEqual([
      EXECUTOR_DEFAULTS.pool,
      EXECUTOR_DEFAULTS.maxAttempts,
      EXECUTOR_DEFAULTS.lockTimeout,
      EXECUTOR_DEFAULTS.workMs,
      EXECUTOR_DEFAULTS.lockOrder,
      EXECUTOR_DEFAULTS.isolation,
    ]);
  });
});
