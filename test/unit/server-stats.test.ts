import { describe, expect, it } from 'vitest';
import { accountingErrors, emptyStats, StatsCounter, sumStats } from '../../servers/stats.ts';
import { OperationFailed } from '../../strategies/executor.ts';
import type { OperationResult } from '../../strategies/outcome.ts';

const result = (r: Partial<OperationResult> & Pick<OperationResult, 'outcome'>): OperationResult => ({
  attempts: 1,
  conflicts: [],
  rechecks: 0,
  ...r,
});

/** A worker's worth of traffic, covering every outcome. */
function traffic(c: StatsCounter): void {
  c.record(result({ outcome: { kind: 'ok', balance: 10 } }));
  c.record(result({ outcome: { kind: 'ok', duplicate: true } }));
  c.record(
    result({
      outcome: { kind: 'ok', seatId: 3 },
      attempts: 3,
      conflicts: ['lock-not-available', 'row-busy'],
      rechecks: 2,
    }),
  );
  c.record(
    result({
      outcome: { kind: 'rejected', reason: 'insufficient_funds' },
      attempts: 2,
      conflicts: ['deadlock'],
    }),
  );
  c.record(
    result({
      outcome: { kind: 'conflict', reason: 'serialization' },
      attempts: 3,
      conflicts: ['serialization', 'serialization', 'serialization'],
    }),
  );
  c.record(
    result({
      outcome: { kind: 'error', reason: 'database_unavailable' },
      attempts: 2,
      conflicts: ['lock-timeout'],
      failedWith: 'connection',
    }),
  );
  c.recordFailure(
    new OperationFailed('bug', { cause: null, attempts: 1, conflicts: [], errorClass: 'other' }),
  );
  c.record(result({ outcome: { kind: 'not_found', entity: 'account', id: 9 } }));
  c.badRequest();
}

describe('StatsCounter', () => {
  it('counts by outcome, attempts and conflict class, and its counters add up', () => {
    const c = new StatsCounter();
    traffic(c);
    const s = c.snapshot();
    expect(s).toMatchObject({
      operations: 7,
      ok: 3,
      rejected: 1,
      conflict: 1,
      error: 2,
      badRequest: 2,
      attempts: 13,
      retried: 4,
      attemptsHistogram: { '1': 3, '2': 2, '3': 2 },
      errors: { deadlock: 1, serialization: 3, lockNotAvailable: 1, lockTimeout: 1, other: 2 },
      duplicates: 1,
      rechecks: 2,
      workers: 1,
    });
    expect(s.conflicts).toMatchObject({ 'row-busy': 1, serialization: 3, 'version-conflict': 0 });
    expect(accountingErrors(s)).toEqual([]);
  });

  it('snapshots are copies, and reset zeroes everything', () => {
    const c = new StatsCounter();
    traffic(c);
    const before = c.snapshot();
    before.attemptsHistogram['1'] = 999;
    expect(c.snapshot().attemptsHistogram['1']).toBe(3);
    c.reset();
    expect(c.snapshot()).toEqual(emptyStats());
  });
});

describe('sumStats', () => {
  it('adds workers field by field and still satisfies the rule', () => {
    const a = new StatsCounter();
    const b = new StatsCounter();
    traffic(a);
    traffic(b);
    b.record(
      result({
        outcome: { kind: 'ok' },
        attempts: 5,
        conflicts: ['version-conflict', 'version-conflict', 'version-conflict', 'version-conflict'],
      }),
    );
    const s = sumStats([a.snapshot(), b.snapshot()]);
    expect(s.workers).toBe(2);
    expect(s.operations).toBe(15);
    expect(s.attemptsHistogram).toEqual({ '1': 6, '2': 4, '3': 4, '5': 1 });
    expect(s.conflicts?.['version-conflict']).toBe(4);
    expect(accountingErrors(s)).toEqual([]);
  });
});

describe('accountingErrors', () => {
  it('catches each broken equation', () => {
    const c = new StatsCounter();
    traffic(c);
    const good = c.snapshot();
    expect(accountingErrors({ ...good, ok: good.ok + 1 })).toEqual([expect.stringContaining('operations')]);
    expect(accountingErrors({ ...good, attempts: good.attempts + 1 }).join()).toMatch(/attempts/);
    expect(accountingErrors({ ...good, retried: 0 }).join()).toMatch(/retried/);
    expect(accountingErrors({ ...good, errors: { ...good.errors, deadlock: 0 } }).join()).toMatch(
      /errors.deadlock/,
    );
    expect(accountingErrors({ ...good, conflicts: { ...good.conflicts, recheck: 1 } }).join()).toMatch(
      /sum\(conflicts\)/,
    );
    expect(accountingErrors({ ...good, errors: { ...good.errors, other: 0 } }).join()).toMatch(
      /errors.other/,
    );
  });
});
