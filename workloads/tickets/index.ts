import type { Sql } from '../../core/connect.ts';
import type { Dialect } from '../../core/names.ts';
import { recordLedger } from '../../strategies/ledger.ts';
import { eventExists, freeSeatExists } from '../../strategies/lookups.ts';
import type { AttemptOutcome } from '../../strategies/outcome.ts';
import type { Session } from '../../strategies/pool.ts';
import type { AttemptContext } from '../../strategies/strategy.ts';
import { simulateWork } from '../../strategies/strategy.ts';
import { inTransaction } from '../../strategies/transaction.ts';
import { insertRows } from '../account/accounts.ts';
import { idParams, opIdBody, pathId } from '../http-schemas.ts';
import { guarded, type LockingRead, lockingRead, MAX_RECHECKS, rmwPerform } from '../rmw.ts';
import type { SeedSizes } from '../seed-sizes.ts';
import type { Attempt, Finding, WorkloadModule } from '../workload.ts';
import { checkSeats } from './seats.ts';

/** Takes any one free seat of an event. */
export interface ReserveOp {
  kind: 'reserve';
  eventId: number;
  opId: string;
}

/**
 * events(id, capacity); seats(id, event_id, status 'free'|'sold', op_id, version): seat ids are
 * global; the (event_id, status, id) index keeps InnoDB's locking reads from taking gap locks over
 * the whole table (InnoDB locking reads on a non-unique index take next-key locks).
 */
const tables = {
  postgres: () => [
    'CREATE TABLE IF NOT EXISTS events (id INT PRIMARY KEY, capacity INT NOT NULL)',
    'CREATE TABLE IF NOT EXISTS seats (id INT PRIMARY KEY, event_id INT NOT NULL, status VARCHAR(8) NOT NULL, op_id VARCHAR(64) NULL, version BIGINT NOT NULL DEFAULT 0)',
    'CREATE INDEX IF NOT EXISTS seats_event_status ON seats (event_id, status, id)',
  ],
  mysql: () => [
    'CREATE TABLE IF NOT EXISTS events (id INT PRIMARY KEY, capacity INT NOT NULL) ENGINE=InnoDB',
    'CREATE TABLE IF NOT EXISTS seats (id INT PRIMARY KEY, event_id INT NOT NULL, status VARCHAR(8) NOT NULL, op_id VARCHAR(64) NULL, version BIGINT NOT NULL DEFAULT 0, INDEX seats_event_status (event_id, status, id)) ENGINE=InnoDB',
  ],
} satisfies Record<Dialect, () => string[]>;

interface Statements {
  freeSeat: string;
  sellSeat: string;
  readFreeSeat: string;
  casSeat: string;
  takeSeat: string;
  shape: string;
  putBack: string;
}

/**
 * atomic: PostgreSQL `UPDATE seats ... WHERE id = (SELECT ... LIMIT 1 FOR UPDATE SKIP LOCKED)`:
 * the subquery's result is not re-evaluated when the UPDATE waits, so a plain subquery would make
 * every concurrent buyer aim at the same seat; SKIP LOCKED gives each one a seat nobody holds.
 * MySQL/MariaDB cannot UPDATE a table it selects from in a subquery (1093), but an UPDATE takes
 * ORDER BY ... LIMIT 1. `id = LAST_INSERT_ID(id)` hands the chosen seat id back in the OK packet,
 * which saves a read-back (seats.op_id has no index).
 */
const sql = {
  postgres: {
    freeSeat: "SELECT id FROM seats WHERE event_id = $1 AND status = 'free' ORDER BY id LIMIT 1",
    sellSeat: "UPDATE seats SET status = 'sold', op_id = $1, version = version + 1 WHERE id = $2",
    readFreeSeat: "SELECT id, version FROM seats WHERE event_id = $1 AND status = 'free' ORDER BY id LIMIT 1",
    casSeat:
      "UPDATE seats SET status = 'sold', op_id = $1, version = version + 1 WHERE id = $2 AND version = $3",
    takeSeat:
      "UPDATE seats SET status = 'sold', op_id = $1, version = version + 1 WHERE id = (SELECT id FROM seats WHERE event_id = $2 AND status = 'free' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id",
    shape:
      'SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT SUM(capacity) FROM events) AS capacity, (SELECT COUNT(*) FROM seats) AS seats, (SELECT MAX(id) FROM seats) AS top',
    putBack:
      "UPDATE seats SET status = 'free', op_id = NULL, version = 0 WHERE status <> 'free' OR op_id IS NOT NULL OR version <> 0",
  },
  mysql: {
    freeSeat: "SELECT id FROM seats WHERE event_id = ? AND status = 'free' ORDER BY id LIMIT 1",
    sellSeat: "UPDATE seats SET status = 'sold', op_id = ?, version = version + 1 WHERE id = ?",
    readFreeSeat: "SELECT id, version FROM seats WHERE event_id = ? AND status = 'free' ORDER BY id LIMIT 1",
    casSeat:
      "UPDATE seats SET status = 'sold', op_id = ?, version = version + 1 WHERE id = ? AND version = ?",
    takeSeat:
      "UPDATE seats SET status = 'sold', op_id = ?, version = version + 1, id = LAST_INSERT_ID(id) WHERE event_id = ? AND status = 'free' ORDER BY id LIMIT 1",
    shape:
      'SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT SUM(capacity) FROM events) AS capacity, (SELECT COUNT(*) FROM seats) AS seats, (SELECT MAX(id) FROM seats) AS top',
    putBack:
      "UPDATE seats SET status = 'free', op_id = NULL, version = 0 WHERE status <> 'free' OR op_id IS NOT NULL OR version <> 0",
  },
} satisfies Record<Dialect, Statements>;

/** Events 1..events with seatsPerEvent seats each, all free. */
async function reset(db: Sql, sizes: SeedSizes): Promise<'reset' | 'seeded'> {
  const q = sql[db.dialect];
  const seats = sizes.events * sizes.seatsPerEvent;
  const r = (await db.query<Record<string, unknown>>(q.shape)).rows[0] ?? {};
  if (
    Number(r.events) === sizes.events &&
    Number(r.capacity ?? 0) === seats &&
    Number(r.seats) === seats &&
    Number(r.top ?? 0) === seats
  ) {
    await db.query(q.putBack);
    return 'reset';
  }
  await db.query('TRUNCATE TABLE seats');
  await db.query('TRUNCATE TABLE events');
  const eventRows: number[][] = [];
  const seatRows: (number | string)[][] = [];
  for (let e = 1; e <= sizes.events; e++) {
    eventRows.push([e, sizes.seatsPerEvent]);
    for (let s = 1; s <= sizes.seatsPerEvent; s++)
      seatRows.push([(e - 1) * sizes.seatsPerEvent + s, e, 'free']);
  }
  await insertRows(db, 'events', ['id', 'capacity'], eventRows);
  await insertRows(db, 'seats', ['id', 'event_id', 'status'], seatRows);
  if (db.dialect === 'postgres') await db.query('ANALYZE seats');
  return 'seeded';
}

type Read = { found: true; value: number } | { found: false; outcome: AttemptOutcome };

/**
 * The lowest free seat with the strategy's read. PostgreSQL READ COMMITTED: a buyer that waited
 * for a seat someone else then sold re-checks the row, drops it, and may come back with no row
 * while seats remain: it re-reads instead of reporting sold out.
 */
async function readFreeSeat(
  s: Session,
  read: LockingRead,
  eventId: number,
  ctx: AttemptContext,
): Promise<Read> {
  const empty = read.empty[s.dialect];
  for (let rechecks = 0; ; rechecks++) {
    const row = (await s.query<{ id: unknown }>(read.sql[s.dialect], [eventId])).rows[0];
    if (row) return { found: true, value: Number(row.id) };
    if (empty !== 'absent' && (await freeSeatExists(s, eventId))) {
      if (empty === 'skipped') return { found: false, outcome: { kind: 'retry', reason: 'row-busy' } };
      if (rechecks >= MAX_RECHECKS) return { found: false, outcome: { kind: 'retry', reason: 'recheck' } };
      ctx.recheck();
      continue;
    }
    const outcome: AttemptOutcome = (await eventExists(s, eventId))
      ? { kind: 'rejected', reason: 'sold_out' }
      : { kind: 'not_found', entity: 'event', id: eventId };
    return { found: false, outcome };
  }
}

const ledgerRow = (op: ReserveOp, seatId: number) => ({
  opId: op.opId,
  kind: 'reserve',
  eventId: op.eventId,
  seatId,
  amount: 0,
});

const optimistic: Attempt<ReserveOp> = (s, op, ctx) =>
  inTransaction(s, ctx.begin, async () => {
    const row = (await s.query<{ id: unknown; version: unknown }>(sql[s.dialect].readFreeSeat, [op.eventId]))
      .rows[0];
    if (!row) {
      return (await eventExists(s, op.eventId))
        ? { kind: 'rejected', reason: 'sold_out' }
        : { kind: 'not_found', entity: 'event', id: op.eventId };
    }
    const seatId = Number(row.id);
    await simulateWork(ctx.settings.workMs);
    const cas = await s.query(sql[s.dialect].casSeat, [op.opId, seatId, Number(row.version)]);
    if (cas.changed !== 1) return { kind: 'retry', reason: 'version-conflict' };
    await recordLedger(s, ledgerRow(op, seatId));
    return { kind: 'ok', seatId };
  });

const atomic: Attempt<ReserveOp> = (s, op, ctx) =>
  inTransaction(s, ctx.begin, async () => {
    await simulateWork(ctx.settings.workMs);
    const r = await s.query<{ id: unknown }>(sql[s.dialect].takeSeat, [op.opId, op.eventId]);
    if (r.changed !== 1) {
      if (!(await eventExists(s, op.eventId))) return { kind: 'not_found', entity: 'event', id: op.eventId };
      // PostgreSQL: every free seat may be held by another buyer right now.
      if (s.dialect === 'postgres' && (await freeSeatExists(s, op.eventId)))
        return { kind: 'retry', reason: 'row-busy' };
      return { kind: 'rejected', reason: 'sold_out' };
    }
    const seatId = s.dialect === 'postgres' ? Number(r.rows[0]?.id) : r.insertId;
    await recordLedger(s, ledgerRow(op, seatId));
    return { kind: 'ok', seatId };
  });

/** No seat reserved twice, no event beyond capacity, sold seats match the ledger's reservations. */
async function check(db: Sql): Promise<Finding[]> {
  const f = await checkSeats(db);
  const of = (kind: string) => f.examples.filter((e) => e.kind === kind);
  return [
    {
      kind: 'double-booked',
      count: f.doubleBooked,
      words: ['double-booked seat', 'double-booked seats'],
      examples: of('double-booked'),
    },
    {
      kind: 'oversold',
      count: f.oversold,
      words: ['oversold seat', 'oversold seats'],
      examples: of('oversold'),
    },
    {
      kind: 'seat-ledger-mismatch',
      count: f.seatLedgerMismatches,
      words: [
        'event whose sold seats differ from its reservations',
        'events whose sold seats differ from their reservations',
      ],
      examples: of('seat-ledger-mismatch'),
    },
    {
      kind: 'seat-without-ledger',
      count: f.seatsWithoutLedger,
      words: ['sold seat without its reservation', 'sold seats without their reservations'],
      examples: of('seat-without-ledger'),
    },
  ];
}

export const tickets: WorkloadModule<ReserveOp> = {
  name: 'tickets',
  description: 'many buyers reserve any free seat of an event; the oversell case',
  defaultProfile: 'hot',
  tables,
  reset,
  operations: {
    reserve: {
      url: '/events/:id/reservations',
      params: idParams,
      body: opIdBody,
      toOp(params, b) {
        const eventId = pathId(params);
        if (typeof eventId !== 'number') return eventId;
        return { kind: 'reserve', eventId, opId: b.opId as string };
      },
    },
  },
  requests(ctx) {
    const keys = ctx.keys(ctx.sizes.events);
    return {
      next() {
        const event = keys.next();
        if (ctx.mix.readShare > 0 && ctx.random() < ctx.mix.readShare)
          return { method: 'GET', path: `/events/${event}`, body: undefined, op: null };
        const id = ctx.opId();
        return {
          method: 'POST',
          path: `/events/${event}/reservations`,
          body: `{"opId":"${id}"}`,
          op: { kind: 'reserve', eventId: event, opId: id },
        };
      },
    };
  },
  perform: {
    ...rmwPerform<ReserveOp>((strategy) => {
      const read = lockingRead(strategy, { postgres: sql.postgres.freeSeat, mysql: sql.mysql.freeSeat });
      return (s, op, ctx) =>
        guarded(read, s, [{ space: 'event', id: op.eventId }], ctx, async () => {
          const seat = await readFreeSeat(s, read, op.eventId, ctx);
          if (!seat.found) return seat.outcome;
          await simulateWork(ctx.settings.workMs);
          // Nothing is read back: queued to go out with the ledger row and the COMMIT.
          await s.queryLater(sql[s.dialect].sellSeat, [op.opId, seat.value]);
          await recordLedger(s, ledgerRow(op, seat.value));
          return { kind: 'ok', seatId: seat.value };
        });
    }),
    optimistic,
    atomic,
  },
  identity: (op) => ({ opId: op.opId, kind: 'reserve', eventId: op.eventId, amount: 0 }),
  check: (db) => check(db),
};
