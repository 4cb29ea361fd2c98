import type { Correctness } from '../core/result-schema.ts';
import { fmtCount, fmtMoney, joinWords } from './format.ts';

/**
 * Correctness findings in words a design review can read. The counts follow
 * core/violations.ts: violations = lostUpdates + negativeBalances + (moneyDrift != 0 ? 1 : 0)
 * + oversold + doubleBooked + acknowledgedLost + a workload's own findings (each with its words)
 * + kinds that exist only in the total.
 */

/** True when the check found anything wrong. */
export function hasViolations(c: Correctness): boolean {
  return (
    c.violations > 0 ||
    c.lostUpdates > 0 ||
    c.oversold > 0 ||
    c.doubleBooked > 0 ||
    c.negativeBalances > 0 ||
    c.acknowledgedLost > 0 ||
    c.moneyDrift !== 0
  );
}

function n(count: number, one: string, many: string): string {
  return `${fmtCount(count)} ${count === 1 ? one : many}`;
}

/** Example kinds that only show up in the total, described for the remainder. */
const OTHER_KIND_WORDS: Record<string, string> = {
  'seat-ledger-mismatch': 'events whose sold seats disagree with the ledger',
  'seat-without-ledger': 'sold seats with no reservation in the ledger',
  'unacknowledged-applied': 'operations the client saw fail that were applied anyway',
};

/**
 * What a cell broke, as phrases that follow the strategy's name:
 * ["lost updates on 37 accounts (balances 1,234.56 off their ledger)", "oversold 12 seats"].
 * Empty when nothing was broken.
 */
export function describeViolations(c: Correctness, workload: string): string[] {
  const out: string[] = [];
  if (c.lostUpdates > 0) {
    const amount = c.lostAmount > 0 ? ` (balances ${fmtMoney(c.lostAmount)} off their ledger in total)` : '';
    out.push(`lost updates on ${n(c.lostUpdates, 'account', 'accounts')}${amount}`);
  }
  if (c.oversold > 0) out.push(`oversold ${n(c.oversold, 'seat', 'seats')}`);
  if (c.doubleBooked > 0) out.push(`double-booked ${n(c.doubleBooked, 'seat', 'seats')}`);
  if (c.negativeBalances > 0) {
    out.push(`left ${n(c.negativeBalances, 'account', 'accounts')} with a negative balance`);
  }
  if (c.acknowledgedLost > 0) {
    out.push(
      `lost ${n(c.acknowledgedLost, 'acknowledged operation', 'acknowledged operations')} (the client saw success, the ledger has no entry)`,
    );
  }
  // Lost updates already change the total; the drift is news on its own, or where it is the invariant.
  if (c.moneyDrift !== 0 && (c.lostUpdates === 0 || workload === 'transfer')) {
    const verb = c.moneyDrift > 0 ? 'created' : 'destroyed';
    out.push(`${verb} ${fmtMoney(Math.abs(c.moneyDrift))} of money (the total no longer adds up)`);
  }
  // A workload's own invariants (queue, a module from a file), in the words it gave.
  let own = 0;
  for (const f of c.findings ?? []) {
    if (f.count === 0) continue;
    out.push(n(f.count, f.words[0], f.words[1]));
    own += f.count;
  }
  const known =
    own +
    c.lostUpdates +
    c.negativeBalances +
    (c.moneyDrift !== 0 ? 1 : 0) +
    c.oversold +
    c.doubleBooked +
    c.acknowledgedLost;
  const rest = c.violations - known;
  if (rest > 0) {
    const kinds = [...new Set(c.examples.map((e) => e.kind))].map((k) => OTHER_KIND_WORDS[k]).filter(Boolean);
    const what = kinds.length > 0 ? `: ${joinWords(kinds as string[])}` : '';
    out.push(`${n(rest, 'other violation', 'other violations')}${what}`);
  }
  if (out.length === 0 && c.violations > 0) out.push(n(c.violations, 'violation', 'violations'));
  return out;
}

/** The main finding in two or three words, for summary tables: "lost updates", "oversold". */
export function shortViolation(c: Correctness): string {
  if (c.acknowledgedLost > 0) return 'lost acknowledged ops';
  if (c.oversold > 0) return 'oversold';
  if (c.doubleBooked > 0) return 'double-booked';
  if (c.lostUpdates > 0) return 'lost updates';
  if (c.negativeBalances > 0) return 'negative balances';
  if (c.moneyDrift !== 0) return 'money drift';
  const own = [...(c.findings ?? [])].sort((a, b) => b.count - a.count)[0];
  if (own && own.count > 0) return own.words[1];
  return 'violations';
}
