import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/databases/free-port.ts';
import { openSql, type Sql } from '../../core/connect.ts';
import type { Dialect, Workload } from '../../core/names.ts';
import { buildServer } from '../../servers/app.ts';
import { parseServerOptions, type ServerOptionsInput } from '../../servers/options.ts';
import { ATTEMPTS_HEADER, OUTCOME_HEADER, type ServerStats } from '../../servers/protocol.ts';
import { accountingErrors } from '../../servers/stats.ts';
import { resetAndSeed, type SeedSizes } from '../../workloads/schema.ts';
import { specFor } from '../helpers/db.ts';

const SIZES: SeedSizes = { accounts: 10, initialBalance: 1000, events: 2, seatsPerEvent: 5 };
const schemas = { postgres: 't_srv_pg', mysql: 't_srv_my' } as const satisfies Record<Dialect, string>;

type Inject = InjectOptions;
const json = (url: string, payload: unknown): Inject => ({ method: 'POST', url, payload: payload as object });
const raw = (url: string, body: string, contentType?: string): Inject => ({
  method: 'POST',
  url,
  payload: body,
  headers: contentType ? { 'content-type': contentType } : {},
});

/** Everything a request could have changed. */
async function fingerprint(db: Sql): Promise<string> {
  const a = await db.query('SELECT id, balance, version FROM accounts ORDER BY id');
  const s = await db.query("SELECT id, status, op_id FROM seats WHERE status <> 'free' ORDER BY id");
  const l = await db.query('SELECT op_id FROM ledger ORDER BY op_id');
  return JSON.stringify([a.rows, s.rows, l.rows]);
}

const bad = (r: LightMyRequestResponse) => ({
  status: r.statusCode,
  body: r.json() as { error: string; message: string },
});

describe.each(['postgres', 'mysql'] as const)('server on %s', (dialect) => {
  const spec = specFor(dialect, schemas[dialect]);
  let db: Sql;
  const apps: FastifyInstance[] = [];
  const server = (workload: Workload, extra: Partial<ServerOptionsInput> = {}) => {
    const app = buildServer(
      parseServerOptions({
        strategy: 'atomic',
        workload,
        dbUrl: spec.url,
        schema: spec.schema,
        pool: 4,
        ...extra,
      }),
    );
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    await resetAndSeed(spec, SIZES);
    db = await openSql(spec, { max: 2 });
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await db?.close();
  });

  describe('bad input: a clear 4xx and no change in the database', () => {
    const long = 'x'.repeat(65);
    const accountCases: [string, Inject, number, RegExp][] = [
      ['zero amount', json('/accounts/1/deposit', { amount: 0, opId: 'b1' }), 400, /amount/],
      ['negative amount', json('/accounts/1/withdraw', { amount: -5, opId: 'b1' }), 400, /amount/],
      ['fractional amount', json('/accounts/1/deposit', { amount: 1.5, opId: 'b1' }), 400, /amount/],
      ['amount as text', json('/accounts/1/deposit', { amount: '10', opId: 'b1' }), 400, /amount/],
      ['amount too large', json('/accounts/1/deposit', { amount: 1_000_000_001, opId: 'b1' }), 400, /amount/],
      ['missing amount', json('/accounts/1/deposit', { opId: 'b1' }), 400, /amount/],
      ['missing opId', json('/accounts/1/deposit', { amount: 5 }), 400, /opId/],
      ['empty opId', json('/accounts/1/deposit', { amount: 5, opId: '' }), 400, /opId/],
      ['opId with a space', json('/accounts/1/deposit', { amount: 5, opId: 'a b' }), 400, /opId/],
      ['opId of 65 chars', json('/accounts/1/deposit', { amount: 5, opId: long }), 400, /opId/],
      ['unknown field', json('/accounts/1/deposit', { amount: 5, opId: 'b1', note: 'x' }), 400, /additional/],
      ['broken JSON', raw('/accounts/1/deposit', '{"amount": 5,', 'application/json'), 400, /JSON/i],
      ['empty JSON body', raw('/accounts/1/deposit', '', 'application/json'), 400, /empty/i],
      [
        'a __proto__ key',
        raw('/accounts/1/deposit', '{"amount":5,"opId":"b1","__proto__":{"amount":9}}', 'application/json'),
        400,
        /^"__proto__" and "constructor" keys are not allowed in a JSON body \(found body\/__proto__\)$/,
      ],
      [
        'an escaped __proto__ key',
        raw('/accounts/1/deposit', '{"amount":5,"opId":"b1","\\u005f_proto__":{}}', 'application/json'),
        400,
        /keys are not allowed in a JSON body \(found body\/__proto__\)/,
      ],
      [
        'a constructor.prototype key',
        raw(
          '/accounts/1/withdraw',
          '{"amount":5,"opId":"b1","constructor":{"prototype":{"amount":9}}}',
          'application/json',
        ),
        400,
        /keys are not allowed in a JSON body \(found body\/constructor\)/,
      ],
      ['no body', { method: 'POST', url: '/accounts/1/deposit' }, 400, /body/],
      ['a JSON array', json('/accounts/1/deposit', [5]), 400, /object/],
      [
        'text/plain',
        raw('/accounts/1/deposit', '{"amount":5,"opId":"b1"}', 'text/plain'),
        415,
        /content-type/i,
      ],
      [
        'a form',
        raw('/accounts/1/deposit', 'amount=5&opId=b1', 'application/x-www-form-urlencoded'),
        415,
        /content-type/i,
      ],
      [
        'a 2 KiB body',
        raw(
          '/accounts/1/deposit',
          JSON.stringify({ amount: 5, opId: 'b1', pad: 'p'.repeat(2048) }),
          'application/json',
        ),
        413,
        /large/i,
      ],
      ['account id 0', json('/accounts/0/deposit', { amount: 5, opId: 'b1' }), 400, /id/],
      ['account id -1', json('/accounts/-1/deposit', { amount: 5, opId: 'b1' }), 400, /id/],
      ['account id abc', json('/accounts/abc/withdraw', { amount: 5, opId: 'b1' }), 400, /id/],
      ['account id beyond INT', json('/accounts/99999999999/deposit', { amount: 5, opId: 'b1' }), 400, /id/],
      [
        'unknown account',
        json('/accounts/999/deposit', { amount: 5, opId: 'b1' }),
        404,
        /account 999 does not exist/,
      ],
      [
        'unknown account, withdraw',
        json('/accounts/999/withdraw', { amount: 5, opId: 'b1' }),
        404,
        /account 999/,
      ],
      ['unknown route', json('/accounts/1/steal', { amount: 5, opId: 'b1' }), 404, /no route/],
      ['GET an unknown account', { method: 'GET', url: '/accounts/999' }, 404, /account 999/],
      ['GET a bad account id', { method: 'GET', url: '/accounts/x1' }, 400, /id/],
    ];
    const transferCases: [string, Inject, number, RegExp][] = [
      ['from == to', json('/transfers', { from: 2, to: 2, amount: 5, opId: 'b2' }), 400, /differ/],
      ['from 0', json('/transfers', { from: 0, to: 2, amount: 5, opId: 'b2' }), 400, /from/],
      ['missing to', json('/transfers', { from: 1, amount: 5, opId: 'b2' }), 400, /to/],
      ['negative amount', json('/transfers', { from: 1, to: 2, amount: -1, opId: 'b2' }), 400, /amount/],
      ['bad opId', json('/transfers', { from: 1, to: 2, amount: 1, opId: 'é' }), 400, /opId/],
      ['unknown from', json('/transfers', { from: 999, to: 2, amount: 5, opId: 'b2' }), 404, /account 999/],
      ['unknown to', json('/transfers', { from: 1, to: 998, amount: 5, opId: 'b2' }), 404, /account 998/],
    ];
    const ticketCases: [string, Inject, number, RegExp][] = [
      ['missing opId', json('/events/1/reservations', {}), 400, /opId/],
      [
        'a nested __proto__ key',
        raw('/events/1/reservations', '{"opId":"b3","x":{"__proto__":{}}}', 'application/json'),
        400,
        /keys are not allowed in a JSON body \(found body\/x\/__proto__\)/,
      ],
      ['bad opId', json('/events/1/reservations', { opId: 'a/b' }), 400, /opId/],
      ['event id 01', json('/events/01/reservations', { opId: 'b3' }), 400, /id/],
      ['unknown event', json('/events/77/reservations', { opId: 'b3' }), 404, /event 77 does not exist/],
      ['GET an unknown event', { method: 'GET', url: '/events/77' }, 404, /event 77/],
    ];

    it.each([
      ['account', accountCases],
      ['transfer', transferCases],
      ['tickets', ticketCases],
    ] as const)('%s routes', async (workload, cases) => {
      const app = server(workload);
      const before = await fingerprint(db);
      for (const [what, req, status, message] of cases) {
        const r = bad(await app.inject(req));
        expect({ what, status: r.status }).toEqual({ what, status });
        expect(r.body.message, what).toMatch(message);
        expect(r.body.error, what).toBeTypeOf('string');
      }
      expect(await fingerprint(db)).toBe(before);
      const stats = (await app.inject({ method: 'GET', url: '/stats' })).json() as ServerStats;
      expect(stats.badRequest).toBe(cases.length);
      expect(stats.operations).toBe(0);
    });
  });

  it.each(['atomic', 'for-update', 'optimistic', 'naive'] as const)(
    '%s: an opId reused for a different operation is refused with 422; an identical replay is a duplicate',
    async (strategy) => {
      await resetAndSeed(spec, SIZES);
      const account = server('account', { strategy });
      const transfer = server('transfer', { strategy });
      const tickets = server('tickets', { strategy });
      const firsts: [FastifyInstance, Inject][] = [
        [account, json('/accounts/1/deposit', { amount: 50, opId: 'k1' })],
        [transfer, json('/transfers', { from: 2, to: 3, amount: 7, opId: 'k2' })],
        [tickets, json('/events/2/reservations', { opId: 'k3' })],
      ];
      const seats: (number | undefined)[] = [];
      for (const [app, req] of firsts) {
        const r = await app.inject(req);
        expect(r.statusCode, r.body).toBe(200);
        seats.push((r.json() as { seatId?: number }).seatId);
      }
      const before = await fingerprint(db);
      const reused: [string, FastifyInstance, Inject, RegExp][] = [
        [
          'another amount',
          account,
          json('/accounts/1/deposit', { amount: 51, opId: 'k1' }),
          /amount 50, now 51/,
        ],
        [
          'another account',
          account,
          json('/accounts/4/deposit', { amount: 50, opId: 'k1' }),
          /account 1, now 4/,
        ],
        [
          'another operation',
          account,
          json('/accounts/1/withdraw', { amount: 50, opId: 'k1' }),
          /operation deposit, now withdraw/,
        ],
        [
          'a transfer key on a deposit',
          account,
          json('/accounts/2/deposit', { amount: 7, opId: 'k2' }),
          /operation transfer, now deposit/,
        ],
        [
          'another transfer target',
          transfer,
          json('/transfers', { from: 2, to: 4, amount: 7, opId: 'k2' }),
          /counter account 3, now 4/,
        ],
        ['another event', tickets, json('/events/1/reservations', { opId: 'k3' }), /event 2, now 1/],
        [
          'a deposit key on a reservation',
          tickets,
          json('/events/2/reservations', { opId: 'k1' }),
          /operation deposit, now reserve/,
        ],
      ];
      for (const [what, app, req, message] of reused) {
        const r = await app.inject(req);
        expect({ what, status: r.statusCode }).toEqual({ what, status: 422 });
        const body = r.json() as { error: string; message: string };
        expect(body.error, what).toBe('idempotency_key_reused');
        expect(body.message, what).toMatch(message);
        expect(body.message, what).toMatch(/send a new opId/);
      }
      expect(await fingerprint(db)).toBe(before);
      // The identical replays stay 200 duplicates with the first outcome.
      for (const [i, [app, req]] of firsts.entries()) {
        const r = await app.inject(req);
        expect(r.statusCode).toBe(200);
        expect(r.json()).toMatchObject({ outcome: 'ok', duplicate: true });
        expect((r.json() as { seatId?: number }).seatId).toBe(seats[i]);
      }
      expect(await fingerprint(db)).toBe(before);
    },
  );

  it('operation replies carry x-outcome and x-attempts, and /stats follows its accounting rule', async () => {
    await resetAndSeed(spec, SIZES);
    const app = server('account');
    const ok = await app.inject(json('/accounts/3/deposit', { amount: 5, opId: 'o1' }));
    expect(ok.statusCode).toBe(200);
    expect(ok.headers[OUTCOME_HEADER]).toBe('ok');
    expect(ok.headers[ATTEMPTS_HEADER]).toBe('1');
    expect(ok.json()).toMatchObject({ outcome: 'ok', opId: 'o1', attempts: 1 });
    const dup = await app.inject(json('/accounts/3/deposit', { amount: 5, opId: 'o1' }));
    expect(dup.json()).toMatchObject({ outcome: 'ok', duplicate: true });
    const refused = await app.inject(json('/accounts/3/withdraw', { amount: 999_999, opId: 'o2' }));
    expect(refused.statusCode).toBe(422);
    expect(refused.headers[OUTCOME_HEADER]).toBe('rejected');
    expect(refused.json()).toMatchObject({ outcome: 'rejected', reason: 'insufficient_funds', attempts: 1 });
    await app.inject(json('/accounts/3/deposit', { amount: 0, opId: 'o3' }));
    const account = await app.inject({ method: 'GET', url: '/accounts/3' });
    expect(account.json()).toEqual({ id: 3, balance: 1005, version: 1 });
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.json()).toMatchObject({ status: 'ok', strategy: 'atomic', workload: 'account', dialect });
    // Both bodies are written once and sent as text: they must still go out as JSON.
    for (const r of [account, health])
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');

    const stats = (await app.inject({ method: 'GET', url: '/stats' })).json() as ServerStats;
    expect(stats).toMatchObject({
      operations: 3,
      ok: 2,
      rejected: 1,
      badRequest: 1,
      duplicates: 1,
      attempts: 3,
      workers: 1,
    });
    expect(accountingErrors(stats)).toEqual([]);
    expect((await app.inject({ method: 'POST', url: '/stats/reset' })).statusCode).toBe(200);
    const zero = (await app.inject({ method: 'GET', url: '/stats' })).json() as ServerStats;
    expect([zero.operations, zero.badRequest, zero.attempts]).toEqual([0, 0, 0]);
  });

  it('tickets: 200 with the seat, then 409 sold_out', async () => {
    await resetAndSeed(spec, SIZES);
    const app = server('tickets');
    for (let i = 0; i < SIZES.seatsPerEvent; i++) {
      const r = await app.inject(json('/events/2/reservations', { opId: `t${i}` }));
      expect(r.statusCode).toBe(200);
      expect(r.json().seatId).toBe(SIZES.seatsPerEvent + 1 + i);
    }
    const late = await app.inject(json('/events/2/reservations', { opId: 'late' }));
    expect(late.statusCode).toBe(409);
    expect(late.headers[OUTCOME_HEADER]).toBe('rejected');
    expect(late.json()).toMatchObject({ outcome: 'rejected', reason: 'sold_out' });
    expect((await app.inject({ method: 'GET', url: '/events/2' })).json()).toEqual({
      id: 2,
      capacity: 5,
      free: 0,
      sold: 5,
    });
  });

  it('an exhausted retry is a 409 conflict with its reason, never a 500', async () => {
    await resetAndSeed(spec, SIZES);
    const app = server('account', { strategy: 'nowait', maxAttempts: 3, backoffBaseMs: 1 });
    const holder = await openSql(spec, { max: 1 });
    // One connection holds the row lock (a pool of one: BEGIN and the lock share it).
    const hold = async () => {
      await holder.query(dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
      await holder.query(`SELECT balance FROM accounts WHERE id = 4 FOR UPDATE`);
    };
    try {
      await hold();
      const r = await app.inject(json('/accounts/4/deposit', { amount: 5, opId: 'c1' }));
      expect(r.statusCode).toBe(409);
      expect(r.headers[OUTCOME_HEADER]).toBe('conflict');
      expect(r.headers[ATTEMPTS_HEADER]).toBe('3');
      expect(r.json()).toMatchObject({ outcome: 'conflict', reason: 'lock-not-available', attempts: 3 });
    } finally {
      await holder.query('ROLLBACK');
      await holder.close();
    }
    const stats = (await app.inject({ method: 'GET', url: '/stats' })).json() as ServerStats;
    expect(stats).toMatchObject({ conflict: 1, attempts: 3, errors: { lockNotAvailable: 3 } });
    expect(accountingErrors(stats)).toEqual([]);
    expect((await db.query('SELECT balance FROM accounts WHERE id = 4')).rows[0]).toEqual({
      balance: dialect === 'postgres' ? '1000' : 1000,
    });
  });

  it('a database that goes away mid-request gives a 503 and the server keeps serving', async () => {
    await resetAndSeed(spec, SIZES);
    // for-update holds its transaction open (with a row lock) for workMs: kill it then.
    const app = server('account', { strategy: 'for-update', workMs: 800, pool: 2 });
    await app.inject({ method: 'GET', url: '/health' });
    const pending = app.inject(json('/accounts/5/deposit', { amount: 5, opId: 'g1' }));
    await new Promise((r) => setTimeout(r, 300));
    if (dialect === 'postgres') {
      const { rows } = await db.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'lockbench' AND state = 'idle in transaction' AND pid <> pg_backend_pid()",
      );
      expect(rows).toHaveLength(1);
      await db.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    } else {
      const { rows } = await db.query<{ id: number }>(
        'SELECT trx_mysql_thread_id AS id FROM information_schema.innodb_trx WHERE trx_mysql_thread_id <> CONNECTION_ID()',
      );
      expect(rows).toHaveLength(1);
      await db.query(`KILL CONNECTION ${Number(rows[0]?.id)}`);
    }
    const r = await pending;
    expect(r.statusCode).toBe(503);
    expect(r.headers[OUTCOME_HEADER]).toBe('error');
    expect(r.json()).toMatchObject({ outcome: 'error', reason: 'database_unavailable' });
    const again = await app.inject(json('/accounts/5/deposit', { amount: 5, opId: 'g2' }));
    expect(again.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/accounts/5' })).json().balance).toBe(1005);
    const stats = (await app.inject({ method: 'GET', url: '/stats' })).json() as ServerStats;
    expect(stats).toMatchObject({ operations: 2, ok: 1, error: 1, errors: { other: 1 } });
    expect(accountingErrors(stats)).toEqual([]);
  });

  it('a database that is not there at all gives 503s on every route', async () => {
    const port = await freePort();
    const url =
      dialect === 'postgres' ? `postgres://u:p@127.0.0.1:${port}/db` : `mysql://u:p@127.0.0.1:${port}/db`;
    const app = buildServer(
      parseServerOptions({ strategy: 'for-update', workload: 'account', dbUrl: url, schema: 'x' }),
    );
    apps.push(app);
    const op = await app.inject(json('/accounts/1/withdraw', { amount: 5, opId: 'n1' }));
    expect(op.statusCode).toBe(503);
    expect(op.json()).toMatchObject({ outcome: 'error', reason: 'database_unavailable', attempts: 1 });
    expect((await app.inject({ method: 'GET', url: '/accounts/1' })).statusCode).toBe(503);
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json().status).toBe('database_unavailable');
  });

  it('one process serves cell after cell: configure switches strategy and workload, quiesce ends every session', async () => {
    const app = buildServer(
      parseServerOptions({
        strategy: 'for-update',
        workload: 'account',
        dbUrl: spec.url,
        schema: spec.schema,
        pool: 3,
      }),
      {
        connectAtStart: true,
        checkSupport: async (strategy) =>
          strategy === 'skip-locked' ? { ok: false, reason: 'not here' } : { ok: true },
      },
    );
    apps.push(app);
    await app.ready();
    expect((await app.inject(json('/accounts/3/deposit', { amount: 7, opId: 'rc1' }))).statusCode).toBe(200);
    // A tickets route is not served while the process serves account.
    expect((await app.inject(json('/events/1/reservations', { opId: 'rc2' }))).statusCode).toBe(404);
    const sessions = async () => {
      const q =
        dialect === 'postgres'
          ? "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database()"
          : 'SELECT count(*) AS n FROM information_schema.processlist WHERE id <> CONNECTION_ID()';
      return Number((await db.query<{ n: number }>(q)).rows[0]?.n);
    };
    const before = await sessions();
    expect((await app.inject({ method: 'POST', url: '/admin/quiesce' })).statusCode).toBe(200);
    // The pool's 3 sessions are gone. The server side notices a closed connection a moment after
    // the client closes it, so look again for up to 5 s.
    let after = await sessions();
    for (let i = 0; i < 50 && after > before - 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await sessions();
    }
    expect(after).toBeLessThanOrEqual(before - 3);

    const refused = await app.inject(
      json('/admin/configure', { strategy: 'skip-locked', workload: 'tickets' }),
    );
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ error: 'unsupported' });
    expect(
      (await app.inject(json('/admin/configure', { strategy: 'nope', workload: 'tickets' }))).statusCode,
    ).toBe(400);

    const ok = await app.inject(
      json('/admin/configure', { strategy: 'atomic', workload: 'tickets', pool: 2 }),
    );
    expect(ok.statusCode).toBe(200);
    const health = (await app.inject({ method: 'GET', url: '/health' })).json();
    expect(health).toMatchObject({ strategy: 'atomic', workload: 'tickets' });
    const seat = await app.inject(json('/events/1/reservations', { opId: 'rc3' }));
    // Served (a seat, or sold out if earlier tests took event 1's seats), not an unknown route.
    expect(seat.statusCode).not.toBe(404);
    expect(seat.headers[OUTCOME_HEADER]).toMatch(/^(ok|rejected)$/);
    expect((await app.inject(json('/accounts/3/deposit', { amount: 7, opId: 'rc4' }))).statusCode).toBe(404);
    // Counters start again with the new configuration.
    const stats = (await app.inject({ method: 'GET', url: '/stats' })).json() as ServerStats;
    expect(stats).toMatchObject({ operations: 1 });
  });
});
