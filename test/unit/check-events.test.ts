import { describe, expect, it } from 'vitest';
import { reconcileEvents } from '../../workloads/tickets/seats.ts';

const counts = (
  capacity: [number, number][],
  reserved: [number | null, number][],
  sold: [number, number][],
) => ({
  capacity: new Map(capacity),
  reserved: new Map(reserved),
  sold: new Map(sold),
});

describe('reconcileEvents', () => {
  it('passes events whose sold seats match their reservations within capacity', () => {
    const r = reconcileEvents(
      counts(
        [
          [1, 10],
          [2, 10],
        ],
        [
          [1, 10],
          [2, 3],
        ],
        [
          [1, 10],
          [2, 3],
        ],
      ),
    );
    expect(r).toEqual({ oversold: 0, seatLedgerMismatches: 0, examples: [] });
  });

  it('sums reservations beyond capacity over events', () => {
    const r = reconcileEvents(
      counts(
        [
          [1, 10],
          [2, 5],
          [3, 5],
        ],
        [
          [1, 12],
          [2, 8],
          [3, 5],
        ],
        [
          [1, 12],
          [2, 8],
          [3, 5],
        ],
      ),
    );
    expect(r.oversold).toBe(2 + 3);
    expect(r.seatLedgerMismatches).toBe(0);
    expect(r.examples).toEqual([
      { kind: 'oversold', id: 1, expected: 10, actual: 12, note: '2 reservations beyond capacity' },
      { kind: 'oversold', id: 2, expected: 5, actual: 8, note: '3 reservations beyond capacity' },
    ]);
  });

  it('counts one mismatch per event whose sold seats differ from its reservations, either way', () => {
    const r = reconcileEvents(
      counts(
        [
          [1, 10],
          [2, 10],
          [3, 10],
        ],
        [
          [1, 4],
          [2, 6],
        ],
        [
          [1, 5],
          [2, 5],
          [3, 1],
        ],
      ),
    );
    expect(r.oversold).toBe(0);
    expect(r.seatLedgerMismatches).toBe(3);
    expect(r.examples.map((e) => [e.id, e.expected, e.actual])).toEqual([
      [1, 4, 5],
      [2, 6, 5],
      [3, 0, 1],
    ]);
  });

  it('holds reservations for an event that has no row against a capacity of 0', () => {
    const r = reconcileEvents(
      counts(
        [[1, 10]],
        [
          [9, 2],
          [null, 1],
        ],
        [],
      ),
    );
    expect(r.oversold).toBe(3);
    expect(r.seatLedgerMismatches).toBe(2);
    expect(r.examples.filter((e) => e.kind === 'oversold').map((e) => [e.id, e.note])).toEqual([
      ['null', 'event has no row'],
      [9, 'event has no row'],
    ]);
  });
});
