import type { Workload } from '../../strategies/names.ts';
import { type ConnectionSpec, openSql, type Sql } from '../databases/connect.ts';
import { readSeed } from '../databases/schema.ts';
import type { Correctness } from '../result-schema.ts';
import { checkAcknowledgements } from './acknowledgements.ts';
import { type BalanceFindings, checkBalances } from './balances.ts';
import type { ClientView } from './client-view.ts';
import { checkSeats, type SeatFindings } from './seats.ts';
import { countViolations, pickExamples } from './violations.ts';

/** Everything the checks need besides the database. */
export interface CheckInput extends ClientView {
  /** Decides which invariants apply: balances (account, transfer) or seats (tickets). */
  workload: Workload;
  /** Whether the strategy claims to keep this workload's invariants; copied into the result. */
  claimsSafe: boolean;
  /**
   * Default false. When true, a ledger row for an opId that is neither acknowledged nor
   * indeterminate (the client saw it refused or failed) is a violation; see reconcileAcknowledged.
   */
  strict?: boolean;
}

const NO_BALANCE_CHECK: BalanceFindings = {
  lostUpdates: 0,
  lostAmount: 0,
  negativeBalances: 0,
  moneyDrift: 0,
  examples: [],
};
const NO_SEAT_CHECK: SeatFindings = {
  oversold: 0,
  doubleBooked: 0,
  seatLedgerMismatches: 0,
  seatsWithoutLedger: 0,
  examples: [],
};

/**
 * Checks the database after a run against the ledger and against what the client saw. Call it
 * with the server stopped: a write landing during the check would be counted half.
 *
 * Every workload: each acknowledged opId must have its ledger row. account and transfer: each
 * balance equals initialBalance + the ledger's deltas for the account, none is negative, and the
 * total equals the seeded total + net deposits (transfers move money, never make it). tickets:
 * no seat reserved twice, no event beyond capacity, sold seats per event equal the ledger's
 * reservations, every sold seat has its ledger row.
 *
 * Violations are returned as data. Exceptions mean the check itself could not run (database
 * unreachable, schema not seeded).
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
  const onAccounts = input.workload === 'account' || input.workload === 'transfer';
  const [acks, balances, seats] = await Promise.all([
    checkAcknowledgements(db, input, input.strict ?? false),
    onAccounts ? checkBalances(db, seed) : NO_BALANCE_CHECK,
    input.workload === 'tickets' ? checkSeats(db) : NO_SEAT_CHECK,
  ]);
  const violations = countViolations({
    lostUpdates: balances.lostUpdates,
    negativeBalances: balances.negativeBalances,
    moneyDrift: balances.moneyDrift,
    oversold: seats.oversold,
    doubleBooked: seats.doubleBooked,
    acknowledgedLost: acks.acknowledgedLost,
    seatLedgerMismatches: seats.seatLedgerMismatches,
    seatsWithoutLedger: seats.seatsWithoutLedger,
    unacknowledgedApplied: acks.unacknowledgedApplied,
  });
  return {
    checked: true,
    claimsSafe: input.claimsSafe,
    violations,
    lostUpdates: balances.lostUpdates,
    lostAmount: balances.lostAmount,
    oversold: seats.oversold,
    doubleBooked: seats.doubleBooked,
    negativeBalances: balances.negativeBalances,
    acknowledgedLost: acks.acknowledgedLost,
    moneyDrift: balances.moneyDrift,
    indeterminate: acks.indeterminate,
    examples: pickExamples([...acks.examples, ...balances.examples, ...seats.examples]),
  };
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
