import { describe, expect, it } from 'vitest';
import { STRATEGY_NAMES } from '../../core/names.ts';
import { BUILTIN_WORKLOADS } from '../../workloads/registry.ts';

const WORKLOAD_NAMES = Object.keys(BUILTIN_WORKLOADS);

import { checkSupport, STRATEGY_REGISTRY } from '../../strategies/registry.ts';
import { atLeast, parseVersion } from '../../strategies/support.ts';

describe('versions', () => {
  it('parses the version strings servers report', () => {
    expect(parseVersion('10.11.19-MariaDB-0+deb12u1')).toEqual([10, 11, 19]);
    expect(parseVersion('18.4')).toEqual([18, 4, 0]);
    expect(parseVersion('8.0.36')).toEqual([8, 0, 36]);
    expect(parseVersion('weird')).toBeNull();
  });

  it('compares major.minor.patch numerically', () => {
    expect(atLeast('10.11.19-MariaDB', '10.6.0')).toBe(true);
    expect(atLeast('10.5.9-MariaDB', '10.6.0')).toBe(false);
    expect(atLeast('8.0.0', '8.0.1')).toBe(false);
    expect(atLeast('8.0.1', '8.0.1')).toBe(true);
    expect(atLeast('9.5', '10.0')).toBe(false);
  });
});

describe('registry', () => {
  it('has every strategy name, each under its own name', () => {
    expect(Object.keys(STRATEGY_REGISTRY).sort()).toEqual([...STRATEGY_NAMES].sort());
    for (const name of STRATEGY_NAMES) expect(STRATEGY_REGISTRY[name].name).toBe(name);
  });

  it('only naive disclaims safety, for every workload', () => {
    for (const name of STRATEGY_NAMES) {
      for (const w of WORKLOAD_NAMES) expect(STRATEGY_REGISTRY[name].claimsSafe(w)).toBe(name !== 'naive');
    }
  });

  it('supports everything on the servers the suite runs (PostgreSQL 18, MariaDB 10.11, MySQL 8.4)', () => {
    const servers = [
      { product: 'postgresql', version: '18.4' },
      { product: 'mariadb', version: '10.11.19-MariaDB-0+deb12u1' },
      { product: 'mysql', version: '8.4.3' },
    ] as const;
    for (const db of servers) {
      for (const name of STRATEGY_NAMES) {
        for (const w of WORKLOAD_NAMES) expect(checkSupport(name, db, w)).toEqual({ ok: true });
      }
    }
  });

  it('refuses SKIP LOCKED before MariaDB 10.6 and MySQL 8.0.1, NOWAIT before MariaDB 10.3, with a reason', () => {
    const old = checkSupport('skip-locked', { product: 'mariadb', version: '10.5.2-MariaDB' }, 'tickets');
    expect(old.ok).toBe(false);
    if (!old.ok) expect(old.reason).toMatch(/SKIP LOCKED needs MariaDB 10\.6\.0.*10\.5\.2/);
    expect(checkSupport('skip-locked', { product: 'mysql', version: '5.7.44' }, 'account').ok).toBe(false);
    expect(checkSupport('nowait', { product: 'mariadb', version: '10.2.44-MariaDB' }, 'account').ok).toBe(
      false,
    );
    expect(checkSupport('nowait', { product: 'mariadb', version: '10.3.0-MariaDB' }, 'account').ok).toBe(
      true,
    );
    expect(checkSupport('nowait', { product: 'mysql', version: '8.0.0' }, 'transfer').ok).toBe(false);
    expect(checkSupport('for-update', { product: 'mysql', version: '5.7.44' }, 'account').ok).toBe(true);
  });
});
