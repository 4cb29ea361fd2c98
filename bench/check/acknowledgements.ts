import type { Sql } from '../../core/connect.ts';
import type { Dialect } from '../../core/names.ts';
import { MAX_EXAMPLES, type ViolationExample } from '../../core/violations.ts';
import { asSet, type ClientView } from './client-view.ts';

/** What the client saw, held against the ledger. */
export interface AcknowledgementFindings {
  /** Acknowledged opIds with no ledger row: the server said "applied" and the row is not there. */
  acknowledgedLost: number;
  /** Ledger rows whose opId the client never saw acknowledged. Not violations. */
  indeterminate: number;
  /** Strict mode: the subset of `indeterminate` that is not in the client's indeterminate set either. */
  unacknowledgedApplied: number;
  /** At most MAX_EXAMPLES of each kind. */
  examples: ViolationExample[];
}

/**
 * Rule for ledger rows the client did not see acknowledged: all of them count in `indeterminate`
 * (Jepsen: an operation whose outcome is unknown may or may not be applied). Most are in the
 * client's indeterminate set (in flight at the end, timed out). The rest were answered with a
 * refusal or an error and applied anyway; whether that is a fault depends on whether the driver
 * files every ambiguous failure (a reset connection, a 5xx after COMMIT) as indeterminate. Only
 * a caller that does passes `strict`, and then each such row is an `unacknowledged-applied`
 * violation. The ledger's primary key on op_id makes "in the ledger more than once" impossible,
 * so "exactly once" reduces to "present".
 */
export function reconcileAcknowledged(
  ledgerIds: ReadonlySet<string>,
  client: ClientView,
  strict: boolean,
): AcknowledgementFindings {
  const acknowledged = asSet(client.acknowledged);
  const unseen = strict ? asSet(client.indeterminate) : new Set<string>();
  const examples: ViolationExample[] = [];
  let acknowledgedLost = 0;
  for (const id of acknowledged) {
    if (ledgerIds.has(id)) continue;
    acknowledgedLost++;
    if (acknowledgedLost <= MAX_EXAMPLES) {
      examples.push({
        kind: 'acknowledged-lost',
        id,
        expected: 'ledger row',
        actual: null,
        note: 'the client got a 2xx for this opId; no ledger row holds it',
      });
    }
  }
  let indeterminate = 0;
  let unacknowledgedApplied = 0;
  for (const id of ledgerIds) {
    if (acknowledged.has(id)) continue;
    indeterminate++;
    if (!strict || unseen.has(id)) continue;
    unacknowledgedApplied++;
    if (unacknowledgedApplied <= MAX_EXAMPLES) {
      examples.push({
        kind: 'unacknowledged-applied',
        id,
        expected: null,
        actual: 'ledger row',
        note: 'applied, but the client saw neither a 2xx nor an unknown outcome',
      });
    }
  }
  return { acknowledgedLost, indeterminate, unacknowledgedApplied, examples };
}

/** Rows per page when reading the ledger's opIds. */
export const LEDGER_PAGE = 50_000;

const sql = {
  postgres: { page: 'SELECT op_id FROM ledger WHERE op_id > $1 ORDER BY op_id LIMIT $2' },
  mysql: { page: 'SELECT op_id FROM ledger WHERE op_id > ? ORDER BY op_id LIMIT ?' },
} satisfies Record<Dialect, { page: string }>;

/**
 * Every opId in the ledger, read in primary-key order one page at a time (keyset pagination:
 * each page is an index range scan, and no single result set holds the whole ledger). The
 * comparison `op_id > last` uses the column's own collation, the same one ORDER BY uses, so
 * pages neither overlap nor skip.
 */
export async function readLedgerOpIds(db: Sql, pageSize = LEDGER_PAGE): Promise<Set<string>> {
  const ids = new Set<string>();
  let last = '';
  for (;;) {
    const { rows } = await db.query<{ op_id: string }>(sql[db.dialect].page, [last, pageSize]);
    for (const r of rows) ids.add(r.op_id);
    const tail = rows.at(-1);
    if (rows.length < pageSize || tail === undefined) return ids;
    last = tail.op_id;
  }
}

/** Reads the ledger and reconciles it with what the client saw. */
export async function checkAcknowledgements(
  db: Sql,
  client: ClientView,
  strict: boolean,
  pageSize = LEDGER_PAGE,
): Promise<AcknowledgementFindings> {
  return reconcileAcknowledged(await readLedgerOpIds(db, pageSize), client, strict);
}
