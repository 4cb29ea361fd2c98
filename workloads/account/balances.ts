import type { Sql } from '../../core/connect.ts';
import type { Dialect } from '../../core/names.ts';
import { MAX_EXAMPLES, type ViolationExample } from '../../core/violations.ts';
import type { SeedSizes } from '../seed-sizes.ts';

/** Account balances held against the ledger. Money in cents. */
export interface BalanceFindings {
  /** Accounts whose balance differs from initialBalance + the ledger's deltas for it. */
  lostUpdates: number;
  /** Sum of |balance - expected| over those accounts, in cents. */
  lostAmount: number;
  negativeBalances: number;
  /** total balance now - (accounts x initialBalance + net deposits), in cents; 0 when correct. */
  moneyDrift: number;
  examples: ViolationExample[];
}

/**
 * The ledger's effect on each account, by the schema's rule: deposit/withdraw rows carry the
 * signed delta on account_id; a transfer row moves `amount` from account_id to
 * counter_account_id. `reconciled` pairs each account with the balance the ledger implies.
 */
const reconciled = (initial: string) => `
WITH moves AS (
  SELECT account_id AS id, CASE WHEN kind = 'transfer' THEN -amount ELSE amount END AS d
    FROM ledger WHERE kind IN ('deposit', 'withdraw', 'transfer') AND account_id IS NOT NULL
  UNION ALL
  SELECT counter_account_id AS id, amount AS d
    FROM ledger WHERE kind = 'transfer' AND counter_account_id IS NOT NULL
),
per_account AS (SELECT id, SUM(d) AS d FROM moves GROUP BY id),
reconciled AS (
  SELECT a.id, a.balance, ${initial} + COALESCE(p.d, 0) AS expected
    FROM accounts a LEFT JOIN per_account p ON p.id = a.id
)`;

/**
 * One pass for the counts; the example queries run only when there is something to show.
 * Net deposits are a scalar subquery so that drift needs no second round trip.
 */
const statements = (initial: string) => ({
  summary: `${reconciled(initial)}
SELECT COUNT(*) AS accounts,
       COALESCE(SUM(balance), 0) AS total,
       COALESCE(SUM(CASE WHEN balance <> expected THEN 1 ELSE 0 END), 0) AS mismatched,
       COALESCE(SUM(ABS(balance - expected)), 0) AS lost_amount,
       COALESCE(SUM(CASE WHEN balance < 0 THEN 1 ELSE 0 END), 0) AS negative,
       (SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE kind IN ('deposit', 'withdraw')) AS net_deposits
  FROM reconciled`,
  mismatched: `${reconciled(initial)}
SELECT id, balance, expected FROM reconciled WHERE balance <> expected
 ORDER BY ABS(balance - expected) DESC, id LIMIT ${MAX_EXAMPLES}`,
  negative: `SELECT id, balance FROM accounts WHERE balance < 0 ORDER BY balance, id LIMIT ${MAX_EXAMPLES}`,
});

type Statements = ReturnType<typeof statements>;

const sql = {
  postgres: statements('$1::bigint'),
  mysql: statements('?'),
} satisfies Record<Dialect, Statements>;

interface SummaryRow {
  accounts: string | number;
  total: string | number;
  mismatched: string | number;
  lost_amount: string | number;
  negative: string | number;
  net_deposits: string | number;
}

/**
 * Checks every account against the ledger, and the total against the seed. Counts come from SQL
 * aggregates (the ledger may hold hundreds of thousands of rows; only sums cross the wire).
 */
export async function checkBalances(db: Sql, seed: SeedSizes): Promise<BalanceFindings> {
  const q = sql[db.dialect];
  const params = [seed.initialBalance];
  const { rows } = await db.query<SummaryRow>(q.summary, params);
  const s = rows[0];
  if (s === undefined) throw new Error('balance summary returned no row');
  const total = Number(s.total);
  const netDeposits = Number(s.net_deposits);
  const expectedTotal = seed.accounts * seed.initialBalance + netDeposits;
  const moneyDrift = total - expectedTotal;
  const lostUpdates = Number(s.mismatched);
  const negativeBalances = Number(s.negative);
  const examples: ViolationExample[] = [];
  if (moneyDrift !== 0) {
    examples.push({
      kind: 'money-drift',
      id: 'total',
      expected: expectedTotal,
      actual: total,
      note: `${seed.accounts} accounts x ${seed.initialBalance} + net deposits ${netDeposits}; ${Number(s.accounts)} account rows now`,
    });
  }
  if (lostUpdates > 0) {
    const r = await db.query<{ id: number; balance: string | number; expected: string | number }>(
      q.mismatched,
      params,
    );
    for (const row of r.rows) {
      const diff = Number(row.balance) - Number(row.expected);
      examples.push({
        kind: 'lost-update',
        id: Number(row.id),
        expected: Number(row.expected),
        actual: Number(row.balance),
        note: `balance ${diff > 0 ? '+' : ''}${diff} against initial + ledger`,
      });
    }
  }
  if (negativeBalances > 0) {
    const r = await db.query<{ id: number; balance: string | number }>(q.negative);
    for (const row of r.rows) {
      examples.push({
        kind: 'negative-balance',
        id: Number(row.id),
        expected: '>= 0',
        actual: Number(row.balance),
      });
    }
  }
  return { lostUpdates, lostAmount: Number(s.lost_amount), negativeBalances, moneyDrift, examples };
}
