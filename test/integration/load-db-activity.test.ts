import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DbCounters,
  diffCounters,
  readDbCounters,
  startDbActivity,
  startLockWaitSampler,
} from '../../bench/load/db-activity.ts';
import { type ConnectionSpec, mysqlPoolConfig, openSql, pgPoolConfig, type Sql } from '../../core/connect.ts';
import { specFor } from '../helpers/db.ts';

/** Two sessions that each hold a row the other wants: a waiter, then a deadlock. */
interface Session {
  run(sql: string): Promise<unknown>;
  close(): Promise<void>;
}

async function pgSession(spec: ConnectionSpec): Promise<Session> {
  const c = new pg.Client(pgPoolConfig(spec, 1));
  await c.connect();
  return { run: (sql) => c.query(sql), close: () => c.end() };
}

async function mysqlSession(spec: ConnectionSpec): Promise<Session> {
  const { connectionLimit, maxIdle, waitForConnections, queueLimit, ...opts } = mysqlPoolConfig(spec, 1);
  const c = await mysql.createConnection(opts);
  return { run: (sql) => c.query(sql), close: () => c.end() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `done` holds: PostgreSQL publishes a backend's counters when it goes idle or exits. */
async function settle(
  read: () => Promise<DbCounters>,
  done: (c: DbCounters) => boolean,
): Promise<DbCounters> {
  let c = await read();
  for (let i = 0; i < 50 && !done(c); i++) {
    await sleep(200);
    c = await read();
  }
  return c;
}

for (const dialect of ['postgres', 'mysql'] as const) {
  describe(`db activity on ${dialect}`, () => {
    const spec = specFor(dialect, `t_load_dbact_${dialect === 'postgres' ? 'pg' : 'my'}`);
    const table = dialect === 'postgres' ? `${spec.schema}.t` : `\`${spec.schema}\`.t`;
    const open = dialect === 'postgres' ? pgSession : mysqlSession;
    let admin: Sql;

    beforeAll(async () => {
      const setup = await openSql(spec, { max: 1, withSchema: false });
      await setup.query(
        dialect === 'postgres'
          ? `DROP SCHEMA IF EXISTS ${spec.schema} CASCADE`
          : `DROP DATABASE IF EXISTS \`${spec.schema}\``,
      );
      await setup.query(
        dialect === 'postgres' ? `CREATE SCHEMA ${spec.schema}` : `CREATE DATABASE \`${spec.schema}\``,
      );
      await setup.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, v INT NOT NULL)`);
      await setup.query(`INSERT INTO ${table} VALUES (1, 0), (2, 0)`);
      await setup.close();
      admin = await openSql(spec, { max: 2 });
    });
    afterAll(async () => {
      await admin?.close();
    });

    it('counts a lock waiter, a deadlock and the rollbacks', async () => {
      const before = await readDbCounters(admin);
      expect(Object.keys(before)).toEqual(
        expect.arrayContaining(
          dialect === 'postgres'
            ? ['commits', 'rollbacks', 'deadlocks']
            : ['rowLockWaits', 'rowLockTimeMs', 'deadlocks', 'rollbacks'],
        ),
      );
      const activity = await startDbActivity(admin);
      const sampler = startLockWaitSampler(admin, 50);
      const a = await open(spec);
      const b = await open(spec);
      try {
        await a.run(dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
        await b.run(dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
        await a.run(`UPDATE ${table} SET v = v + 1 WHERE id = 1`);
        await b.run(`UPDATE ${table} SET v = v + 1 WHERE id = 2`);
        const aWaits = a.run(`UPDATE ${table} SET v = v + 1 WHERE id = 2`).then(
          () => 'ok',
          () => 'failed',
        );
        await sleep(400); // a waits on b's row lock; the samplers see it
        const bResult = await b.run(`UPDATE ${table} SET v = v + 1 WHERE id = 1`).then(
          () => 'ok',
          () => 'failed',
        );
        // Exactly one of the two is chosen as the deadlock victim.
        expect([bResult, await aWaits].sort()).toEqual(['failed', 'ok']);
        await a.run('ROLLBACK');
        await b.run('ROLLBACK');
      } finally {
        await a.close();
        await b.close();
      }
      const waits = await sampler.stop();
      expect(waits.lockWaitSessionsMax).toBeGreaterThanOrEqual(1);
      expect(waits.lockWaitSamples).toBeGreaterThan(3);
      expect(waits.lockWaitSessionsMean).toBeGreaterThan(0);

      const after = await settle(
        () => readDbCounters(admin),
        (c) =>
          (c.deadlocks ?? 0) > (before.deadlocks ?? 0) && (c.rollbacks ?? 0) >= (before.rollbacks ?? 0) + 2,
      );
      const d = diffCounters(before, after);
      expect(d.deadlocks).toBe(1);
      expect(d.rollbacks).toBeGreaterThanOrEqual(2);
      if (dialect === 'mysql') {
        expect(d.rowLockWaits).toBeGreaterThanOrEqual(1);
        expect(d.rowLockTimeMs).toBeGreaterThanOrEqual(0);
      }
      await activity.endSampling();
      const whole = await activity.stop();
      expect(whole.deadlocks).toBeGreaterThanOrEqual(1);
      expect(whole.lockWaitSessionsMax).toBeGreaterThanOrEqual(1);
    });
  });
}

describe('diffCounters', () => {
  it('keeps only counters present on both sides', () => {
    expect(diffCounters({ a: 1, b: 5 }, { a: 4, c: 9 })).toEqual({ a: 3 });
  });
});
