import type { z } from 'zod';
import type { ViolationExample as ViolationExampleSchema } from './result-schema.ts';

export type ViolationExample = z.infer<typeof ViolationExampleSchema>;

/** The `kind` of every example the checks emit, in the order examples are picked (worst first). */
export const VIOLATION_KINDS = [
  'acknowledged-lost',
  'money-drift',
  'lost-update',
  'negative-balance',
  'double-booked',
  'oversold',
  'seat-ledger-mismatch',
  'seat-without-ledger',
  'unacknowledged-applied',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

/** `run.json` keeps at most this many examples per cell. */
export const MAX_EXAMPLES = 10;

/**
 * Every finding the checks count, one field per kind. The first six are also fields of
 * `Correctness`; the last three exist only inside `violations`.
 */
export interface ViolationTally {
  /** Accounts whose balance differs from initial balance + ledger deltas. */
  lostUpdates: number;
  /** Accounts with a balance below 0 (every debit is guarded, so none is legal). */
  negativeBalances: number;
  /** Cents; total now - (seeded total + net deposits). Counts as one violation when nonzero. */
  moneyDrift: number;
  /** Sum over events of max(0, ledger reservations - capacity). */
  oversold: number;
  /** Seats named by more than one ledger reservation. */
  doubleBooked: number;
  /** Acknowledged opIds with no ledger row. */
  acknowledgedLost: number;
  /** Events whose number of sold seats differs from their ledger reservations. */
  seatLedgerMismatches: number;
  /** Sold seats whose op_id has no ledger reservation of that seat. */
  seatsWithoutLedger: number;
  /** Strict mode only: ledger rows for opIds the client saw fail (neither acknowledged nor indeterminate). */
  unacknowledgedApplied: number;
}

export const ZERO_TALLY: Readonly<ViolationTally> = Object.freeze({
  lostUpdates: 0,
  negativeBalances: 0,
  moneyDrift: 0,
  oversold: 0,
  doubleBooked: 0,
  acknowledgedLost: 0,
  seatLedgerMismatches: 0,
  seatsWithoutLedger: 0,
  unacknowledgedApplied: 0,
});

/**
 * Accounting rule (tested):
 *   violations = lostUpdates + negativeBalances + (moneyDrift != 0 ? 1 : 0) + oversold
 *              + doubleBooked + acknowledgedLost + seatLedgerMismatches + seatsWithoutLedger
 *              + unacknowledgedApplied
 * Each kind is counted on its own, so one anomaly can show under several kinds: a naive double
 * booking is one doubleBooked seat and one seatLedgerMismatch for its event (the ledger holds one
 * more reservation than there are sold seats); a lost update in a transfer is a lostUpdate and a
 * moneyDrift. The total measures how much is wrong, not how many root causes there were.
 */
export function countViolations(t: ViolationTally): number {
  return (
    t.lostUpdates +
    t.negativeBalances +
    (t.moneyDrift !== 0 ? 1 : 0) +
    t.oversold +
    t.doubleBooked +
    t.acknowledgedLost +
    t.seatLedgerMismatches +
    t.seatsWithoutLedger +
    t.unacknowledgedApplied
  );
}

/**
 * Picks at most `max` examples, round-robin over the kinds in VIOLATION_KINDS order, so that a
 * thousand lost updates cannot hide the one lost acknowledgement. Within a kind the given order is kept.
 */
export function pickExamples(
  candidates: readonly ViolationExample[],
  max = MAX_EXAMPLES,
): ViolationExample[] {
  const byKind = new Map<string, ViolationExample[]>();
  for (const kind of VIOLATION_KINDS) byKind.set(kind, []);
  for (const ex of candidates) {
    const list = byKind.get(ex.kind);
    if (list) list.push(ex);
    else byKind.set(ex.kind, [ex]);
  }
  const queues = [...byKind.values()].filter((l) => l.length > 0);
  const picked: ViolationExample[] = [];
  for (let round = 0; picked.length < max; round++) {
    let any = false;
    for (const q of queues) {
      const ex = q[round];
      if (ex === undefined) continue;
      any = true;
      picked.push(ex);
      if (picked.length === max) break;
    }
    if (!any) break;
  }
  return picked;
}
