import { type ConnectionSpec, openSql, type Sql } from '../../core/connect.ts';
import type { Correctness } from '../../core/result-schema.ts';
import {
  countViolations,
  pickExamples,
  type ViolationExample,
  type ViolationTally,
  ZERO_TALLY,
} from '../../core/violations.ts';
import { getWorkload } from '../../workloads/catalog.ts';
import { FindingsShape } from '../../workloads/load-module.ts';
import { readSeed } from '../../workloads/schema.ts';
import type { Finding } from '../../workloads/workload.ts';
import { checkAcknowledgements } from './acknowledgements.ts';
import type { ClientView } from './client-view.ts';

/** Everything the checks need besides the database. */
export interface CheckInput extends ClientView {
  /** The workload whose invariants apply (workloads/catalog.ts). */
  workload: string;
  /** Whether the strategy claims to keep this workload's invariants; copied into the result. */
  claimsSafe: boolean;
  /**
   * Default false. When true, a ledger row for an opId that is neither acknowledged nor
   * indeterminate (the client saw it refused or failed) is a violation; see reconcileAcknowledged.
   */
  strict?: boolean;
}

/** Finding kinds the result schema has a field for (the built-in account and tickets invariants). */
const TALLY_FIELD: Readonly<Record<string, keyof ViolationTally>> = {
  'lost-update': 'lostUpdates',
  'negative-balance': 'negativeBalances',
  'money-drift': 'moneyDrift',
  oversold: 'oversold',
  'double-booked': 'doubleBooked',
  'seat-ledger-mismatch': 'seatLedgerMismatches',
  'seat-without-ledger': 'seatsWithoutLedger',
};

/**
 * Checks the database after a run against the ledger and against what the client saw. Call it
 * with the server stopped: a write landing during the check would be counted half.
 *
 * Every workload: each acknowledged opId must have its ledger row. Then the workload's own
 * invariants (its `check`): account and transfer balances, tickets seats, queue jobs, a user
 * module's. Kinds the result schema names fill their fields; any other kind is listed in
 * `findings` with its words. Both count in `violations`.
 *
 * Violations are returned as data. Exceptions mean the check itself could not run (database
 * unreachable, schema not seeded, a workload check that returned the wrong shape).
 */
export async function checkRun(db: Sql | ConnectionSpec, input: CheckInput): Promise<Correctness> {
  if (!('query' in db)) {
    const sql = await openSql(db);
    try {
      return await checkRun(sql, input);
    } finally {
      await sql.close();
    }
  }
  const seed = await readSeed(db);
  const workload = getWorkload(input.workload);
  const [acks, raw] = await Promise.all([
    checkAcknowledgements(db, input, input.strict ?? false),
    workload.check(db, { sizes: seed }),
  ]);
  const parsed = FindingsShape.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `workload ${input.workload}: check() must return [{ kind, count, words: [one, many], examples? }]: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(result)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  const findings: readonly Finding[] = parsed.data;
  const tally: ViolationTally = {
    ...ZERO_TALLY,
    acknowledgedLost: acks.acknowledgedLost,
    unacknowledgedApplied: acks.unacknowledgedApplied,
  };
  let lostAmount = 0;
  const own: NonNullable<Correctness['findings']> = [];
  const examples: ViolationExample[] = [...acks.examples];
  for (const f of findings) {
    const field = TALLY_FIELD[f.kind];
    if (field === 'moneyDrift') tally.moneyDrift = f.amount ?? 0;
    else if (field) tally[field] += f.count;
    else own.push({ kind: f.kind, count: f.count, words: [f.words[0], f.words[1]] });
    if (f.kind === 'lost-update') lostAmount += f.amount ?? 0;
    for (const e of f.examples ?? []) examples.push({ kind: f.kind, ...e });
  }
  const ownViolations = own.reduce((sum, f) => sum + f.count, 0);
  const result: Correctness = {
    checked: true,
    claimsSafe: input.claimsSafe,
    violations: countViolations(tally) + ownViolations,
    lostUpdates: tally.lostUpdates,
    lostAmount,
    oversold: tally.oversold,
    doubleBooked: tally.doubleBooked,
    negativeBalances: tally.negativeBalances,
    acknowledgedLost: tally.acknowledgedLost,
    moneyDrift: tally.moneyDrift,
    indeterminate: acks.indeterminate,
    examples: pickExamples(examples),
  };
  if (own.length > 0) result.findings = own;
  return result;
}

/** The result for a cell whose check did not run (the run failed first, or was unsupported). */
export function notChecked(claimsSafe: boolean): Correctness {
  return {
    checked: false,
    claimsSafe,
    violations: 0,
    lostUpdates: 0,
    lostAmount: 0,
    oversold: 0,
    doubleBooked: 0,
    negativeBalances: 0,
    acknowledgedLost: 0,
    moneyDrift: 0,
    indeterminate: 0,
    examples: [],
  };
}
