import type { DatabaseInfo } from '../core/result-schema.ts';

/** What a strategy needs to know about a database to say whether it can run there. */
export type DbFacts = Pick<DatabaseInfo, 'product' | 'version'>;

/** `reason` is one line a user can act on (what is missing, which version has it). */
export type Support = { ok: true } | { ok: false; reason: string };

export const SUPPORTED: Support = Object.freeze({ ok: true });

/** Minimum versions per product; a product left out has no minimum. */
export type MinVersions = Partial<Record<DbFacts['product'], string>>;

/** "10.11.19-MariaDB-0+deb12u1" -> [10, 11, 19]; "18.4" -> [18, 4, 0]; unparseable -> null. */
export function parseVersion(version: string): [number, number, number] | null {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** version >= min, comparing major.minor.patch. An unparseable version is assumed new enough. */
export function atLeast(version: string, min: string): boolean {
  const v = parseVersion(version);
  const m = parseVersion(min);
  if (!v || !m) return true;
  for (let i = 0; i < 3; i++) {
    if ((v[i] as number) !== (m[i] as number)) return (v[i] as number) > (m[i] as number);
  }
  return true;
}

export const PRODUCT_NAMES: Record<DbFacts['product'], string> = {
  postgresql: 'PostgreSQL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  cockroachdb: 'CockroachDB',
  yugabytedb: 'YugabyteDB',
  tidb: 'TiDB',
};

/** Support for a SQL feature that arrived in a given version of each product. */
export function requireVersions(db: DbFacts, feature: string, mins: MinVersions): Support {
  const min = mins[db.product];
  if (min === undefined || atLeast(db.version, min)) return SUPPORTED;
  return {
    ok: false,
    reason: `${feature} needs ${PRODUCT_NAMES[db.product]} ${min} or later; this server is ${db.version}`,
  };
}
