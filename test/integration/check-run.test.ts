import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readLedgerOpIds } from '../../bench/check/acknowledgements.ts';
import { cellStatus } from '../../bench/check/cell-status.ts';
import { type CheckInput, checkRun } from '../../bench/check/check-run.ts';
import { openSql, type Sql } from '../../core/connect.ts';
import type { Dialect } from '../../core/names.ts';
import { Correctness } from '../../core/result-schema.ts';
import { resetAndSeed, type SeedSizes } from '../../workloads/schema.ts';
import { specFor } from '../helpers/db.ts';

/** Small enough to reset in a few ms; event 1 holds seats 1..5, event 2 seats 6..10. */
const SIZES: SeedSizes = { accounts: 5, initialBalance: 1000, events: 2, seatsPerEvent: 5 };

const schemas = { postgres: 't_check_pg', mysql: 't_check_my' } as const satisfies Record<Dialect, string>;

describe.each(['postgres', 'mysql'] as const)('checkRun on %s', (dialect) => {
  const spec = specFor(dialect, schemas[dialect]);
  let db: Sql;

  /** Runs a statement written with `?` placeholders on either dialect. */
  const exec = (text: string, params: unknown[] = []) => {
    let i = 0;
    return db.query(dialect === 'postgres' ? text.replace(/\?/g, () => `$${++i}`) : text, params);
  };

  // Legitimate operations: the change and its ledger row, as a correct strategy writes them.
  const deposit = async (opId: string, account: number, amount: number) => {
    await exec('UPDATE accounts SET balance = balance + ? WHERE id = ?', [amount, account]);
    await exec(`INSERT INTO ledger (op_id, kind, account_id, amount) VALUES (?, 'deposit', ?, ?)`, [
      opId,
      account,
      amount,
    ]);
  };
  const withdraw = async (opId: string, account: number, amount: number) => {
    await exec('UPDATE accounts SET balance = balance - ? WHERE id = ?', [amount, account]);
    await exec(`INSERT INTO ledger (op_id, kind, account_id, amount) VALUES (?, 'withdraw', ?, ?)`, [
      opId,
      account,
      -amount,
    ]);
  };
  const transferLedger = (opId: string, from: number, to: number, amount: number) =>
    exec(
      `INSERT INTO ledger (op_id, kind, account_id, counter_account_id, amount) VALUES (?, 'transfer', ?, ?, ?)`,
      [opId, from, to, amount],
    );
  const transfer = async (opId: string, from: number, to: number, amount: number) => {
    await exec('UPDATE accounts SET balance = balance - ? WHERE id = ?', [amount, from]);
    await exec('UPDATE accounts SET balance = balance + ? WHERE id = ?', [amount, to]);
    await transferLedger(opId, from, to, amount);
  };
  const reserveLedger = (opId: string, event: number, seat: number) =>
    exec(`INSERT INTO ledger (op_id, kind, event_id, seat_id) VALUES (?, 'reserve', ?, ?)`, [
      opId,
      event,
      seat,
    ]);
  const sellSeat = (opId: string, seat: number) =>
    exec(`UPDATE seats SET status = 'sold', op_id = ?, version = version + 1 WHERE id = ?`, [opId, seat]);
  const reserve = async (opId: string, event: number, seat: number) => {
    await sellSeat(opId, seat);
    await reserveLedger(opId, event, seat);
  };

  const input = (
    workload: CheckInput['workload'],
    acknowledged: string[],
    more: Partial<CheckInput> = {},
  ) => ({
    workload,
    claimsSafe: true,
    acknowledged,
    indeterminate: [],
    ...more,
  });

  /** The result must fill the schema exactly, whatever it found. */
  const check = async (i: CheckInput) => {
    const c = await checkRun(db, i);
    expect(Correctness.parse(c)).toEqual(c);
    return c;
  };

  beforeAll(async () => {
    await resetAndSeed(spec, SIZES);
    db = await openSql(spec);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await resetAndSeed(spec, SIZES);
  });

  describe('a clean state passes with 0 violations', () => {
    it('account', async () => {
      await deposit('d1', 1, 250);
      await withdraw('w1', 1, 100);
      await withdraw('w2', 2, 1000);
      const c = await check(input('account', ['d1', 'w1', 'w2']));
      expect(c).toEqual({
        checked: true,
        claimsSafe: true,
        violations: 0,
        lostUpdates: 0,
        lostAmount: 0,
        oversold: 0,
        doubleBooked: 0,
        negativeBalances: 0,
        acknowledgedLost: 0,
        moneyDrift: 0,
        indeterminate: 0,
        examples: [],
      });
      expect(cellStatus(c)).toBe('ok');
    });

    it('transfer', async () => {
      await transfer('t1', 1, 2, 300);
      await transfer('t2', 2, 3, 1300);
      await transfer('t3', 3, 1, 50);
      const c = await check(input('transfer', ['t1', 't2', 't3']));
      expect(c.violations).toBe(0);
      expect(c.moneyDrift).toBe(0);
      expect(c.examples).toEqual([]);
    });

    it('tickets, up to a sold-out event', async () => {
      for (let seat = 1; seat <= 5; seat++) await reserve(`r${seat}`, 1, seat);
      await reserve('r9', 2, 9);
      const c = await check(input('tickets', ['r1', 'r2', 'r3', 'r4', 'r5', 'r9']));
      expect(c.violations).toBe(0);
      expect(c.examples).toEqual([]);
    });
  });

  it('finds lost updates: a balance changed without its ledger row, and a deposit the balance lacks', async () => {
    await deposit('d1', 1, 100);
    // A second deposit on account 1 recorded but overwritten (the naive read-modify-write).
    await exec(`INSERT INTO ledger (op_id, kind, account_id, amount) VALUES ('d2', 'deposit', 1, 40)`);
    // Account 3 changed outside any operation.
    await exec('UPDATE accounts SET balance = balance + 7 WHERE id = 3');
    const c = await check(input('account', ['d1', 'd2']));
    expect(c.lostUpdates).toBe(2);
    expect(c.lostAmount).toBe(47);
    expect(c.moneyDrift).toBe(7 - 40);
    expect(c.negativeBalances).toBe(0);
    expect(c.violations).toBe(2 + 1);
    expect(c.examples).toEqual([
      expect.objectContaining({
        kind: 'money-drift',
        id: 'total',
        expected: 5 * 1000 + 140,
        actual: 5 * 1000 + 107,
      }),
      {
        kind: 'lost-update',
        id: 1,
        expected: 1140,
        actual: 1100,
        note: 'balance -40 against initial + ledger',
      },
      {
        kind: 'lost-update',
        id: 3,
        expected: 1000,
        actual: 1007,
        note: 'balance +7 against initial + ledger',
      },
    ]);
    expect(cellStatus(c)).toBe('unsafe');
    expect(cellStatus({ ...c, claimsSafe: false })).toBe('ok');
  });

  it('finds a negative balance even when the ledger agrees with it', async () => {
    await withdraw('w1', 4, 1500);
    const c = await check(input('account', ['w1']));
    expect(c.negativeBalances).toBe(1);
    expect(c.lostUpdates).toBe(0);
    expect(c.moneyDrift).toBe(0);
    expect(c.violations).toBe(1);
    expect(c.examples).toEqual([{ kind: 'negative-balance', id: 4, expected: '>= 0', actual: -500 }]);
  });

  it('finds money created in a transfer (credit applied, debit lost)', async () => {
    await transfer('t1', 1, 2, 100);
    await exec('UPDATE accounts SET balance = balance + 250 WHERE id = 4');
    await transferLedger('t2', 3, 4, 250);
    const c = await check(input('transfer', ['t1', 't2']));
    expect(c.moneyDrift).toBe(250);
    expect(c.lostUpdates).toBe(1);
    expect(c.lostAmount).toBe(250);
    expect(c.violations).toBe(2);
    expect(c.examples.map((e) => [e.kind, e.id, e.expected, e.actual])).toEqual([
      ['money-drift', 'total', 5000, 5250],
      ['lost-update', 3, 750, 1000],
    ]);
  });

  it('finds a seat sold twice: two ledger reservations of one seat', async () => {
    await reserve('r1', 1, 2);
    await reserve('r2', 1, 2); // the second buyer overwrote the seat's op_id
    const c = await check(input('tickets', ['r1', 'r2']));
    expect(c.doubleBooked).toBe(1);
    expect(c.oversold).toBe(0);
    // + one seat-ledger mismatch on event 1: 2 reservations, 1 sold seat.
    expect(c.violations).toBe(2);
    expect(c.examples).toEqual([
      { kind: 'double-booked', id: 2, expected: 1, actual: 2, note: 'reserved by r1, r2' },
      {
        kind: 'seat-ledger-mismatch',
        id: 1,
        expected: 2,
        actual: 1,
        note: 'expected: reservations in the ledger; actual: seats with status sold',
      },
    ]);
  });

  it('finds an event sold beyond capacity', async () => {
    for (let seat = 1; seat <= 5; seat++) await reserve(`r${seat}`, 1, seat);
    await reserve('late1', 1, 3);
    await reserve('late2', 1, 4);
    await reserve('late3', 1, 4);
    const acknowledged = ['r1', 'r2', 'r3', 'r4', 'r5', 'late1', 'late2', 'late3'];
    const c = await check(input('tickets', acknowledged));
    expect(c.oversold).toBe(3);
    expect(c.doubleBooked).toBe(2);
    expect(c.violations).toBe(3 + 2 + 1);
    expect(c.examples).toContainEqual({
      kind: 'double-booked',
      id: 4,
      expected: 1,
      actual: 3,
      note: 'reserved by late2, late3, r4',
    });
    expect(c.examples).toContainEqual({
      kind: 'oversold',
      id: 1,
      expected: 5,
      actual: 8,
      note: '3 reservations beyond capacity',
    });
  });

  it('finds sold seats without their ledger reservation', async () => {
    await reserve('r1', 2, 6);
    await sellSeat('ghost', 7);
    await exec(`UPDATE seats SET status = 'sold' WHERE id = 8`);
    await sellSeat('r1', 9); // r1's ledger row names seat 6
    await deposit('dep', 1, 5);
    await sellSeat('dep', 10); // a ledger row, but not a reservation
    const c = await check(input('tickets', ['r1', 'dep']));
    // Four seats, and event 2's sold count (5) against its ledger reservations (1).
    expect(c.violations).toBe(4 + 1);
    expect(c.doubleBooked).toBe(0);
    expect(c.oversold).toBe(0);
    const seat = (id: number, actual: string | null, note: string) => ({
      kind: 'seat-without-ledger',
      id,
      expected: 'ledger reservation',
      actual,
      note,
    });
    expect(c.examples).toEqual([
      expect.objectContaining({ kind: 'seat-ledger-mismatch', id: 2, expected: 1, actual: 5 }),
      seat(7, 'ghost', 'no ledger row for op ghost'),
      seat(8, null, 'seat is sold but has no op_id'),
      seat(9, 'r1', 'ledger row for op r1 names seat 6'),
      seat(10, 'dep', 'ledger row for op dep is a deposit'),
    ]);
  });

  it.each(['account', 'transfer', 'tickets'] as const)(
    'finds an acknowledged op missing from the ledger (%s)',
    async (workload) => {
      const c = await check(input(workload, ['ack-missing']));
      expect(c.acknowledgedLost).toBe(1);
      expect(c.violations).toBe(1);
      expect(c.examples).toEqual([
        expect.objectContaining({ kind: 'acknowledged-lost', id: 'ack-missing', actual: null }),
      ]);
    },
  );

  it('counts applied operations the client never saw acknowledged as indeterminate, not violations', async () => {
    await deposit('d1', 1, 10);
    await deposit('lost-in-flight', 2, 20);
    await withdraw('timed-out', 3, 30);
    const c = await check(
      input('account', ['d1'], { indeterminate: ['lost-in-flight', 'timed-out', 'not-applied'] }),
    );
    expect(c.indeterminate).toBe(2);
    expect(c.violations).toBe(0);
    expect(cellStatus(c)).toBe('ok');
  });

  it('strict mode: an applied op the client saw refused is a violation; an indeterminate one is not', async () => {
    await reserve('r1', 1, 1);
    await reserve('in-flight', 1, 2);
    await reserve('said-409', 1, 3);
    const view = { indeterminate: new Set(['in-flight']) };
    const lax = await check(input('tickets', ['r1'], view));
    expect([lax.indeterminate, lax.violations]).toEqual([2, 0]);
    const strict = await check(input('tickets', ['r1'], { ...view, strict: true }));
    expect([strict.indeterminate, strict.violations]).toEqual([2, 1]);
    expect(strict.examples).toEqual([
      expect.objectContaining({ kind: 'unacknowledged-applied', id: 'said-409' }),
    ]);
  });

  it('reads every ledger opId exactly once across page boundaries', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `op-${String(i).padStart(2, '0')}`);
    for (const id of ids) await deposit(id, 1, 1);
    for (const page of [1, 3, 5, 12, 13, 50_000]) {
      const read = await readLedgerOpIds(db, page);
      expect([...read].sort(), `page ${page}`).toEqual(ids);
    }
  });

  it('opens and closes its own pool when given a ConnectionSpec', async () => {
    await deposit('d1', 1, 10);
    const c = await checkRun(spec, {
      workload: 'account',
      claimsSafe: false,
      acknowledged: ['d1'],
      indeterminate: [],
    });
    expect([c.checked, c.claimsSafe, c.violations]).toEqual([true, false, 0]);
  });
});
