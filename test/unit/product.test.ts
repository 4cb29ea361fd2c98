import { describe, expect, it } from 'vitest';
import { declinedLines } from '../../bench/console.ts';
import { STRATEGY_NAMES } from '../../core/names.ts';
import { identifyProduct } from '../../core/product.ts';
import { DatabaseInfo } from '../../core/result-schema.ts';
import { checkSupport } from '../../strategies/registry.ts';
import { BUILTIN_WORKLOADS } from '../../workloads/registry.ts';

const WORKLOAD_NAMES = Object.keys(BUILTIN_WORKLOADS);

describe('identifyProduct', () => {
  it('recognises CockroachDB by version(), with its own version rather than the PostgreSQL one it reports', () => {
    const banner = 'CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built 2023/09/27 01:53:43, go1.19.10)';
    expect(identifyProduct('postgres', { version: '13.0.0', banner })).toEqual({
      product: 'cockroachdb',
      version: '23.1.11',
    });
    expect(
      identifyProduct('postgres', {
        version: '13.0.0',
        banner: 'CockroachDB OSS v22.2.0 (aarch64-apple-darwin21.2)',
      }),
    ).toEqual({ product: 'cockroachdb', version: '22.2.0' });
  });

  it('recognises YugabyteDB by the -YB- part of server_version or version()', () => {
    expect(identifyProduct('postgres', { version: '11.2-YB-2.18.0.0-b0', banner: null })).toEqual({
      product: 'yugabytedb',
      version: '2.18.0.0-b0',
    });
    expect(
      identifyProduct('postgres', {
        version: '15.2',
        banner: 'PostgreSQL 15.2-YB-2.25.1.0-b381 on x86_64-pc-linux-gnu, compiled by clang version 17.0.6',
      }),
    ).toEqual({ product: 'yugabytedb', version: '2.25.1.0-b381' });
  });

  it('recognises TiDB by VERSION(), and leaves PostgreSQL, MySQL and MariaDB as they were', () => {
    expect(
      identifyProduct('mysql', { version: '8.0.11-TiDB-v7.5.1', banner: 'TiDB Server (Apache License 2.0)' }),
    ).toEqual({ product: 'tidb', version: '7.5.1' });
    expect(identifyProduct('mysql', { version: '5.7.25-TiDB-v5.2.4', banner: null })).toEqual({
      product: 'tidb',
      version: '5.2.4',
    });
    expect(
      identifyProduct('postgres', { version: '18.4', banner: 'PostgreSQL 18.4 on x86_64-pc-linux-gnu' }),
    ).toEqual({
      product: 'postgresql',
      version: '18.4',
    });
    expect(identifyProduct('mysql', { version: '10.11.19-MariaDB-0+deb12u1', banner: 'Debian 12' })).toEqual({
      product: 'mariadb',
      version: '10.11.19-MariaDB-0+deb12u1',
    });
    expect(identifyProduct('mysql', { version: '8.4.3', banner: 'MySQL Community Server - GPL' })).toEqual({
      product: 'mysql',
      version: '8.4.3',
    });
  });

  it('records every product in run.json', () => {
    for (const product of ['cockroachdb', 'yugabytedb', 'tidb'] as const) {
      const info = { id: 'x', product, version: '1.0', kind: 'external', address: 'h:1', settings: {} };
      expect(DatabaseInfo.safeParse(info).success).toBe(true);
    }
  });
});

describe('strategies on the distributed products', () => {
  const reason = (strategy: (typeof STRATEGY_NAMES)[number], product: string, version: string) => {
    const s = checkSupport(strategy, { product: product as DatabaseInfo['product'], version }, 'account');
    return s.ok ? null : s.reason;
  };

  it('decline advisory locks on CockroachDB, with the reason', () => {
    expect(reason('advisory', 'cockroachdb', '23.1.11')).toMatch(/CockroachDB 23\.1\.11: .*no-op stubs/);
    expect(reason('advisory', 'cockroachdb', '25.2.0')).not.toBeNull();
  });

  it('decline SKIP LOCKED before CockroachDB 23.1 and on TiDB, advisory before YugabyteDB 2.25 and TiDB 5.3', () => {
    expect(reason('skip-locked', 'cockroachdb', '22.2.0')).toMatch(
      /SKIP LOCKED arrived in CockroachDB 23\.1/,
    );
    expect(reason('skip-locked', 'cockroachdb', '23.1.11')).toBeNull();
    expect(reason('skip-locked', 'tidb', '7.5.1')).toMatch(/TiDB 7\.5\.1: .*SKIP LOCKED/);
    expect(reason('advisory', 'yugabytedb', '2.18.0.0-b0')).toMatch(/YugabyteDB 2\.25/);
    expect(reason('advisory', 'yugabytedb', '2.25.1.0-b381')).toBeNull();
    expect(reason('advisory', 'tidb', '5.2.4')).toMatch(/TiDB 5\.3/);
    expect(reason('advisory', 'tidb', '7.5.1')).toBeNull();
  });

  it('support every other strategy and workload there', () => {
    const declined: Record<string, string[]> = {
      cockroachdb: ['advisory'],
      yugabytedb: [],
      tidb: ['skip-locked'],
    };
    const current = { cockroachdb: '24.1.0', yugabytedb: '2.25.1.0-b381', tidb: '7.5.1' } as const;
    for (const [product, version] of Object.entries(current)) {
      for (const name of STRATEGY_NAMES) {
        for (const w of WORKLOAD_NAMES) {
          const s = checkSupport(name, { product: product as DatabaseInfo['product'], version }, w);
          expect(s.ok, `${name} ${w} on ${product}`).toBe(!declined[product]?.includes(name));
        }
      }
    }
  });
});

describe('the console, when a database is ready', () => {
  it('names what the product declines before any cell runs', () => {
    const lines = declinedLines(
      { product: 'cockroachdb', version: '23.1.11' },
      { strategy: ['for-update', 'advisory'], workload: ['account', 'tickets'] },
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^declines advisory on account: not on CockroachDB 23\.1\.11/);
    expect(
      declinedLines(
        { product: 'postgresql', version: '18.4' },
        { strategy: ['advisory'], workload: ['account'] },
      ),
    ).toEqual([]);
  });
});
