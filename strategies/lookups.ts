import type { Dialect } from '../core/names.ts';
import type { Session } from './pool.ts';

/**
 * Plain reads shared by the strategies: telling "no such row" from "busy" or "sold out" after an
 * empty locking read, and the GET routes' views. None of them locks anything.
 */
interface Statements {
  accountExists: string;
  eventExists: string;
  freeSeatExists: string;
  account: string;
  event: string;
}

const sql = {
  postgres: {
    accountExists: 'SELECT 1 AS x FROM accounts WHERE id = $1',
    eventExists: 'SELECT 1 AS x FROM events WHERE id = $1',
    freeSeatExists: "SELECT 1 AS x FROM seats WHERE event_id = $1 AND status = 'free' LIMIT 1",
    account: 'SELECT id, balance, version FROM accounts WHERE id = $1',
    event:
      "SELECT e.id, e.capacity, (SELECT count(*) FROM seats s WHERE s.event_id = e.id AND s.status = 'free') AS free FROM events e WHERE e.id = $1",
  },
  mysql: {
    accountExists: 'SELECT 1 AS x FROM accounts WHERE id = ?',
    eventExists: 'SELECT 1 AS x FROM events WHERE id = ?',
    freeSeatExists: "SELECT 1 AS x FROM seats WHERE event_id = ? AND status = 'free' LIMIT 1",
    account: 'SELECT id, balance, version FROM accounts WHERE id = ?',
    event:
      "SELECT e.id, e.capacity, (SELECT count(*) FROM seats s WHERE s.event_id = e.id AND s.status = 'free') AS free FROM events e WHERE e.id = ?",
  },
} satisfies Record<Dialect, Statements>;

async function exists(s: Session, text: string, id: number): Promise<boolean> {
  return (await s.query(text, [id])).rows.length > 0;
}

export const accountExists = (s: Session, id: number) => exists(s, sql[s.dialect].accountExists, id);
export const eventExists = (s: Session, id: number) => exists(s, sql[s.dialect].eventExists, id);
export const freeSeatExists = (s: Session, eventId: number) =>
  exists(s, sql[s.dialect].freeSeatExists, eventId);

/** `GET /accounts/:id`. Balance in cents. */
export interface AccountView {
  id: number;
  balance: number;
  version: number;
}

/** `GET /events/:id`. */
export interface EventView {
  id: number;
  capacity: number;
  /** Seats not sold. */
  free: number;
  /** capacity - free. */
  sold: number;
}

export async function readAccount(s: Session, id: number): Promise<AccountView | null> {
  const row = (await s.query<Record<string, unknown>>(sql[s.dialect].account, [id])).rows[0];
  return row ? { id: Number(row.id), balance: Number(row.balance), version: Number(row.version) } : null;
}

export async function readEvent(s: Session, id: number): Promise<EventView | null> {
  const row = (await s.query<Record<string, unknown>>(sql[s.dialect].event, [id])).rows[0];
  if (!row) return null;
  const capacity = Number(row.capacity);
  const free = Number(row.free);
  return { id: Number(row.id), capacity, free, sold: capacity - free };
}
