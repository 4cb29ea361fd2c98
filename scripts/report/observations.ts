import type { RunResult } from '../../bench/result-schema.ts';
import { fmtCount, fmtFigure, fmtMs, fmtPercent, fmtRatio, joinWords } from './format.ts';
import type { Group, Row, RowFigures } from './groups.ts';
import { databaseLabel, groupCells, levelLabel } from './groups.ts';
import { describeViolations } from './violations.ts';

/**
 * Observations: findings the data supports, explained with what is known about the databases
 * (their documented locking behaviour and error codes). Each one quotes the figures that triggered it; none is emitted without them.
 */
export type ObservationKind =
  | 'interrupted'
  | 'unsafe-claim'
  | 'retry-storm'
  | 'deadlocks'
  | 'pool-saturation'
  | 'pg-limit-recheck'
  | 'mariadb-nowait-1205'
  | 'skip-locked-hot-row'
  | 'serialization-failures'
  | 'repeatable-read-lost-update'
  | 'open-model-dropped'
  | 'driver-cpu';

export interface Observation {
  kind: ObservationKind;
  /** The group it concerns (Group.id); null for run-wide findings. */
  group: string | null;
  /** A short heading: "Retry storm". */
  title: string;
  /** Sentences with the figures that back the finding. */
  text: string;
}

/** Extra attempts per success from which a strategy spends most of its work on retries. */
export const RETRY_STORM_EXTRA = 1;
/** Load-driver CPU seconds per second above which the driver may be the bottleneck. */
export const DRIVER_CPU_SHARE = 0.8;
/** connections / database connections from which at least a third of in-flight requests wait for the pool. */
export const POOL_OVERSUBSCRIPTION = 1.5;

type Measured = Row & { figures: RowFigures };

function measured(group: Group): Measured[] {
  return group.rows.filter((r): r is Measured => r.figures !== null);
}

function at(group: Group, row: Row): string {
  return `${row.strategy} at ${levelLabel(group.levelKind, row.level)}`;
}

function where(group: Group): string {
  return `${group.workload}/${group.profile} on ${databaseLabel(group)}`;
}

function setting(row: Row, name: string): string | number | boolean | null | undefined {
  return row.cells[0]?.server[name];
}

function retryStorm(group: Group): Observation | null {
  const rows = measured(group).filter((r) => r.figures.extraAttemptsPerSuccess.median >= RETRY_STORM_EXTRA);
  if (rows.length === 0) return null;
  const items = rows.map((r) => {
    const f = r.figures;
    const conflicts =
      f.outcomes.conflict.median > 0 ? `, ${fmtCount(f.outcomes.conflict.median)} gave up` : '';
    return `${at(group, r)} made ${fmtFigure(f.extraAttemptsPerSuccess, fmtRatio)} extra attempts per success (${fmtPercent(f.retriedShare.median)} of operations retried${conflicts})`;
  });
  return {
    kind: 'retry-storm',
    group: group.id,
    title: 'Retry storm',
    text:
      `${where(group)}: ${joinWords(items)}. ` +
      'Every retry repeats the transaction: from one extra attempt per success, at least half of the database work is thrown away, ' +
      'and a remote call inside the transaction is repeated as often.',
  };
}

function deadlocks(group: Group): Observation | null {
  const rows = measured(group).filter((r) => r.figures.errors.deadlock.max > 0);
  if (rows.length === 0) return null;
  const items = rows.map(
    (r) =>
      `${at(group, r)} hit ${fmtFigure(r.figures.errors.deadlock, fmtCount)} deadlocks (p99 ${fmtMs(r.figures.p99.median)} ms, max ${fmtMs(r.figures.max.median)} ms)`,
  );
  const requestOrder = rows.some((r) => setting(r, 'lockOrder') === 'request');
  const why = requestOrder
    ? 'The server takes the two row locks in request order (from, then to), so two opposite transfers can each hold the lock the other waits for. Locking in id order (the lower id first) removes these deadlocks.'
    : 'Deadlocks come from taking row locks in different orders; locking in id order removes them.';
  const detection =
    group.db?.product === 'postgresql'
      ? ' PostgreSQL detects a deadlock only after deadlock_timeout (1 s by default): the victims wait that long, which shows in the tail latency.'
      : group.db
        ? ' InnoDB detects a deadlock at once; the cost is the rolled-back transaction and its retry.'
        : '';
  return {
    kind: 'deadlocks',
    group: group.id,
    title: 'Deadlocks',
    text: `${where(group)}: ${joinWords(items)}. ${why}${detection}`,
  };
}

/** Database connections the server can use: pool per worker times workers (1 when not stated). */
function databaseConnections(row: Row): { pool: number; workers: number } | null {
  const pool = setting(row, 'pool');
  const workers = setting(row, 'workers');
  if (typeof pool !== 'number' || pool <= 0) return null;
  return { pool, workers: typeof workers === 'number' && workers > 0 ? workers : 1 };
}

/**
 * One observation per database, load level and pool size, across the comparisons it affects:
 * the cause (a pool smaller than the load) is the same for all of them.
 */
function poolSaturation(groups: readonly Group[]): Observation[] {
  const byKey = new Map<string, { group: Group; rows: Measured[]; pool: number; workers: number }[]>();
  for (const group of groups) {
    if (group.model !== 'closed') continue;
    for (const level of group.levels) {
      const rows = measured(group).filter((r) => {
        const db = databaseConnections(r);
        return (
          r.level === level &&
          db !== null &&
          r.figures.requestsPerSec.median > 0 &&
          r.connections >= POOL_OVERSUBSCRIPTION * db.pool * db.workers
        );
      });
      const first = rows[0];
      if (!first) continue;
      const db = databaseConnections(first) as { pool: number; workers: number };
      const key = JSON.stringify([group.database, level, db.pool, db.workers]);
      const list = byKey.get(key) ?? [];
      list.push({ group, rows, ...db });
      byKey.set(key, list);
    }
  }
  const out: Observation[] = [];
  for (const entries of byKey.values()) {
    const head = entries[0] as (typeof entries)[number];
    const level = (head.rows[0] as Measured).level;
    const connections = (head.rows[0] as Measured).connections;
    const total = head.pool * head.workers;
    const waiting = connections - total;
    // Little's law for a closed loop: in flight (= connections) = throughput x mean latency, and
    // with every pooled connection busy the requests beyond the pool wait for one.
    const items = entries.map(({ group, rows }) => {
      const mean = rows
        .map((r) => ({ s: r.strategy, ms: (r.connections / r.figures.requestsPerSec.median) * 1000 }))
        .sort((a, b) => a.ms - b.ms);
      const lo = mean[0] as { s: string; ms: number };
      const hi = mean[mean.length - 1] as { s: string; ms: number };
      const span =
        mean.length === 1
          ? `${fmtMs(lo.ms)} ms (${lo.s})`
          : `${fmtMs(lo.ms)} ms (${lo.s}) to ${fmtMs(hi.ms)} ms (${hi.s})`;
      return `${group.workload}/${group.profile} ${span}`;
    });
    const pool = head.workers > 1 ? `pool ${head.pool} x ${head.workers} workers` : `pool ${head.pool}`;
    out.push({
      kind: 'pool-saturation',
      group: entries.length === 1 ? head.group.id : null,
      title: 'Pool saturation',
      text:
        `${databaseLabel(head.group)} at ${levelLabel(head.group.levelKind, level)}: the server has ${fmtCount(total)} database connections (${pool}), ` +
        `so while every pooled connection is busy, ${fmtCount(waiting)} of the ${fmtCount(connections)} in-flight requests are waiting for one, not for a row lock: roughly ${fmtPercent(waiting / connections)} of each request's time. ` +
        `Mean latencies by Little's law (connections / req/s): ${joinWords(items)}. ` +
        'The latency moves to the pool while the cause stays the lock; compare strategies at connections up to the pool size to see lock waits alone.',
    });
  }
  return out;
}

function pgLimitRecheck(group: Group, all: readonly Group[]): Observation | null {
  if (group.workload !== 'tickets' || group.db?.product !== 'postgresql') return null;
  const rows = measured(group).filter(
    (r) =>
      r.strategy === 'for-update' &&
      (r.figures.retriedShare.median > 0 ||
        r.figures.extraAttemptsPerSuccess.median > 0 ||
        r.figures.outcomes.conflict.median > 0),
  );
  if (rows.length === 0) return null;
  const items = rows.map((r) => {
    const f = r.figures;
    const gaveUp = f.outcomes.conflict.median > 0 ? `; ${fmtCount(f.outcomes.conflict.median)} gave up` : '';
    return `${at(group, r)} retried ${fmtPercent(f.retriedShare.median)} of reservations (${fmtRatio(f.extraAttemptsPerSuccess.median)} extra attempts per success${gaveUp})`;
  });
  // The same strategy on the MySQL family, where the re-check does not happen, makes the contrast.
  const contrast = all
    .filter(
      (g) =>
        g.workload === group.workload && g.profile === group.profile && g.db && g.db.product !== 'postgresql',
    )
    .flatMap((g) =>
      measured(g)
        .filter((r) => r.strategy === 'for-update' && r.figures.retriedShare.median === 0)
        .map((r) => `${r.strategy} on ${g.database} retried none`),
    );
  const vs = contrast.length > 0 ? `; for comparison, ${joinWords(contrast)}` : '';
  return {
    kind: 'pg-limit-recheck',
    group: group.id,
    title: 'PostgreSQL FOR UPDATE + LIMIT re-check',
    text:
      `${where(group)}: ${joinWords(items)}${vs}. ` +
      "Under READ COMMITTED a `SELECT ... WHERE status = 'free' ORDER BY id LIMIT 1 FOR UPDATE` that waited for another buyer's lock re-checks that row after the buyer commits; " +
      'the row is no longer free, so it is dropped and the query returns no row although other seats are still free. ' +
      'The server has to retry (a naive implementation would report "sold out" early). SKIP LOCKED avoids both the wait and the re-check.',
  };
}

function mariadbNowait(group: Group): Observation | null {
  if (group.db?.product !== 'mariadb') return null;
  const rows = measured(group).filter(
    (r) =>
      r.strategy === 'nowait' &&
      r.figures.errors.lockTimeout.median > 0 &&
      r.figures.errors.lockNotAvailable.max === 0,
  );
  if (rows.length === 0) return null;
  const items = rows.map(
    (r) =>
      `${at(group, r)} counted ${fmtFigure(r.figures.errors.lockTimeout, fmtCount)} lock timeouts and 0 lock-not-available errors`,
  );
  return {
    kind: 'mariadb-nowait-1205',
    group: group.id,
    title: 'MariaDB reports NOWAIT as a lock-wait timeout',
    text:
      `${where(group)}: ${joinWords(items)}. ` +
      'MariaDB reports a failed NOWAIT as error 1205 (ER_LOCK_WAIT_TIMEOUT, after about 3 ms), the code of a real lock-wait timeout. ' +
      'Code that tells the two apart by error number cannot, and monitoring that alerts on lock timeouts fires on expected NOWAIT conflicts.',
  };
}

function skipLockedHotRow(group: Group): Observation | null {
  if (group.workload !== 'account' && group.workload !== 'transfer') return null;
  const rows = measured(group).filter(
    (r) =>
      r.strategy === 'skip-locked' &&
      (r.figures.extraAttemptsPerSuccess.median > 0 || r.figures.outcomes.conflict.median > 0),
  );
  if (rows.length === 0) return null;
  const items = rows.map((r) => {
    const nowait = measured(group).find((n) => n.strategy === 'nowait' && n.level === r.level);
    const vs = nowait ? ` (nowait: ${fmtRatio(nowait.figures.extraAttemptsPerSuccess.median)})` : '';
    return `${at(group, r)} made ${fmtRatio(r.figures.extraAttemptsPerSuccess.median)} extra attempts per success${vs}`;
  });
  return {
    kind: 'skip-locked-hot-row',
    group: group.id,
    title: 'SKIP LOCKED on a single hot row behaves like NOWAIT',
    text:
      `${where(group)}: ${joinWords(items)}. ` +
      'An update of one given row cannot take "the next" row: a locked account is simply invisible, the query finds no row and the request retries, as with NOWAIT. ' +
      'SKIP LOCKED pays off when any of many rows will do (a seat, a queue item), not for a specific row.',
  };
}

function serializationFailures(group: Group): Observation | null {
  const rows = measured(group).filter((r) => r.figures.errors.serialization.median > 0);
  if (rows.length === 0) return null;
  const items = rows.map((r) => {
    const f = r.figures;
    const ok = f.outcomes.ok.median;
    const perSuccess = ok > 0 ? ` (${fmtRatio(f.errors.serialization.median / ok)} per success)` : '';
    return `${at(group, r)} had ${fmtFigure(f.errors.serialization, fmtCount)} serialization failures for ${fmtCount(ok)} successes${perSuccess}, ${fmtPercent(f.retriedShare.median)} of operations retried`;
  });
  return {
    kind: 'serialization-failures',
    group: group.id,
    title: 'Serialization failures',
    text:
      `${where(group)}: ${joinWords(items)}. ` +
      'A serializable (or repeatable-read) transaction that loses a conflict is rolled back whole and must be retried by the application; the failure rate grows with contention.',
  };
}

const MYSQL_FAMILY = new Set(['mysql', 'mariadb']);

/** The effective isolation of a row on the MySQL family, when the run says which it is. */
function mysqlIsolation(group: Group, row: Row): string | null {
  const requested = setting(row, 'isolation');
  if (typeof requested === 'string' && requested !== 'default') return requested;
  const fromDb = Object.entries(group.db?.settings ?? {}).find(([k]) => /isolation/i.test(k))?.[1];
  if (typeof fromDb === 'string') return fromDb.toLowerCase().replace(/[\s_]+/g, '-');
  // The family's default is REPEATABLE READ.
  return requested === 'default' ? 'repeatable-read' : null;
}

function repeatableReadLostUpdate(group: Group): Observation | null {
  if (!group.db || !MYSQL_FAMILY.has(group.db.product)) return null;
  const rows = measured(group).filter(
    (r) =>
      r.correctness.worst !== null &&
      r.correctness.worst.lostUpdates > 0 &&
      mysqlIsolation(group, r) === 'repeatable-read',
  );
  if (rows.length === 0) return null;
  const items = rows.map((r) => {
    const words = describeViolations(
      r.correctness.worst as NonNullable<Row['correctness']['worst']>,
      group.workload,
    );
    return `${at(group, r)} ${words[0] ?? 'lost updates'}`;
  });
  return {
    kind: 'repeatable-read-lost-update',
    group: group.id,
    title: 'REPEATABLE READ does not stop lost updates on the MySQL family',
    text:
      `${where(group)}, under REPEATABLE READ: ${joinWords(items)}. ` +
      "InnoDB's consistent snapshot lets a plain read-modify-write overwrite a concurrent change; PostgreSQL's REPEATABLE READ raises a serialization failure (40001) instead, and MariaDB raises error 1020 only with innodb_snapshot_isolation=ON (the default from 11.6.2).",
  };
}

function unsafeClaims(group: Group): Observation[] {
  return measured(group)
    .filter((r) => r.correctness.state === 'violated' && r.correctness.claimsSafe)
    .map((r) => {
      const words = r.correctness.worst ? describeViolations(r.correctness.worst, group.workload) : [];
      const what = words.length > 0 ? joinWords(words) : 'broke an invariant';
      return {
        kind: 'unsafe-claim' as const,
        group: group.id,
        title: 'A strategy that claims to be safe broke an invariant',
        text:
          `${where(group)}: ${at(group, r)} ${what} in ${r.correctness.violatedRepeats} of ${r.correctness.measuredRepeats} repeats. ` +
          'The strategy claims to keep this workload correct, so this is a bug in its implementation (or in the harness), not a property of the locking method. Do not use these figures until it is explained.',
      };
    });
}

function openModelDropped(group: Group): Observation | null {
  if (group.model !== 'open') return null;
  const rows = measured(group).filter((r) => r.figures.outcomes.dropped.median > 0);
  if (rows.length === 0) return null;
  const items = rows.map(
    (r) =>
      `${at(group, r)} could not start ${fmtFigure(r.figures.outcomes.dropped, fmtCount)} scheduled requests (goodput ${fmtCount(r.figures.goodput.median)} ok/s)`,
  );
  return {
    kind: 'open-model-dropped',
    group: group.id,
    title: 'Target rate not reached',
    text: `${where(group)}: ${joinWords(items)}. The server did not keep up with the schedule; latency is measured from each request's scheduled start, so the backlog shows in it.`,
  };
}

function driverCpu(groups: readonly Group[]): Observation | null {
  const hits = groups.flatMap((g) =>
    measured(g)
      .filter((r) => r.figures.driverCpu.max > DRIVER_CPU_SHARE)
      .map(
        (r) => `${g.workload}/${g.profile}/${g.database} ${at(g, r)} (${fmtRatio(r.figures.driverCpu.max)})`,
      ),
  );
  if (hits.length === 0) return null;
  const shown = hits.length > 6 ? [...hits.slice(0, 6), `${hits.length - 6} more`] : hits;
  return {
    kind: 'driver-cpu',
    group: null,
    title: 'The load generator may be the bottleneck',
    text:
      `The load driver used more than ${DRIVER_CPU_SHARE} CPU-seconds per second (close to a full core) in ${joinWords(shown)}. ` +
      'A driver near a full core cannot send faster, so these cells may understate what the server and database can do; run the driver on its own core or machine before trusting their throughput.',
  };
}

/** Every observation the run supports, run-wide ones first, then by group. */
export function observe(result: RunResult, groups: readonly Group[] = groupCells(result)): Observation[] {
  const out: Observation[] = [];
  if (result.interrupted) {
    const measuredCells = result.cells.filter((c) => c.metrics !== null).length;
    out.push({
      kind: 'interrupted',
      group: null,
      title: 'Interrupted run',
      text: `The run was interrupted: it holds only the ${fmtCount(result.cells.length)} cells that finished (${fmtCount(measuredCells)} with measurements). Strategies or levels missing from the tables were never reached; re-run to complete the comparison.`,
    });
  }
  const cpu = driverCpu(groups);
  if (cpu) out.push(cpu);
  for (const g of groups) {
    out.push(...unsafeClaims(g));
    for (const o of [
      retryStorm(g),
      deadlocks(g),
      pgLimitRecheck(g, groups),
      mariadbNowait(g),
      skipLockedHotRow(g),
      serializationFailures(g),
      repeatableReadLostUpdate(g),
      openModelDropped(g),
    ]) {
      if (o) out.push(o);
    }
  }
  out.push(...poolSaturation(groups));
  return out;
}
