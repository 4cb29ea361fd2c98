import type { Dialect } from './names.ts';
import type { DatabaseInfo } from './result-schema.ts';

/**
 * Which product answers on a dialect's wire protocol, and its own version, from the strings it
 * reports. CockroachDB and YugabyteDB speak PostgreSQL's protocol, TiDB MySQL's; each reports a
 * PostgreSQL- or MySQL-compatible version first and its own after it:
 *
 *   CockroachDB  version()         CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built ..., go1.19.10)
 *   YugabyteDB   server_version    11.2-YB-2.18.0.0-b0   (version(): PostgreSQL 11.2-YB-2.18.0.0-b0 on ...)
 *   TiDB         VERSION()         8.0.11-TiDB-v7.5.1
 *   MariaDB      VERSION()         10.11.19-MariaDB-0+deb12u1
 */
export interface ProductFacts {
  product: DatabaseInfo['product'];
  /** The product's own version (CockroachDB 23.1.11, not the PostgreSQL 13.0.0 it emulates). */
  version: string;
}

export interface VersionStrings {
  /** PostgreSQL: `server_version`; MySQL family: `VERSION()`. */
  version: string;
  /** PostgreSQL: `version()`; MySQL family: `@@version_comment`. */
  banner?: string | null;
}

export function identifyProduct(dialect: Dialect, s: VersionStrings): ProductFacts {
  const banner = s.banner ?? '';
  if (dialect === 'postgres') {
    const crdb = /CockroachDB\b.*?\bv?(\d+\.\d+(?:\.\d+)?[\w.-]*)/i.exec(banner);
    if (crdb) return { product: 'cockroachdb', version: crdb[1] as string };
    const yb = /-YB-(\d+\.\d+(?:\.\d+)*(?:-[\w.]+)?)/.exec(`${s.version} ${banner}`);
    if (yb) return { product: 'yugabytedb', version: yb[1] as string };
    return { product: 'postgresql', version: s.version };
  }
  const tidb = /TiDB-v?(\d+\.\d+(?:\.\d+)?[\w.-]*)/i.exec(`${s.version} ${banner}`);
  if (tidb) return { product: 'tidb', version: tidb[1] as string };
  return { product: /mariadb/i.test(`${s.version} ${banner}`) ? 'mariadb' : 'mysql', version: s.version };
}
