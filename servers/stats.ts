import type { OperationFailed } from '../strategies/executor.ts';
import { CONFLICT_REASONS, type ConflictReason, type OperationResult } from '../strategies/outcome.ts';
import type { ServerStats } from './protocol.ts';

/**
 * The server's counters and their accounting rule (servers/protocol.ts, ServerStats):
 *   operations = ok + rejected + conflict + error
 *   operations = sum(attemptsHistogram), attempts = sum(k * attemptsHistogram[k])
 *   retried    = sum(attemptsHistogram[k] for k >= 2)
 *   sum(conflicts) = attempts - operations + conflict
 *   errors.{deadlock, serialization, lockNotAvailable, lockTimeout} = conflicts of that class
 *   errors.other = error;  duplicates <= ok
 * A lock-class conflict is the database saying so: a driver error, or a MySQL GET_LOCK that
 * returned 0 (lockTimeout). `accountingErrors` checks the rule; tests run it on real traffic.
 */

type ErrorKey = keyof ServerStats['errors'];

const ERROR_KEY_OF: Partial<Record<ConflictReason, ErrorKey>> = {
  deadlock: 'deadlock',
  serialization: 'serialization',
  'lock-not-available': 'lockNotAvailable',
  'lock-timeout': 'lockTimeout',
};

export function emptyStats(workers = 1): ServerStats {
  return {
    operations: 0,
    ok: 0,
    rejected: 0,
    conflict: 0,
    error: 0,
    badRequest: 0,
    attempts: 0,
    retried: 0,
    attemptsHistogram: {},
    errors: { deadlock: 0, serialization: 0, lockNotAvailable: 0, lockTimeout: 0, other: 0 },
    workers,
    conflicts: Object.fromEntries(CONFLICT_REASONS.map((r) => [r, 0])),
    duplicates: 0,
    rechecks: 0,
  };
}

function copy(s: ServerStats): ServerStats {
  return {
    ...s,
    attemptsHistogram: { ...s.attemptsHistogram },
    errors: { ...s.errors },
    conflicts: { ...s.conflicts },
  };
}

/** One worker's counters. Recording is a handful of increments: it sits on every request. */
export class StatsCounter {
  private s: ServerStats = emptyStats();

  private countAttempts(attempts: number, conflicts: readonly ConflictReason[]): void {
    const s = this.s;
    s.operations++;
    s.attempts += attempts;
    if (attempts > 1) s.retried++;
    const key = String(attempts);
    s.attemptsHistogram[key] = (s.attemptsHistogram[key] ?? 0) + 1;
    const byReason = s.conflicts as Record<string, number>;
    for (const reason of conflicts) {
      byReason[reason] = (byReason[reason] ?? 0) + 1;
      const errorKey = ERROR_KEY_OF[reason];
      if (errorKey) s.errors[errorKey]++;
    }
  }

  /** An operation that reached an outcome. `not_found` and `key_reused` are not operations: badRequest(). */
  record(r: OperationResult): void {
    const o = r.outcome;
    if (o.kind === 'not_found' || o.kind === 'key_reused') {
      this.s.badRequest++;
      return;
    }
    this.countAttempts(r.attempts, r.conflicts);
    this.s.rechecks = (this.s.rechecks ?? 0) + r.rechecks;
    switch (o.kind) {
      case 'ok':
        this.s.ok++;
        if (o.duplicate) this.s.duplicates = (this.s.duplicates ?? 0) + 1;
        break;
      case 'rejected':
        this.s.rejected++;
        break;
      case 'conflict':
        this.s.conflict++;
        break;
      case 'error':
        this.s.error++;
        this.s.errors.other++;
        break;
    }
  }

  /** An operation the executor gave up on with an exception (answered 500). */
  recordFailure(e: OperationFailed): void {
    this.countAttempts(e.attempts, e.conflicts);
    this.s.error++;
    this.s.errors.other++;
  }

  /** A request refused before it became an operation (400, 404, 413, 415). */
  badRequest(): void {
    this.s.badRequest++;
  }

  snapshot(): ServerStats {
    return copy(this.s);
  }

  reset(): void {
    this.s = emptyStats();
  }
}

function addRecord(into: Record<string, number>, from: Record<string, number> | undefined): void {
  for (const [k, v] of Object.entries(from ?? {})) into[k] = (into[k] ?? 0) + v;
}

/** Sums workers' counters; `workers` is the number of parts. */
export function sumStats(parts: readonly ServerStats[]): ServerStats {
  const total = emptyStats(parts.length);
  for (const p of parts) {
    total.operations += p.operations;
    total.ok += p.ok;
    total.rejected += p.rejected;
    total.conflict += p.conflict;
    total.error += p.error;
    total.badRequest += p.badRequest;
    total.attempts += p.attempts;
    total.retried += p.retried;
    addRecord(total.attemptsHistogram, p.attemptsHistogram);
    addRecord(
      total.errors as unknown as Record<string, number>,
      p.errors as unknown as Record<string, number>,
    );
    addRecord(total.conflicts as Record<string, number>, p.conflicts);
    total.duplicates = (total.duplicates ?? 0) + (p.duplicates ?? 0);
    total.rechecks = (total.rechecks ?? 0) + (p.rechecks ?? 0);
  }
  return total;
}

/** Violations of the accounting rule, as sentences; empty when the counters add up. */
export function accountingErrors(s: ServerStats): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(what);
  };
  const hist = Object.entries(s.attemptsHistogram).map(([k, v]) => [Number(k), v] as const);
  const histOps = hist.reduce((a, [, v]) => a + v, 0);
  const histAttempts = hist.reduce((a, [k, v]) => a + k * v, 0);
  const histRetried = hist.filter(([k]) => k > 1).reduce((a, [, v]) => a + v, 0);
  check(
    s.operations === s.ok + s.rejected + s.conflict + s.error,
    `operations ${s.operations} != ok + rejected + conflict + error`,
  );
  check(histOps === s.operations, `sum(attemptsHistogram) ${histOps} != operations ${s.operations}`);
  check(
    histAttempts === s.attempts,
    `sum(k * attemptsHistogram[k]) ${histAttempts} != attempts ${s.attempts}`,
  );
  check(histRetried === s.retried, `operations with attempts > 1 ${histRetried} != retried ${s.retried}`);
  if (s.conflicts) {
    const c = s.conflicts;
    const sum = Object.values(c).reduce((a, v) => a + v, 0);
    check(
      sum === s.attempts - s.operations + s.conflict,
      `sum(conflicts) ${sum} != attempts - operations + conflict`,
    );
    for (const [reason, key] of Object.entries(ERROR_KEY_OF) as [ConflictReason, ErrorKey][]) {
      check(
        (c[reason] ?? 0) === s.errors[key],
        `errors.${key} ${s.errors[key]} != conflicts.${reason} ${c[reason] ?? 0}`,
      );
    }
  }
  check(s.errors.other === s.error, `errors.other ${s.errors.other} != error ${s.error}`);
  if (s.duplicates !== undefined) check(s.duplicates <= s.ok, `duplicates ${s.duplicates} > ok ${s.ok}`);
  return out;
}
