import type { Correctness } from '../../core/result-schema.ts';

/**
 * A cell's status as far as correctness goes: 'unsafe' when the strategy claims to keep the
 * workload's invariants and the check found any violation; otherwise 'ok'. A strategy that makes
 * no claim (naive) is expected to break them: its violations are the finding the report shows,
 * not a failure. One exception: an acknowledged operation missing from the ledger means the
 * server said "applied" for a write that is not there. No strategy, naive included, may do that:
 * it is a harness or database fault, and it makes the cell unsafe whatever the claim.
 * 'failed' and 'unsupported' come from the run itself, never from here.
 */
export function cellStatus(correctness: Correctness): 'ok' | 'unsafe' {
  if (correctness.acknowledgedLost > 0) return 'unsafe';
  return correctness.claimsSafe && correctness.violations > 0 ? 'unsafe' : 'ok';
}
