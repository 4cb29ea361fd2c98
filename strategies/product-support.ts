import { atLeast, type DbFacts, PRODUCT_NAMES, SUPPORTED, type Support } from './support.ts';

/**
 * What the distributed SQL products that speak PostgreSQL's or MySQL's protocol lack, for the
 * strategies that need it. Each rule gives the reason a plan shows before anything runs.
 *
 * - CockroachDB: its pg_advisory_* functions were no-op stubs that return at once without
 *   locking (cockroach#13546, documented as unsupported); transaction-level ones are recent
 *   (cockroach#168353) and not verified here, so `advisory` is declined on every version.
 *   SKIP LOCKED arrived in 23.1 (cockroach#85720; 21.1's docs: "does not support ... the SKIP
 *   LOCKED wait policy").
 * - YugabyteDB: advisory locks arrived in 2.25 (yugabyte-db#3642); before, the functions are
 *   missing.
 * - TiDB: GET_LOCK/RELEASE_LOCK since 5.3 (its "locking functions" page); SKIP LOCKED is parsed
 *   but not implemented as a lock wait policy (it is absent from TiDB's supported lock types).
 */
export type ProductFeature = 'advisory' | 'skip-locked';

interface Rule {
  /** The first version that has the feature; null: none has it (as far as checked). */
  since: string | null;
  why: string;
}

const RULES: Partial<Record<DbFacts['product'], Partial<Record<ProductFeature, Rule>>>> = {
  cockroachdb: {
    advisory: {
      since: null,
      why: 'its pg_advisory_* functions were no-op stubs that never block (cockroach#13546); the advisory strategy would not lock at all',
    },
    'skip-locked': { since: '23.1.0', why: 'FOR UPDATE SKIP LOCKED arrived in CockroachDB 23.1' },
  },
  yugabytedb: {
    advisory: { since: '2.25.0', why: 'advisory locks arrived in YugabyteDB 2.25 (yugabyte-db#3642)' },
  },
  tidb: {
    advisory: { since: '5.3.0', why: 'GET_LOCK and RELEASE_LOCK arrived in TiDB 5.3' },
    'skip-locked': {
      since: null,
      why: 'TiDB parses FOR UPDATE SKIP LOCKED but does not implement it as a wait policy',
    },
  },
};

/** Whether this product (at this version) has what the feature needs; the reason if not. */
export function productSupports(db: DbFacts, feature: ProductFeature): Support {
  const rule = RULES[db.product]?.[feature];
  if (!rule || (rule.since !== null && atLeast(db.version, rule.since))) return SUPPORTED;
  return { ok: false, reason: `not on ${PRODUCT_NAMES[db.product]} ${db.version}: ${rule.why}` };
}

/** The first refusal, or SUPPORTED. */
export function allOf(...checks: Support[]): Support {
  return checks.find((c) => !c.ok) ?? SUPPORTED;
}
