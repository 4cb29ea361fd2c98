import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES, PROFILES, resolveProfile, stagesFor } from '../../bench/load/profiles.ts';
import { isLockbenchError } from '../../core/errors.ts';

describe('contention profiles', () => {
  it('lists every profile with a description and its defaults', () => {
    expect(PROFILE_NAMES).toEqual(['hot', 'hot-set', 'zipf', 'uniform', 'spike', 'sellout']);
    for (const name of PROFILE_NAMES) expect(PROFILES[name].description.length).toBeGreaterThan(10);
    expect(PROFILES['hot-set'].defaults).toEqual({ size: 8, share: 0.9 });
    expect(PROFILES.zipf.defaults).toEqual({ theta: 0.99 });
    expect(PROFILES.spike.defaults).toMatchObject({ factor: 10, forSec: 3, keys: 'hot-set' });
    for (const name of PROFILE_NAMES) {
      expect(Object.keys(PROFILES[name].params).sort()).toEqual(Object.keys(PROFILES[name].defaults).sort());
    }
  });

  it('resolves defaults and string parameters from a command line', () => {
    expect(resolveProfile('zipf', { theta: '0.5' }).keys).toEqual({ kind: 'zipf', theta: 0.5 });
    expect(resolveProfile('hot-set').keys).toEqual({ kind: 'hot-set', size: 8, share: 0.9 });
    const spike = resolveProfile('spike', { keys: 'zipf', factor: 4 });
    expect(spike.keys).toEqual({ kind: 'zipf', theta: 0.99 });
    expect(spike.spike).toEqual({ atSec: null, forSec: 3, factor: 4 });
  });

  it('sellout seeds few seats on one hot event, for tickets only', () => {
    const p = resolveProfile('sellout', {}, 'tickets');
    expect(p.seed).toEqual({ events: 1, seatsPerEvent: 300 });
    expect(p.keys).toEqual({ kind: 'hot' });
    expect(() => resolveProfile('sellout', {}, 'account')).toThrow(/does not apply/);
  });

  it('refuses unknown names, unknown parameters and bad values as usage errors', () => {
    for (const bad of [
      () => resolveProfile('lukewarm'),
      () => resolveProfile('zipf', { thetta: 0.5 }),
      () => resolveProfile('zipf', { theta: 1.5 }),
      () => resolveProfile('hot-set', { size: 'many' }),
    ]) {
      try {
        bad();
        expect.unreachable();
      } catch (e) {
        expect(isLockbenchError(e) && e.code).toBe('LOCKBENCH_USAGE');
      }
    }
  });

  it('splits a run into stages: steady is one, a spike is centred unless placed', () => {
    expect(stagesFor(resolveProfile('hot'), 10)).toEqual([{ durationSec: 10, scale: 1, label: 'steady' }]);
    expect(stagesFor(resolveProfile('spike'), 9)).toEqual([
      { durationSec: 3, scale: 1, label: 'before' },
      { durationSec: 3, scale: 10, label: 'spike' },
      { durationSec: 3, scale: 1, label: 'after' },
    ]);
    expect(stagesFor(resolveProfile('spike', { atSec: 0, forSec: 2, factor: 5 }), 5)).toEqual([
      { durationSec: 2, scale: 5, label: 'spike' },
      { durationSec: 3, scale: 1, label: 'after' },
    ]);
    // A spike longer than the run is clipped to it.
    expect(stagesFor(resolveProfile('spike', { forSec: 30 }), 4)).toEqual([
      { durationSec: 4, scale: 10, label: 'spike' },
    ]);
  });
});
