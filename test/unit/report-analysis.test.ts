import { describe, expect, it } from 'vitest';
import { median } from '../../bench/stats/median.ts';
import type { Group } from '../../report/groups.ts';
import { groupCells, headlineLevel } from '../../report/groups.ts';
import type { ObservationKind } from '../../report/observations.ts';
import { FINDINGS, observe } from '../../report/observations.ts';
import { describeSweep, sweepRanking } from '../../report/ranking.ts';
import { figureOf } from '../../report/stats.ts';
import { groupVerdicts, levelVerdict } from '../../report/verdict.ts';
import { describeViolations, hasViolations } from '../../report/violations.ts';
import { cellOf, loadFixture, measuredCell, variant, withMeasurementQuality } from './report-fixture.ts';

const fixture = loadFixture();

function group(result: typeof fixture, id: string): Group {
  const g = groupCells(result).find((x) => x.id === id);
  if (!g) throw new Error(`no group ${id}`);
  return g;
}

/** The fixture with each repeated cell's second repeat 2 ok/s above its first: narrow t-intervals. */
function tightRepeats(result: typeof fixture): typeof fixture {
  const first = new Map(
    result.cells.filter((c) => c.repeat === 0).map((c) => [c.key, c.metrics?.goodputPerSec ?? 0]),
  );
  return variant(
    (c) => c.repeat === 1,
    (c) => {
      c.metrics.goodputPerSec = (first.get(c.key) ?? 0) + 2;
    },
    result,
  );
}

function kinds(result: typeof fixture): ObservationKind[] {
  return observe(result).map((o) => o.kind);
}

function observationsOf(result: typeof fixture, kind: ObservationKind) {
  return observe(result).filter((o) => o.kind === kind);
}

describe('stats', () => {
  it('takes the median of odd and even counts and keeps the spread', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(figureOf([10, 30])).toEqual({ median: 20, min: 10, max: 30, n: 2 });
    expect(() => median([])).toThrow();
  });
});

describe('grouping', () => {
  it('groups by workload, profile, database and model in a stable order', () => {
    const ids = groupCells(fixture).map((g) => g.id);
    expect(ids).toEqual([
      'account-hot-postgres-closed',
      'account-hot-mysql-closed',
      'transfer-hot-set-postgres-closed',
      'tickets-sellout-postgres-closed',
      'tickets-sellout-mysql-closed',
    ]);
  });

  it('folds repeats into one row with median and spread, and keeps the sweep levels', () => {
    const g = group(fixture, 'account-hot-postgres-closed');
    expect(g.levels).toEqual([8, 32]);
    const row = g.rows.find((r) => r.strategy === 'for-update' && r.level === 32);
    expect(row?.measured).toHaveLength(2);
    const goodputs = fixture.cells
      .filter((c) => c.key === 'postgres/account/hot/for-update/closed/32')
      .map((c) => c.metrics?.goodputPerSec ?? Number.NaN);
    expect(row?.figures?.goodput).toEqual({
      median: goodputs.reduce((a, b) => a + b, 0) / 2,
      min: Math.min(...goodputs),
      max: Math.max(...goodputs),
      n: 2,
    });
    expect(headlineLevel(g)).toBe(32);
  });

  it('marks a row violated when any repeat broke an invariant and remembers the worst repeat', () => {
    const naive = group(fixture, 'account-hot-postgres-closed').rows.find((r) => r.strategy === 'naive');
    expect(naive?.correctness.state).toBe('violated');
    expect(naive?.correctness.violatedRepeats).toBe(2);
    const worst = Math.max(
      ...fixture.cells
        .filter((c) => c.key.includes('/naive/') && c.database === 'postgres' && c.workload === 'account')
        .map((c) => c.correctness?.lostUpdates ?? 0),
    );
    expect(naive?.correctness.worst?.lostUpdates).toBe(worst);
  });
});

describe('verdicts', () => {
  it('picks the correct strategy with the highest goodput, never one with violations', () => {
    for (const g of groupCells(fixture)) {
      for (const v of groupVerdicts(g)) {
        if (!v.goodput) continue;
        expect(v.goodput.leader.row.correctness.state).toBe('correct');
        const correct = g.rows.filter((r) => r.level === v.level && r.correctness.state === 'correct');
        const top = Math.max(...correct.map((r) => r.figures?.goodput.median ?? 0));
        expect(v.goodput.leader.figures.goodput.median).toBe(top);
        expect(v.goodput.runnerUp?.row.correctness.state ?? 'correct').toBe('correct');
      }
    }
  });

  it('ranks naive out even though it has the highest goodput', () => {
    const g = group(fixture, 'account-hot-postgres-closed');
    const v = levelVerdict(g, 32);
    const naive = g.rows.find((r) => r.strategy === 'naive' && r.level === 32);
    expect(naive?.figures?.goodput.median).toBeGreaterThan(
      v.goodput?.leader.figures.goodput.median ?? Number.POSITIVE_INFINITY,
    );
    expect(v.goodput?.leader.row.strategy).toBe('atomic');
    expect(v.goodput?.runnerUp?.row.strategy).toBe('for-update');
    expect(v.disqualified.map((r) => r.strategy)).toEqual(['naive']);
    expect(v.notRun.map((r) => r.strategy)).toEqual(['advisory']);
  });

  it('lists unsupported strategies as not run, with their reason', () => {
    const v = levelVerdict(group(fixture, 'account-hot-mysql-closed'), 32);
    expect(v.notRun.map((r) => [r.strategy, r.notRun[0]?.status])).toEqual([['skip-locked', 'unsupported']]);
    expect(v.notRun[0]?.notRun[0]?.reason).toMatch(/SKIP LOCKED/);
  });

  it('never recommends a strategy whose correctness was not checked', () => {
    const unchecked = variant(cellOf('postgres', 'account', 'atomic'), (c) => {
      if (c.correctness) c.correctness.checked = false;
    });
    const v = levelVerdict(group(unchecked, 'account-hot-postgres-closed'), 32);
    expect(v.goodput?.leader.row.strategy).toBe('for-update');
    expect(v.unchecked.map((r) => r.strategy)).toEqual(['atomic']);
  });

  it('calls repeats whose t-intervals overlap a tie, and separates tight ones', () => {
    // Fixture: at 8 connections optimistic (1,584 and 1,627) and for-update (1,423 and 1,476):
    // with two repeats the t quantile is 12.7, so the intervals (±273, ±337) overlap.
    const v = levelVerdict(group(fixture, 'account-hot-postgres-closed'), 8);
    expect(v.goodput?.confidence).toBe('tie');
    expect(v.goodput?.tied.map((c) => c.row.strategy)).toEqual(['for-update']);
    expect(v.goodput?.leader.goodput.interval?.method).toBe('repeats');
    const tight = variant(
      (c) =>
        c.key === 'postgres/account/hot/for-update/closed/8' ||
        c.key === 'postgres/account/hot/optimistic/closed/8',
      (c) => {
        c.metrics.goodputPerSec = (c.strategy === 'optimistic' ? 1600 : 1450) + c.repeat;
      },
    );
    const clear = levelVerdict(group(tight, 'account-hot-postgres-closed'), 8);
    expect(clear.goodput?.confidence).toBe('clear');
    expect(clear.goodput?.leader.row.strategy).toBe('optimistic');
  });

  it("ties every strategy whose goodput interval overlaps the leader's", () => {
    const run = withMeasurementQuality(
      {},
      variant(cellOf('mysql', 'account', 'for-update'), (c) => {
        c.metrics.goodputPerSec = 1800;
      }),
    );
    const v = levelVerdict(group(run, 'account-hot-mysql-closed'), 32);
    expect(v.goodput?.confidence).toBe('tie');
    expect(v.goodput?.leader.row.strategy).toBe('atomic');
    expect(v.goodput?.tied.map((c) => c.row.strategy)).toEqual(['for-update']);
    // 1,867 ± 5% over 1,800 ± 5%: the ratio's interval straddles 1.
    expect(v.margin?.low).toBeLessThan(1);
    expect(v.margin?.high).toBeGreaterThan(1);
  });

  it('separates disjoint intervals and gives the margin an interval', () => {
    const v = levelVerdict(group(withMeasurementQuality(), 'account-hot-mysql-closed'), 32);
    expect(v.goodput?.confidence).toBe('clear');
    expect(v.goodput?.tied).toEqual([]);
    const ratio = 1867 / 1243;
    expect(v.margin?.ratio).toBeCloseTo(ratio, 9);
    // Two ±5% intervals: half-width sqrt(2) x 5% on the log scale.
    expect(v.margin?.low).toBeCloseTo(ratio * Math.exp(-Math.SQRT2 * 0.05), 9);
    expect(v.margin?.high).toBeCloseTo(ratio * Math.exp(Math.SQRT2 * 0.05), 9);
  });

  it('without intervals, never ranks a leader over a runner-up within 5%', () => {
    const close = variant(cellOf('mysql', 'account', 'for-update'), (c) => {
      c.metrics.goodputPerSec = 1800;
    });
    const v = levelVerdict(group(close, 'account-hot-mysql-closed'), 32);
    expect(v.goodput?.confidence).toBe('cannot-rank');
    expect(v.goodput?.tied.map((c) => c.row.strategy)).toEqual(['for-update']);
    // Far apart without intervals: ranked, and labelled as resting on point figures.
    expect(levelVerdict(group(fixture, 'account-hot-mysql-closed'), 32).goodput?.confidence).toBe(
      'no-interval',
    );
  });

  it('ranks p99 among strategies that did not retry, and the best strategy other than atomic', () => {
    const v = levelVerdict(group(withMeasurementQuality(), 'account-hot-mysql-closed'), 32);
    expect(v.p99?.withoutRetries).toBe(true);
    expect(v.p99?.leader.row.strategy).toBe('atomic');
    expect(v.withoutAtomic?.leader.row.strategy).toBe('for-update');
    const transfer = levelVerdict(group(withMeasurementQuality(), 'transfer-hot-set-postgres-closed'), 32);
    // Both retried: the lowest p99 overall, and the report says they all retried.
    expect(transfer.p99?.withoutRetries).toBe(false);
    expect(transfer.p99?.leader.row.strategy).toBe('optimistic');
  });
});

describe('sweep ranking', () => {
  it('finds where the lead changes along the connections sweep', () => {
    const g = group(tightRepeats(fixture), 'account-hot-postgres-closed');
    const ranking = sweepRanking(g);
    if (!ranking) throw new Error('expected a sweep ranking');
    expect(ranking.strategies).toEqual(['for-update', 'optimistic']);
    expect(ranking.segments).toEqual([
      { strategy: 'optimistic', tied: [], from: 8, to: 8 },
      { strategy: 'for-update', tied: [], from: 32, to: 32 },
    ]);
    expect(describeSweep(g, ranking)).toBe(
      'The ranking changes with the number of connections: optimistic leads at 8 connections, for-update at 32 connections.',
    );
  });

  it('says the leader holds when it does', () => {
    const steady = variant(
      (c) => c.key === 'postgres/account/hot/for-update/closed/8',
      (c) => {
        c.metrics.goodputPerSec = 1900 + c.repeat;
      },
      tightRepeats(fixture),
    );
    const g = group(steady, 'account-hot-postgres-closed');
    const ranking = sweepRanking(g);
    if (!ranking) throw new Error('expected a sweep ranking');
    expect(ranking.changes).toBe(false);
    expect(describeSweep(g, ranking)).toBe('for-update leads at every level measured (8 to 32 connections).');
  });

  it('names a tie instead of a leader where the intervals overlap', () => {
    // Two repeats each, t-intervals of about ±20%: for-update and optimistic overlap at both levels.
    const g = group(fixture, 'account-hot-postgres-closed');
    const ranking = sweepRanking(g);
    if (!ranking) throw new Error('expected a sweep ranking');
    expect(ranking.changes).toBe(false);
    expect(describeSweep(g, ranking)).toBe(
      'for-update and optimistic are tied at every level measured (8 to 32 connections): their goodput intervals overlap.',
    );
  });

  it('has nothing to say about a group with one level', () => {
    expect(sweepRanking(group(fixture, 'account-hot-mysql-closed'))).toBeNull();
  });
});

describe('violations in words', () => {
  it('describes lost updates, oversold and double-booked seats with their counts', () => {
    const naive = measuredCell(fixture, 'postgres/tickets/sellout/naive/closed/32').correctness;
    const words = describeViolations(naive, 'tickets');
    expect(words).toContain(`oversold ${naive.oversold} seats`);
    expect(words).toContain(`double-booked ${naive.doubleBooked} seats`);
    const account = measuredCell(fixture, 'postgres/account/hot/naive/closed/32').correctness;
    expect(describeViolations(account, 'account')[0]).toMatch(
      new RegExp(`^lost updates on ${account.lostUpdates} accounts`),
    );
  });

  it('finds nothing wrong in a clean check', () => {
    const clean = measuredCell(fixture, 'postgres/account/hot/atomic/closed/32').correctness;
    expect(hasViolations(clean)).toBe(false);
    expect(describeViolations(clean, 'account')).toEqual([]);
  });
});

describe('observations', () => {
  it('emits each supported observation for the fixture', () => {
    expect(new Set(kinds(fixture))).toEqual(
      new Set<ObservationKind>([
        'driver-cpu',
        'retry-storm',
        'skip-locked-hot-row',
        'serialization-failures',
        'pool-saturation',
        'mariadb-nowait-1205',
        'repeatable-read-lost-update',
        'deadlocks',
        'pg-limit-recheck',
      ]),
    );
  });

  it('backs each observation with the figure that triggered it', () => {
    const nowait = measuredCell(fixture, 'mysql/account/hot/nowait/closed/32');
    const found = observationsOf(fixture, 'mariadb-nowait-1205')[0];
    expect(found?.figures).toContain(nowait.metrics.errors.lockTimeout.toLocaleString('en-US'));
    // Where it showed, with the database's version cut to major.minor.
    expect(found?.where).toMatch(/^account · hot · mysql \(MariaDB \d+\.\d+\)$/);
    const deadlock = observationsOf(fixture, 'deadlocks')[0]?.figures ?? '';
    expect(deadlock).toContain('23 deadlocks');
    // The setting behind them is specific to this run; the generic cause is in the explanation.
    expect(deadlock).toContain('request order');
    expect(FINDINGS.deadlocks.explanation).toContain('id order');
  });

  it('keeps the figures of an occurrence apart from what its kind means', () => {
    for (const o of observe(fixture)) {
      const { explanation } = FINDINGS[o.kind];
      expect(o.figures).not.toContain(explanation.slice(0, 40));
      expect(o.figures).toMatch(/\d/);
    }
    // One occurrence per comparison, each with its own figures.
    const storms = observationsOf(fixture, 'retry-storm');
    expect(storms.length).toBeGreaterThan(1);
    expect(new Set(storms.map((o) => o.where)).size).toBe(storms.length);
    expect(storms[0]?.figures).toMatch(/^extra attempts per success at 32 connections: \S+ \d/);
  });

  it('drops the retry-storm observation when retries are cheap', () => {
    const calm = variant(
      (c) => (c.metrics?.retries.extraAttemptsPerSuccess ?? 0) >= 1,
      (c) => {
        c.metrics.retries.extraAttemptsPerSuccess = 0.3;
      },
    );
    expect(kinds(calm)).not.toContain('retry-storm');
  });

  it('drops the deadlock observation without deadlocks', () => {
    const none = variant(cellOf('postgres', 'transfer', 'for-update'), (c) => {
      c.metrics.errors.deadlock = 0;
    });
    expect(kinds(none)).not.toContain('deadlocks');
  });

  it('drops pool saturation when the pool covers the connections', () => {
    const big = variant(
      () => true,
      (c) => {
        c.server.pool = 64;
      },
    );
    expect(kinds(big)).not.toContain('pool-saturation');
    // ...and names the pool and workers when it does not.
    const text = observationsOf(fixture, 'pool-saturation')[0]?.figures ?? '';
    expect(text).toContain('10 database connections (pool 10)');
  });

  it('drops the PostgreSQL LIMIT re-check when for-update on tickets never retried', () => {
    const none = variant(cellOf('postgres', 'tickets', 'for-update'), (c) => {
      c.metrics.retries.retriedShare = 0;
      c.metrics.retries.extraAttemptsPerSuccess = 0;
      c.metrics.outcomes.conflict = 0;
    });
    expect(kinds(none)).not.toContain('pg-limit-recheck');
    // A handful of retries in thousands of reservations is not a finding either.
    const few = variant(cellOf('postgres', 'tickets', 'for-update'), (c) => {
      c.metrics.retries.retriedShare = 0.001;
      c.metrics.retries.extraAttemptsPerSuccess = 0.001;
      c.metrics.outcomes.conflict = 0;
    });
    expect(kinds(few)).not.toContain('pg-limit-recheck');
  });

  it('drops the MariaDB NOWAIT remark once lock-not-available errors are reported', () => {
    const mysqlLike = variant(cellOf('mysql', 'account', 'nowait'), (c) => {
      c.metrics.errors.lockNotAvailable = c.metrics.errors.lockTimeout;
      c.metrics.errors.lockTimeout = 0;
    });
    expect(kinds(mysqlLike)).not.toContain('mariadb-nowait-1205');
  });

  it('drops the skip-locked remark when skip-locked did not retry', () => {
    const none = variant(cellOf('postgres', 'account', 'skip-locked'), (c) => {
      c.metrics.retries.extraAttemptsPerSuccess = 0;
      c.metrics.outcomes.conflict = 0;
    });
    expect(kinds(none)).not.toContain('skip-locked-hot-row');
  });

  it('drops the serialization remark without serialization failures', () => {
    const none = variant(cellOf('postgres', 'account', 'serializable'), (c) => {
      c.metrics.errors.serialization = 0;
    });
    expect(kinds(none)).not.toContain('serialization-failures');
  });

  it('drops the driver CPU warning when the driver had headroom', () => {
    const idle = variant(
      () => true,
      (c) => {
        c.metrics.cpu.driverSec = c.metrics.durationSec * 0.5;
      },
    );
    expect(kinds(idle)).not.toContain('driver-cpu');
  });

  it('drops the REPEATABLE READ remark when MariaDB ran READ COMMITTED', () => {
    const base = structuredClone(fixture);
    for (const d of base.databases) if (d.id === 'mysql') d.settings.tx_isolation = 'READ-COMMITTED';
    expect(kinds(base)).not.toContain('repeatable-read-lost-update');
  });

  it('reports an interrupted run only when it was interrupted', () => {
    expect(kinds(fixture)).not.toContain('interrupted');
    expect(kinds({ ...fixture, interrupted: true })).toContain('interrupted');
  });

  it('flags a strategy that claims safety and broke an invariant', () => {
    expect(kinds(fixture)).not.toContain('unsafe-claim');
    const broken = variant(cellOf('mysql', 'account', 'for-update'), (c) => {
      c.status = 'unsafe';
      if (c.correctness) {
        c.correctness.lostUpdates = 3;
        c.correctness.violations = 3;
      }
    });
    const text = observationsOf(broken, 'unsafe-claim')[0]?.figures ?? '';
    expect(text).toContain('at 32 connections: for-update lost updates on 3 accounts');
    // ...and it is disqualified, so the verdict moves on.
    expect(levelVerdict(group(broken, 'account-hot-mysql-closed'), 32).goodput?.runnerUp?.row.strategy).toBe(
      'optimistic',
    );
  });
});
