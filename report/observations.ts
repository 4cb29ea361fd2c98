import type { RunResult } from '../core/result-schema.ts';
import { fmtCount, fmtFigure, fmtMs, fmtPercent, fmtRatio, joinWords } from './format.ts';
import type { Group, Row, RowFigures } from './groups.ts';
import { groupCells, levelLabel, shortDatabaseLabel } from './groups.ts';
import { describeViolations } from './violations.ts';

/**
 * Observations: findings the data supports, explained with what is known about the databases
 * (their documented locking behaviour and error codes). Each occurrence quotes the figures that
 * triggered it; none is emitted without them. What a kind of finding means is the same wherever
 * it occurs, so it lives once, in FINDINGS, and the report prints it once.
 */
export type ObservationKind =
  | 'interrupted'
  | 'driver-cpu'
  | 'unsafe-claim'
  | 'retry-storm'
  | 'deadlocks'
  | 'pool-saturation'
  | 'pg-limit-recheck'
  | 'mariadb-nowait-1205'
  | 'skip-locked-hot-row'
  | 'queue-skip-locked'
  | 'serialization-failures'
  | 'repeatable-read-lost-update'
  | 'open-model-dropped';

export interface Observation {
  kind: ObservationKind;
  /** The group it concerns (Group.id); null for run-wide findings and those spanning several groups. */
  group: string | null;
  /** Where it showed: "account · hot · mysql (MariaDB 10.11)"; null for run-wide findings. */
  where: string | null;
  /** The figures that back this occurrence, without the explanation: "at 32 connections: nowait 6.04 …". */
  figures: string;
}

/** What a kind of finding is called and what it means, independent of where it occurred. */
export interface Finding {
  /** A short heading: "Retry storm". */
  title: string;
  /** Sentences explaining the finding; text in backticks is code. */
  explanation: string;
}

/** Every kind's title and explanation, in the order the report lists them (most severe first). */
export const FINDINGS: Record<ObservationKind, Finding> = {
  interrupted: {
    title: 'Interrupted run',
    explanation:
      'Strategies or levels missing from the tables were never reached; re-run to complete the comparison.',
  },
  'driver-cpu': {
    title: 'The load generator may be the bottleneck',
    explanation:
      'A driver near a full core cannot send faster, so these cells may understate what the server and database can do; run the driver on its own core or machine before trusting their throughput.',
  },
  'unsafe-claim': {
    title: 'A strategy that claims to be safe broke an invariant',
    explanation:
      'The strategy claims to keep this workload correct, so this is a bug in its implementation (or in the harness), not a property of the locking method. Do not use these figures until it is explained.',
  },
  'retry-storm': {
    title: 'Retry storm',
    explanation:
      'Every retry repeats the transaction: from one extra attempt per success, at least half of the database work is thrown away, and a remote call inside the transaction is repeated as often.',
  },
  deadlocks: {
    title: 'Deadlocks',
    explanation:
      'Two transactions each hold a row lock the other waits for, and the database rolls one back. They come from taking row locks in different orders: a server that locks the two rows of a transfer in request order (from, then to) lets two opposite transfers each hold the lock the other waits for. Locking in id order (the lower id first) removes them. ' +
      'PostgreSQL detects a deadlock only after deadlock_timeout (1 s by default): the victims wait that long, which shows in the tail latency. InnoDB (MySQL, MariaDB) detects one at once; the cost is the rolled-back transaction and its retry.',
  },
  'pool-saturation': {
    title: 'Pool saturation',
    explanation:
      'While every pooled database connection is busy, the requests beyond the pool wait for a connection, not for a row lock. ' +
      "Mean latency follows from Little's law for a closed loop (in flight = throughput x mean latency, so connections / req/s). " +
      'The latency moves to the pool while the cause stays the lock; compare strategies at connections up to the pool size to see lock waits alone.',
  },
  'pg-limit-recheck': {
    title: 'PostgreSQL FOR UPDATE + LIMIT re-check',
    explanation:
      "Under READ COMMITTED a `SELECT ... WHERE status = 'free' ORDER BY id LIMIT 1 FOR UPDATE` that waited for another buyer's lock re-checks that row after the buyer commits; " +
      'the row is no longer free, so it is dropped and the query returns no row although other seats are still free. ' +
      'The server has to retry (a naive implementation would report "sold out" early). SKIP LOCKED avoids both the wait and the re-check; the MySQL family does not re-check.',
  },
  'mariadb-nowait-1205': {
    title: 'MariaDB reports NOWAIT as a lock-wait timeout',
    explanation:
      'MariaDB reports a failed NOWAIT as error 1205 (ER_LOCK_WAIT_TIMEOUT, after about 3 ms), the code of a real lock-wait timeout. ' +
      'Code that tells the two apart by error number cannot, and monitoring that alerts on lock timeouts fires on expected NOWAIT conflicts.',
  },
  'skip-locked-hot-row': {
    title: 'SKIP LOCKED on a single hot row behaves like NOWAIT',
    explanation:
      'An update of one given row cannot take "the next" row: a locked account is simply invisible, the query finds no row and the request retries, as with NOWAIT. ' +
      'SKIP LOCKED pays off when any of many rows will do (a seat, a queue item), not for a specific row.',
  },
  'queue-skip-locked': {
    title: 'A job queue: SKIP LOCKED lets workers run in parallel, FOR UPDATE queues them behind one row',
    explanation:
      'A worker that claims with FOR UPDATE locks the oldest pending job, and every other worker waits for that one row: the claims run one at a time, at most 1 / (the time a claim holds its lock) per second, however many workers there are. ' +
      'SKIP LOCKED makes a held job invisible, so each worker takes the oldest job nobody holds and the workers proceed in parallel; the more work a claim does inside its transaction (`--work-ms`), the wider the gap.',
  },
  'serialization-failures': {
    title: 'Serialization failures',
    explanation:
      'A serializable (or repeatable-read) transaction that loses a conflict is rolled back whole and must be retried by the application; the failure rate grows with contention.',
  },
  'repeatable-read-lost-update': {
    title: 'REPEATABLE READ does not stop lost updates on the MySQL family',
    explanation:
      "InnoDB's consistent snapshot lets a plain read-modify-write overwrite a concurrent change; PostgreSQL's REPEATABLE READ raises a serialization failure (40001) instead, and MariaDB raises error 1020 only with innodb_snapshot_isolation=ON (the default from 11.6.2).",
  },
  'open-model-dropped': {
    title: 'Target rate not reached',
    explanation:
      "The server did not keep up with the schedule; latency is measured from each request's scheduled start, so the backlog shows in it.",
  },
};

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

/** "account · hot · mysql (MariaDB 10.11)", with the model only when it is not the usual closed one. */
function where(group: Group): string {
  const model = group.model === 'open' ? ' · open model' : '';
  return `${group.workload} · ${group.profile} · ${shortDatabaseLabel(group)}${model}`;
}

/**
 * The rows' figures, one strategy after another: "at 32 connections: nowait …; skip-locked …" when
 * they share a level (the usual case: the headline level), else each with its own level. `measure`
 * names what every item quotes first, so the items need not repeat it.
 */
function perRow(
  group: Group,
  rows: readonly Measured[],
  item: (r: Measured) => string,
  measure = '',
): string {
  const first = rows[0] as Measured;
  const lead = measure === '' ? '' : `${measure} `;
  if (rows.every((r) => r.level === first.level)) {
    return `${lead}at ${levelLabel(group.levelKind, first.level)}: ${rows.map((r) => `${r.strategy} ${item(r)}`).join('; ')}`;
  }
  const items = rows.map((r) => `${r.strategy} at ${levelLabel(group.levelKind, r.level)} ${item(r)}`);
  return `${measure === '' ? '' : `${measure}: `}${items.join('; ')}`;
}

function occurrence(kind: ObservationKind, group: Group, figures: string): Observation {
  return { kind, group: group.id, where: where(group), figures };
}

function setting(row: Row, name: string): string | number | boolean | null | undefined {
  return row.cells[0]?.server[name];
}

function retryStorm(group: Group): Observation | null {
  const rows = measured(group).filter((r) => r.figures.extraAttemptsPerSuccess.median >= RETRY_STORM_EXTRA);
  if (rows.length === 0) return null;
  return occurrence(
    'retry-storm',
    group,
    perRow(
      group,
      rows,
      (r) => {
        const f = r.figures;
        const conflicts =
          f.outcomes.conflict.median > 0 ? `, ${fmtCount(f.outcomes.conflict.median)} gave up` : '';
        return `${fmtFigure(f.extraAttemptsPerSuccess, fmtRatio)} (${fmtPercent(f.retriedShare.median)} retried${conflicts})`;
      },
      'extra attempts per success',
    ),
  );
}

function deadlocks(group: Group): Observation | null {
  const rows = measured(group).filter((r) => r.figures.errors.deadlock.max > 0);
  if (rows.length === 0) return null;
  const figures = perRow(
    group,
    rows,
    (r) =>
      `${fmtFigure(r.figures.errors.deadlock, fmtCount)} deadlocks (p99 ${fmtMs(r.figures.p99.median)} ms, max ${fmtMs(r.figures.max.median)} ms)`,
  );
  // The server setting that explains them, when the run recorded it.
  const requestOrder = rows.some((r) => setting(r, 'lockOrder') === 'request');
  return occurrence('deadlocks', group, requestOrder ? `${figures}; rows locked in request order` : figures);
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
    const comparisons = entries.map(({ group }) => `${group.workload}/${group.profile}`).join(', ');
    out.push({
      kind: 'pool-saturation',
      group: entries.length === 1 ? head.group.id : null,
      where: `${comparisons} · ${shortDatabaseLabel(head.group)}`,
      figures:
        `at ${levelLabel(head.group.levelKind, level)}: ${fmtCount(total)} database connections (${pool}), so ${fmtCount(waiting)} of the ${fmtCount(connections)} in-flight requests wait for one, roughly ${fmtPercent(waiting / connections)} of each request's time; ` +
        `mean latency (connections / req/s) ${items.join(', ')}`,
    });
  }
  return out;
}

/**
 * Share of reservations retried from which the re-check finding is worth a line: a handful of
 * retries in thousands ("0.0%") shows the mechanism exists, not that it matters.
 */
export const RECHECK_MIN_SHARE = 0.005;

function pgLimitRecheck(group: Group, all: readonly Group[]): Observation | null {
  if (group.workload !== 'tickets' || group.db?.product !== 'postgresql') return null;
  const rows = measured(group).filter(
    (r) =>
      r.strategy === 'for-update' &&
      (r.figures.retriedShare.median >= RECHECK_MIN_SHARE || r.figures.outcomes.conflict.median > 0),
  );
  if (rows.length === 0) return null;
  const figures = perRow(group, rows, (r) => {
    const f = r.figures;
    const gaveUp = f.outcomes.conflict.median > 0 ? `; ${fmtCount(f.outcomes.conflict.median)} gave up` : '';
    return `retried ${fmtPercent(f.retriedShare.median)} of reservations (${fmtRatio(f.extraAttemptsPerSuccess.median)} extra attempts per success${gaveUp})`;
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
  return occurrence('pg-limit-recheck', group, `${figures}${vs}`);
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
  return occurrence(
    'mariadb-nowait-1205',
    group,
    perRow(
      group,
      rows,
      (r) =>
        `counted ${fmtFigure(r.figures.errors.lockTimeout, fmtCount)} lock timeouts and 0 lock-not-available errors`,
    ),
  );
}

function skipLockedHotRow(group: Group): Observation | null {
  if (group.workload !== 'account' && group.workload !== 'transfer') return null;
  const rows = measured(group).filter(
    (r) =>
      r.strategy === 'skip-locked' &&
      (r.figures.extraAttemptsPerSuccess.median > 0 || r.figures.outcomes.conflict.median > 0),
  );
  if (rows.length === 0) return null;
  return occurrence(
    'skip-locked-hot-row',
    group,
    perRow(
      group,
      rows,
      (r) => {
        const nowait = measured(group).find((n) => n.strategy === 'nowait' && n.level === r.level);
        const vs = nowait ? ` (nowait: ${fmtRatio(nowait.figures.extraAttemptsPerSuccess.median)})` : '';
        return `${fmtRatio(r.figures.extraAttemptsPerSuccess.median)}${vs}`;
      },
      'extra attempts per success',
    ),
  );
}

function queueSkipLocked(group: Group): Observation | null {
  if (group.workload !== 'queue') return null;
  const rows = measured(group);
  const pairs = rows
    .filter((r) => r.strategy === 'for-update')
    .flatMap((f) => {
      const s = rows.find((r) => r.strategy === 'skip-locked' && r.level === f.level);
      const fg = f.figures.goodput.median;
      const sg = s?.figures.goodput.median ?? 0;
      return s && fg > 0 && sg > fg
        ? [
            {
              level: f.level,
              text: `skip-locked ${fmtCount(sg)} ok/s against for-update ${fmtCount(fg)} ok/s (${fmtRatio(sg / fg)}x)`,
            },
          ]
        : [];
    });
  if (pairs.length === 0) return null;
  return occurrence(
    'queue-skip-locked',
    group,
    pairs.map((p) => `at ${levelLabel(group.levelKind, p.level)}: ${p.text}`).join('; '),
  );
}

function serializationFailures(group: Group): Observation | null {
  const rows = measured(group).filter((r) => r.figures.errors.serialization.median > 0);
  if (rows.length === 0) return null;
  return occurrence(
    'serialization-failures',
    group,
    perRow(group, rows, (r) => {
      const f = r.figures;
      const ok = f.outcomes.ok.median;
      const perSuccess = ok > 0 ? ` (${fmtRatio(f.errors.serialization.median / ok)} per success)` : '';
      return `${fmtFigure(f.errors.serialization, fmtCount)} serialization failures for ${fmtCount(ok)} successes${perSuccess}, ${fmtPercent(f.retriedShare.median)} retried`;
    }),
  );
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
  const figures = perRow(group, rows, (r) => {
    const words = describeViolations(
      r.correctness.worst as NonNullable<Row['correctness']['worst']>,
      group.workload,
    );
    return words[0] ?? 'lost updates';
  });
  return occurrence('repeatable-read-lost-update', group, `under REPEATABLE READ, ${figures}`);
}

function unsafeClaims(group: Group): Observation[] {
  return measured(group)
    .filter((r) => r.correctness.state === 'violated' && r.correctness.claimsSafe)
    .map((r) => {
      const words = r.correctness.worst ? describeViolations(r.correctness.worst, group.workload) : [];
      const what = words.length > 0 ? joinWords(words) : 'broke an invariant';
      return occurrence(
        'unsafe-claim',
        group,
        perRow(
          group,
          [r],
          () => `${what} in ${r.correctness.violatedRepeats} of ${r.correctness.measuredRepeats} repeats`,
        ),
      );
    });
}

function openModelDropped(group: Group): Observation | null {
  if (group.model !== 'open') return null;
  const rows = measured(group).filter((r) => r.figures.outcomes.dropped.median > 0);
  if (rows.length === 0) return null;
  return occurrence(
    'open-model-dropped',
    group,
    perRow(
      group,
      rows,
      (r) =>
        `could not start ${fmtFigure(r.figures.outcomes.dropped, fmtCount)} scheduled requests (goodput ${fmtCount(r.figures.goodput.median)} ok/s)`,
    ),
  );
}

function driverCpu(groups: readonly Group[]): Observation | null {
  const hits = groups.flatMap((g) =>
    measured(g)
      .filter((r) => r.figures.driverCpu.max > DRIVER_CPU_SHARE)
      .map(
        (r) =>
          `${g.workload}/${g.profile}/${g.database} ${r.strategy} at ${levelLabel(g.levelKind, r.level)} (${fmtRatio(r.figures.driverCpu.max)})`,
      ),
  );
  if (hits.length === 0) return null;
  const shown = hits.length > 6 ? [...hits.slice(0, 6), `${hits.length - 6} more`] : hits;
  return {
    kind: 'driver-cpu',
    group: null,
    where: null,
    figures: `The load driver used more than ${DRIVER_CPU_SHARE} CPU-seconds per second (close to a full core) in ${joinWords(shown)}.`,
  };
}

/** Order of kinds in the report: FINDINGS' order. */
const KIND_ORDER = Object.keys(FINDINGS) as ObservationKind[];

/**
 * Every observation the run supports: run-wide ones first, then by kind (FINDINGS' order), each
 * kind in group order.
 */
export function observe(result: RunResult, groups: readonly Group[] = groupCells(result)): Observation[] {
  const out: Observation[] = [];
  if (result.interrupted) {
    const measuredCells = result.cells.filter((c) => c.metrics !== null).length;
    out.push({
      kind: 'interrupted',
      group: null,
      where: null,
      figures: `The run was interrupted: it holds only the ${fmtCount(result.cells.length)} cells that finished (${fmtCount(measuredCells)} with measurements).`,
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
      queueSkipLocked(g),
      serializationFailures(g),
      repeatableReadLostUpdate(g),
      openModelDropped(g),
    ]) {
      if (o) out.push(o);
    }
  }
  out.push(...poolSaturation(groups));
  // Array.prototype.sort is stable: within a kind, group order stays.
  return out.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}
