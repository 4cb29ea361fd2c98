import { describe, expect, it } from 'vitest';
import { cellStatus } from '../../bench/check/cell-status.ts';
import { notChecked } from '../../bench/check/check-run.ts';
import { Correctness } from '../../core/result-schema.ts';
import {
  countViolations,
  MAX_EXAMPLES,
  pickExamples,
  type ViolationExample,
  ZERO_TALLY,
} from '../../core/violations.ts';

describe('countViolations', () => {
  it('is zero for a clean tally', () => {
    expect(countViolations(ZERO_TALLY)).toBe(0);
  });

  it('sums every kind, and a nonzero drift counts once whatever its size or sign', () => {
    const tally = {
      lostUpdates: 3,
      negativeBalances: 2,
      moneyDrift: -12_345,
      oversold: 5,
      doubleBooked: 7,
      acknowledgedLost: 11,
      seatLedgerMismatches: 13,
      seatsWithoutLedger: 17,
      unacknowledgedApplied: 19,
    };
    expect(countViolations(tally)).toBe(3 + 2 + 1 + 5 + 7 + 11 + 13 + 17 + 19);
    expect(countViolations({ ...tally, moneyDrift: 1 })).toBe(countViolations(tally));
    expect(countViolations({ ...tally, moneyDrift: 0 })).toBe(countViolations(tally) - 1);
  });

  it('counts each kind alone', () => {
    for (const key of Object.keys(ZERO_TALLY) as (keyof typeof ZERO_TALLY)[]) {
      expect(countViolations({ ...ZERO_TALLY, [key]: 4 }), key).toBe(key === 'moneyDrift' ? 1 : 4);
    }
  });
});

const ex = (kind: string, id: number): ViolationExample => ({ kind, id, expected: 0, actual: 1 });

describe('pickExamples', () => {
  it('keeps at most MAX_EXAMPLES', () => {
    const many = Array.from({ length: 50 }, (_, i) => ex('lost-update', i));
    expect(pickExamples(many)).toHaveLength(MAX_EXAMPLES);
    expect(pickExamples(many).map((e) => e.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('gives every kind a turn, worst kind first, so a flood of one kind hides no other', () => {
    const candidates = [
      ...Array.from({ length: 30 }, (_, i) => ex('lost-update', i)),
      ex('negative-balance', 100),
      ex('acknowledged-lost', 200),
      ex('acknowledged-lost', 201),
    ];
    const picked = pickExamples(candidates);
    expect(picked).toHaveLength(10);
    expect(picked.slice(0, 3).map((e) => e.kind)).toEqual([
      'acknowledged-lost',
      'lost-update',
      'negative-balance',
    ]);
    expect(picked.filter((e) => e.kind === 'acknowledged-lost')).toHaveLength(2);
    expect(picked.filter((e) => e.kind === 'negative-balance')).toHaveLength(1);
    expect(picked.filter((e) => e.kind === 'lost-update')).toHaveLength(7);
  });

  it('keeps kinds it does not know, after the known ones', () => {
    const picked = pickExamples([ex('something-new', 1), ex('oversold', 2)]);
    expect(picked.map((e) => e.kind)).toEqual(['oversold', 'something-new']);
  });

  it('returns nothing for nothing', () => {
    expect(pickExamples([])).toEqual([]);
  });
});

describe('cellStatus', () => {
  const clean = notChecked(true);

  it('is unsafe only when the strategy claims safety and a violation was found', () => {
    expect(cellStatus({ ...clean, checked: true, claimsSafe: true, violations: 1, lostUpdates: 1 })).toBe(
      'unsafe',
    );
    expect(cellStatus({ ...clean, checked: true, claimsSafe: true, violations: 0 })).toBe('ok');
  });

  it('reports a non-claiming strategy (naive) as ok: its anomalies are the expected finding', () => {
    expect(
      cellStatus({ ...clean, checked: true, claimsSafe: false, violations: 500, lostUpdates: 500 }),
    ).toBe('ok');
  });

  it('reports an acknowledged operation missing from the ledger as unsafe, whatever the claim', () => {
    expect(
      cellStatus({ ...clean, checked: true, claimsSafe: false, violations: 1, acknowledgedLost: 1 }),
    ).toBe('unsafe');
  });
});

describe('notChecked', () => {
  it('fills the Correctness schema exactly', () => {
    const c = notChecked(false);
    expect(Correctness.parse(c)).toEqual(c);
    expect(c.checked).toBe(false);
  });
});
