import { describe, expect, it } from 'vitest';
import { reconcileAcknowledged } from '../../bench/check/acknowledgements.ts';
import { MAX_EXAMPLES } from '../../core/violations.ts';

const ledger = (...ids: string[]) => new Set(ids);

describe('reconcileAcknowledged', () => {
  it('finds nothing when the ledger holds exactly the acknowledged ops', () => {
    const r = reconcileAcknowledged(ledger('a', 'b'), { acknowledged: ['a', 'b'], indeterminate: [] }, true);
    expect(r).toEqual({ acknowledgedLost: 0, indeterminate: 0, unacknowledgedApplied: 0, examples: [] });
  });

  it('counts each acknowledged op missing from the ledger, with an example naming it', () => {
    const r = reconcileAcknowledged(ledger('a'), { acknowledged: ['a', 'b', 'c'], indeterminate: [] }, false);
    expect(r.acknowledgedLost).toBe(2);
    expect(r.examples.map((e) => [e.kind, e.id])).toEqual([
      ['acknowledged-lost', 'b'],
      ['acknowledged-lost', 'c'],
    ]);
  });

  it('counts a duplicate acknowledgement once (an iterable is made a set)', () => {
    const r = reconcileAcknowledged(ledger(), { acknowledged: ['x', 'x', 'x'], indeterminate: [] }, false);
    expect(r.acknowledgedLost).toBe(1);
  });

  it('counts ledger rows the client never saw acknowledged as indeterminate, not as violations', () => {
    const r = reconcileAcknowledged(
      ledger('a', 'inflight', 'refused'),
      { acknowledged: ['a'], indeterminate: ['inflight', 'never-applied'] },
      false,
    );
    expect(r.indeterminate).toBe(2);
    expect(r.unacknowledgedApplied).toBe(0);
    expect(r.examples).toEqual([]);
  });

  it('strict mode: a row for an op that was neither acknowledged nor indeterminate is a violation', () => {
    const r = reconcileAcknowledged(
      ledger('a', 'inflight', 'refused'),
      { acknowledged: new Set(['a']), indeterminate: new Set(['inflight']) },
      true,
    );
    expect(r.indeterminate).toBe(2);
    expect(r.unacknowledgedApplied).toBe(1);
    expect(r.examples).toMatchObject([{ kind: 'unacknowledged-applied', id: 'refused' }]);
  });

  it('caps examples per kind but counts everything', () => {
    const acknowledged = Array.from({ length: 25 }, (_, i) => `op${i}`);
    const r = reconcileAcknowledged(ledger(), { acknowledged, indeterminate: [] }, false);
    expect(r.acknowledgedLost).toBe(25);
    expect(r.examples).toHaveLength(MAX_EXAMPLES);
  });
});
