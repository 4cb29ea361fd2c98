import type { Sql } from '../../core/connect.ts';
import type { Dialect } from '../../core/names.ts';
import { MAX_EXAMPLES, type ViolationExample } from '../../core/violations.ts';

/** Seats and events held against the ledger's reservations. */
export interface SeatFindings {
  /** Sum over events of max(0, ledger reservations - capacity). */
  oversold: number;
  /** Seats named by more than one ledger reservation. */
  doubleBooked: number;
  /** Events whose sold seats differ in number from their ledger reservations. */
  seatLedgerMismatches: number;
  /** Sold seats without a ledger reservation of that seat under the seat's op_id. */
  seatsWithoutLedger: number;
  examples: ViolationExample[];
}

/** Per-event figures, as read from the three small GROUP BY queries. */
export interface EventCounts {
  /** events.id -> capacity. */
  capacity: ReadonlyMap<number, number>;
  /** ledger event_id -> reservations (kind 'reserve'); a NULL event_id is keyed null. */
  reserved: ReadonlyMap<number | null, number>;
  /** seats event_id -> seats with status 'sold'. */
  sold: ReadonlyMap<number, number>;
}

/**
 * Oversold and sold-versus-ledger per event. A reservation for an event that has no row counts
 * against a capacity of 0.
 */
export function reconcileEvents(
  c: EventCounts,
): Pick<SeatFindings, 'oversold' | 'seatLedgerMismatches' | 'examples'> {
  const ids = new Set<number | null>([...c.capacity.keys(), ...c.reserved.keys(), ...c.sold.keys()]);
  const ordered = [...ids].sort((a, b) => (a ?? -Infinity) - (b ?? -Infinity));
  let oversold = 0;
  let seatLedgerMismatches = 0;
  const over: ViolationExample[] = [];
  const mismatch: ViolationExample[] = [];
  for (const id of ordered) {
    const capacity = id === null ? 0 : (c.capacity.get(id) ?? 0);
    const reserved = c.reserved.get(id) ?? 0;
    const sold = id === null ? 0 : (c.sold.get(id) ?? 0);
    const beyond = Math.max(0, reserved - capacity);
    const exampleId = id ?? 'null';
    if (beyond > 0) {
      oversold += beyond;
      if (over.length < MAX_EXAMPLES)
        over.push({
          kind: 'oversold',
          id: exampleId,
          expected: capacity,
          actual: reserved,
          note:
            id !== null && c.capacity.has(id) ? `${beyond} reservations beyond capacity` : 'event has no row',
        });
    }
    if (sold !== reserved) {
      seatLedgerMismatches++;
      if (mismatch.length < MAX_EXAMPLES)
        mismatch.push({
          kind: 'seat-ledger-mismatch',
          id: exampleId,
          expected: reserved,
          actual: sold,
          note: 'expected: reservations in the ledger; actual: seats with status sold',
        });
    }
  }
  return { oversold, seatLedgerMismatches, examples: [...over, ...mismatch] };
}

/**
 * A sold seat is accounted for when the ledger holds a reservation under the seat's op_id for
 * that very seat. op_id is the ledger's primary key, so the LEFT JOIN yields at most one row per seat.
 */
const unaccounted = `
  FROM seats s LEFT JOIN ledger l ON l.op_id = s.op_id
 WHERE s.status = 'sold'
   AND (l.op_id IS NULL OR l.kind <> 'reserve' OR l.seat_id IS NULL OR l.seat_id <> s.id)`;

const doubled = `FROM ledger WHERE kind = 'reserve' AND seat_id IS NOT NULL GROUP BY seat_id HAVING COUNT(*) > 1`;

const common = {
  capacity: 'SELECT id, capacity FROM events',
  reserved: `SELECT event_id, COUNT(*) AS n FROM ledger WHERE kind = 'reserve' GROUP BY event_id`,
  sold: `SELECT event_id, COUNT(*) AS n FROM seats WHERE status = 'sold' GROUP BY event_id`,
  doubleBooked: `SELECT COUNT(*) AS n FROM (SELECT seat_id ${doubled}) d`,
  unaccounted: `SELECT COUNT(*) AS n ${unaccounted}`,
  unaccountedExamples: `SELECT s.id, s.op_id, l.kind AS ledger_kind, l.seat_id AS ledger_seat ${unaccounted}
 ORDER BY s.id LIMIT ${MAX_EXAMPLES}`,
};

interface Statements extends Record<keyof typeof common, string> {
  /** Seats reserved more than once, with the opIds that claim them (comma-separated). */
  doubleBookedExamples: string;
}

const sql = {
  postgres: {
    ...common,
    doubleBookedExamples: `SELECT seat_id, COUNT(*) AS n, string_agg(op_id, ',' ORDER BY op_id) AS ops ${doubled}
 ORDER BY COUNT(*) DESC, seat_id LIMIT ${MAX_EXAMPLES}`,
  },
  mysql: {
    ...common,
    doubleBookedExamples: `SELECT seat_id, COUNT(*) AS n, GROUP_CONCAT(op_id ORDER BY op_id SEPARATOR ',') AS ops ${doubled}
 ORDER BY COUNT(*) DESC, seat_id LIMIT ${MAX_EXAMPLES}`,
  },
} satisfies Record<Dialect, Statements>;

type Count = string | number;

/** Five aggregate queries (events are few; only per-event counts cross the wire), then examples if needed. */
export async function checkSeats(db: Sql): Promise<SeatFindings> {
  const q = sql[db.dialect];
  const [cap, res, sold, dbl, una] = await Promise.all([
    db.query<{ id: number; capacity: Count }>(q.capacity),
    db.query<{ event_id: number | null; n: Count }>(q.reserved),
    db.query<{ event_id: number; n: Count }>(q.sold),
    db.query<{ n: Count }>(q.doubleBooked),
    db.query<{ n: Count }>(q.unaccounted),
  ]);
  const events = reconcileEvents({
    capacity: new Map(cap.rows.map((r) => [Number(r.id), Number(r.capacity)])),
    reserved: new Map(res.rows.map((r) => [r.event_id === null ? null : Number(r.event_id), Number(r.n)])),
    sold: new Map(sold.rows.map((r) => [Number(r.event_id), Number(r.n)])),
  });
  const doubleBooked = Number(dbl.rows[0]?.n ?? 0);
  const seatsWithoutLedger = Number(una.rows[0]?.n ?? 0);
  const examples = [...events.examples];
  if (doubleBooked > 0) {
    const r = await db.query<{ seat_id: number; n: Count; ops: string }>(q.doubleBookedExamples);
    for (const row of r.rows) {
      const ops = String(row.ops).split(',');
      const shown = ops.slice(0, 5).join(', ') + (ops.length > 5 ? ', ...' : '');
      examples.push({
        kind: 'double-booked',
        id: Number(row.seat_id),
        expected: 1,
        actual: Number(row.n),
        note: `reserved by ${shown}`,
      });
    }
  }
  if (seatsWithoutLedger > 0) {
    const r = await db.query<{
      id: number;
      op_id: string | null;
      ledger_kind: string | null;
      ledger_seat: number | null;
    }>(q.unaccountedExamples);
    for (const row of r.rows) {
      const note =
        row.op_id === null
          ? 'seat is sold but has no op_id'
          : row.ledger_kind === null
            ? `no ledger row for op ${row.op_id}`
            : row.ledger_kind !== 'reserve'
              ? `ledger row for op ${row.op_id} is a ${row.ledger_kind}`
              : `ledger row for op ${row.op_id} names seat ${row.ledger_seat ?? 'null'}`;
      examples.push({
        kind: 'seat-without-ledger',
        id: Number(row.id),
        expected: 'ledger reservation',
        actual: row.op_id,
        note,
      });
    }
  }
  return {
    oversold: events.oversold,
    doubleBooked,
    seatLedgerMismatches: events.seatLedgerMismatches,
    seatsWithoutLedger,
    examples,
  };
}
