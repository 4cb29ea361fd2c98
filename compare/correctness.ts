import type { CellStatus } from '../core/result-schema.ts';
import type { CellGroup } from './cell-groups.ts';

/**
 * Why a cell of the current run fails the comparison whatever its speed:
 * - 'violations': a repeat of a strategy that claims to keep the workload's invariants
 *   (correctness.claimsSafe) found violations or has status 'unsafe'. A repeat with status 'unsafe'
 *   but no correctness record counts too: nothing shows the strategy was allowed to break them.
 * - 'newly-failed': a repeat has status 'failed' and no repeat of the baseline's cell failed (or the
 *   cell is new). A cell that failed in the baseline too is reported as a status note instead.
 */
export interface CorrectnessFailure {
  key: string;
  label: string;
  strategy: string;
  /** The repeat concerned. */
  repeat: number;
  kind: 'violations' | 'newly-failed';
  /** Violations found (0 for 'newly-failed'). */
  violations: number;
  /** One line: the violation counts by kind, or the failure reason. */
  detail: string;
}

/** A strategy that does not claim safety broke invariants, as expected (naive): reported, never a failure. */
export interface ExpectedUnsafe {
  key: string;
  label: string;
  strategy: string;
  /** Most violations seen in one repeat. */
  maxViolations: number;
  /** Repeats with violations / all repeats. */
  unsafeRepeats: number;
  repeats: number;
}

/** A status that differs between the runs without being a failure (e.g. now 'unsupported'). */
export interface StatusChange {
  key: string;
  label: string;
  /** e.g. "ok×3" or "ok×2, failed×1". */
  baseline: string;
  current: string;
}

export interface CorrectnessReport {
  failures: CorrectnessFailure[];
  expectedUnsafe: ExpectedUnsafe[];
  statusChanges: StatusChange[];
}

export function statusSummary(group: CellGroup): string {
  const counts = new Map<CellStatus, number>();
  for (const c of group.repeats) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${s}×${n}`).join(', ');
}

function violationDetail(c: CellGroup['first']): string {
  const k = c.correctness;
  if (!k) return `status ${c.status}${c.reason ? `: ${c.reason}` : ''} (no correctness record)`;
  const parts: [string, number][] = [
    ['lost updates', k.lostUpdates],
    ['oversold', k.oversold],
    ['double-booked', k.doubleBooked],
    ['negative balances', k.negativeBalances],
    ['acknowledged lost', k.acknowledgedLost],
    ['money drift', k.moneyDrift],
  ];
  const named = parts.filter(([, n]) => n !== 0).map(([name, n]) => `${name} ${n}`);
  return `${k.violations} violation(s)${named.length > 0 ? `: ${named.join(', ')}` : ''}`;
}

/** Correctness verdicts over the current run, using the baseline only to tell new failures from old. */
export function checkCorrectness(
  baseline: ReadonlyMap<string, CellGroup>,
  current: ReadonlyMap<string, CellGroup>,
): CorrectnessReport {
  const failures: CorrectnessFailure[] = [];
  const expectedUnsafe: ExpectedUnsafe[] = [];
  const statusChanges: StatusChange[] = [];
  for (const [key, group] of current) {
    const base = baseline.get(key);
    const baseFailed = base?.repeats.some((c) => c.status === 'failed') ?? false;
    let unsafeRepeats = 0;
    let maxViolations = 0;
    for (const c of group.repeats) {
      const broke = c.status === 'unsafe' || (c.correctness?.violations ?? 0) > 0;
      const claimsSafe = c.correctness?.claimsSafe ?? true;
      if (broke && claimsSafe) {
        failures.push({
          key,
          label: group.label,
          strategy: c.strategy,
          repeat: c.repeat,
          kind: 'violations',
          violations: c.correctness?.violations ?? 0,
          detail: violationDetail(c),
        });
      } else if (broke) {
        unsafeRepeats++;
        maxViolations = Math.max(maxViolations, c.correctness?.violations ?? 0);
      }
      if (c.status === 'failed' && !baseFailed) {
        failures.push({
          key,
          label: group.label,
          strategy: c.strategy,
          repeat: c.repeat,
          kind: 'newly-failed',
          violations: 0,
          detail: `${c.reason ?? 'no reason recorded'}${base ? '' : ' (new cell)'}`,
        });
      }
    }
    if (unsafeRepeats > 0) {
      expectedUnsafe.push({
        key,
        label: group.label,
        strategy: group.first.strategy,
        maxViolations,
        unsafeRepeats,
        repeats: group.repeats.length,
      });
    }
    if (base) {
      const before = statusSummary(base);
      const after = statusSummary(group);
      const isFailure = failures.some((f) => f.key === key);
      // ok <-> unsafe flips of a strategy that does not claim safety are its normal variance.
      const notMeasured = /failed|unsupported/;
      const matters = notMeasured.test(before) || notMeasured.test(after);
      if (before !== after && matters && !isFailure)
        statusChanges.push({ key, label: group.label, baseline: before, current: after });
    }
  }
  return { failures, expectedUnsafe, statusChanges };
}
