import { describe, expect, it } from 'vitest';
import { type Cell, RunResult } from '../../bench/result-schema.ts';
import {
  type CompareOptions,
  compareRuns,
  DEFAULT_COMPARE_OPTIONS,
} from '../../scripts/compare/compare-runs.ts';
import { spreadOf } from '../../scripts/compare/spread.ts';
import { judge } from '../../scripts/compare/verdict.ts';
import { buildRun, correctnessFor, is, makeCell, mapCells, scaleCells } from './compare-run-builder.ts';

const mode = (m: CompareOptions['mode']): CompareOptions => ({ ...DEFAULT_COMPARE_OPTIONS, mode: m });
const all = () => true;
const row = (c: ReturnType<typeof compareRuns>, label: string, metric: string) => {
  const r = c.metrics.find((m) => m.label === label && m.metric === metric);
  if (!r) throw new Error(`no row ${label} ${metric}`);
  return r;
};

describe('compareRuns', () => {
  const base = buildRun();

  it('identical runs compare clean in every mode', () => {
    for (const m of ['absolute', 'relative', 'both'] as const) {
      const c = compareRuns(base, structuredClone(base), mode(m));
      expect(c.failed).toBe(false);
      expect(c.counts).toEqual({ ok: 24, improved: 0, regression: 0, noise: 0 });
      expect(c.correctness.failures).toEqual([]);
      expect(c.added).toEqual([]);
      expect(c.removed).toEqual([]);
      expect(c.warnings).toEqual([]);
    }
  });

  it('groups repeats by key: 8 cells x 3 metrics with 3 repeats each', () => {
    const c = compareRuns(base, base);
    expect(c.metrics).toHaveLength(24);
    expect(c.metrics.every((m) => m.absolute.baseline.n === 3 && m.absolute.current.n === 3)).toBe(true);
    expect(row(c, 'postgres/account/hot/for-update c=32', 'goodput').absolute.baseline.median).toBe(900);
  });

  it('a 30% goodput drop beyond the noise is a regression in every mode', () => {
    const cur = scaleCells(base, is('postgres', 'for-update'), { goodput: 0.7 });
    for (const m of ['absolute', 'relative', 'both'] as const) {
      const c = compareRuns(base, cur, mode(m));
      const r = row(c, 'postgres/account/hot/for-update c=32', 'goodput');
      expect(r.verdict, m).toBe('regression');
      expect(r.absolute.reason).toBe('separated');
      expect(r.absolute.change).toBeCloseTo(-0.3, 6);
      expect(c.failed, m).toBe(true);
      expect(c.counts.regression, m).toBe(1);
    }
  });

  it('a 5% change passes, and a 20% change whose repeats overlap is noise, not a regression', () => {
    const small = compareRuns(base, scaleCells(base, is('postgres', 'for-update'), { goodput: 0.95 }));
    expect(row(small, 'postgres/account/hot/for-update c=32', 'goodput').verdict).toBe('ok');
    expect(small.failed).toBe(false);

    const wide = buildRun({ jitter: [0.8, 1, 1.1] });
    const cur = mapCells(wide, is('postgres', 'for-update'), (c) => {
      const g = [650, 720, 900][c.repeat] as number;
      // biome-ignore lint/style/noNonNullAssertion: builder cells are measured
      return { ...c, metrics: { ...c.metrics!, goodputPerSec: g } };
    });
    const c = compareRuns(wide, cur, mode('absolute'));
    const r = row(c, 'postgres/account/hot/for-update c=32', 'goodput');
    expect(r.absolute.change).toBeCloseTo(-0.2, 6);
    expect(r.verdict).toBe('noise');
    expect(r.absolute.reason).toBe('overlap');
    expect(c.failed).toBe(false);
  });

  it('a uniformly 30% slower runner fails in absolute mode, passes in relative and both', () => {
    const slower = scaleCells(base, all, { goodput: 0.7, latency: 1 / 0.7 });
    const abs = compareRuns(base, slower, mode('absolute'));
    expect(abs.failed).toBe(true);
    expect(abs.counts.regression).toBe(16); // goodput and p99 of 8 cells; extra attempts unchanged
    for (const m of ['relative', 'both'] as const) {
      const c = compareRuns(base, slower, mode(m));
      expect(c.failed, m).toBe(false);
      expect(c.counts.regression, m).toBe(0);
      const r = row(c, 'mysql/account/hot/optimistic c=32', 'goodput');
      expect(r.relative?.reference).toBe('atomic');
      expect(r.relative?.verdict).toBe('ok');
      expect(r.relative?.current.median).toBeCloseTo(0.3, 9);
      expect(c.warnings).toEqual([]);
    }
    // both: absolute regression without a relative one is called noise
    const both = compareRuns(base, slower, mode('both'));
    expect(row(both, 'mysql/account/hot/optimistic c=32', 'goodput').verdict).toBe('noise');
    expect(row(both, 'mysql/account/hot/atomic c=32', 'goodput').isReference).toBe(true);
  });

  it('a strategy-specific slowdown on a slower runner still fails in both mode', () => {
    const slower = scaleCells(base, all, { goodput: 0.8, latency: 1.25 });
    const cur = scaleCells(slower, is('mysql', 'optimistic'), { goodput: 0.6 });
    const c = compareRuns(base, cur, mode('both'));
    expect(c.failed).toBe(true);
    expect(c.metrics.filter((m) => m.verdict === 'regression').map((m) => `${m.label} ${m.metric}`)).toEqual([
      'mysql/account/hot/optimistic c=32 goodput',
    ]);
  });

  it('warns when the reference strategy alone lost goodput (relative mode cannot see it)', () => {
    const cur = scaleCells(base, is('postgres', 'atomic'), { goodput: 0.6 });
    const c = compareRuns(base, cur, mode('both'));
    expect(c.failed).toBe(false);
    expect(row(c, 'postgres/account/hot/atomic c=32', 'goodput').verdict).toBe('noise');
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toMatch(
      /Reference atomic \(postgres\/account\/hot\/atomic c=32\) lost goodput on its own/,
    );
    // absolute mode does see it
    expect(compareRuns(base, cur, mode('absolute')).failed).toBe(true);
  });

  it('falls back to the best baseline goodput as reference when atomic is missing', () => {
    const run = buildRun({ strategies: ['for-update', 'optimistic', 'naive'] });
    const c = compareRuns(run, run, mode('relative'));
    expect(c.references.map((r) => [r.peerGroup, r.strategy, r.chosenBy])).toEqual([
      ['postgres/account/hot closed c=32', 'naive', 'best'],
      ['mysql/account/hot closed c=32', 'naive', 'best'],
    ]);
    const custom = compareRuns(run, run, { ...mode('relative'), reference: 'for-update' });
    expect(custom.references.every((r) => r.strategy === 'for-update' && r.chosenBy === 'requested')).toBe(
      true,
    );
  });

  it('a correctness violation by a strategy that claims safety fails even when faster', () => {
    const faster = scaleCells(base, is('postgres', 'for-update'), { goodput: 1.3 });
    const cur = mapCells(
      faster,
      (c) => is('postgres', 'for-update')(c) && c.repeat === 1,
      (c) => ({
        ...c,
        status: 'unsafe',
        correctness: correctnessFor(true, 3),
      }),
    );
    const c = compareRuns(base, cur);
    expect(row(c, 'postgres/account/hot/for-update c=32', 'goodput').absolute.verdict).toBe('improved');
    expect(c.counts.regression).toBe(0);
    expect(c.failed).toBe(true);
    expect(c.correctness.failures).toEqual([
      expect.objectContaining({
        label: 'postgres/account/hot/for-update c=32',
        repeat: 1,
        kind: 'violations',
        violations: 3,
      }),
    ]);
    expect(c.correctness.failures[0]?.detail).toBe('3 violation(s): lost updates 3');
  });

  it('violations counted with status ok still fail a claims-safe strategy', () => {
    const cur = mapCells(
      base,
      (c) => is('mysql', 'atomic')(c) && c.repeat === 0,
      (c) => ({
        ...c,
        correctness: correctnessFor(true, 1),
      }),
    );
    expect(compareRuns(base, cur).correctness.failures.map((f) => f.kind)).toEqual(['violations']);
  });

  it('naive (claimsSafe false) with violations does not fail and is noted', () => {
    const c = compareRuns(base, base);
    expect(base.cells.filter((x) => x.strategy === 'naive').every((x) => x.status === 'unsafe')).toBe(true);
    expect(c.failed).toBe(false);
    expect(c.correctness.expectedUnsafe.map((u) => [u.label, u.maxViolations, u.unsafeRepeats])).toEqual([
      ['postgres/account/hot/naive c=32', 37, 3],
      ['mysql/account/hot/naive c=32', 37, 3],
    ]);
  });

  it('a cell that failed in current but not in baseline is a failure; failing on both sides is a note', () => {
    const fail = (c: Cell): Cell => ({
      ...c,
      status: 'failed',
      reason: 'server crashed',
      metrics: null,
      correctness: null,
    });
    const cur = mapCells(base, is('mysql', 'optimistic'), fail);
    const c = compareRuns(base, cur);
    expect(c.failed).toBe(true);
    expect(c.correctness.failures.map((f) => [f.kind, f.repeat, f.detail])).toEqual([
      ['newly-failed', 0, 'server crashed'],
      ['newly-failed', 1, 'server crashed'],
      ['newly-failed', 2, 'server crashed'],
    ]);
    expect(c.unmeasured).toEqual([
      {
        key: 'mysql/account/hot/optimistic/closed/32',
        label: 'mysql/account/hot/optimistic c=32',
        baseline: 'ok×3',
        current: 'failed×3',
      },
    ]);

    const still = compareRuns(cur, cur);
    expect(still.failed).toBe(false);
    expect(still.correctness.failures).toEqual([]);

    const unsupported = mapCells(base, is('mysql', 'optimistic'), (c) => ({
      ...fail(c),
      status: 'unsupported',
    }));
    const u = compareRuns(base, unsupported);
    expect(u.failed).toBe(false);
    expect(u.correctness.statusChanges.map((s) => [s.baseline, s.current])).toEqual([
      ['ok×3', 'unsupported×3'],
    ]);
  });

  it('reports cells missing on one side instead of crashing', () => {
    const removed = RunResult.parse({
      ...base,
      cells: base.cells.filter((c) => !is('mysql', 'optimistic')(c)),
    });
    const extra = [0, 1, 2].map((repeat) =>
      makeCell({
        database: 'postgres',
        strategy: 'skip-locked',
        repeat,
        figures: { goodput: 700, p99: 50, extraAttempts: 0.2 },
      }),
    );
    const cur = RunResult.parse({ ...removed, cells: [...removed.cells, ...extra] });
    const c = compareRuns(base, cur);
    expect(c.failed).toBe(false);
    expect(c.added).toEqual([
      { key: 'postgres/account/hot/skip-locked/closed/32', label: 'postgres/account/hot/skip-locked c=32' },
    ]);
    expect(c.removed).toEqual([
      { key: 'mysql/account/hot/optimistic/closed/32', label: 'mysql/account/hot/optimistic c=32' },
    ]);
    expect(c.metrics).toHaveLength(21);
    // an empty side is not a crash either
    const empty = RunResult.parse({ ...base, cells: [] });
    expect(compareRuns(empty, base).added).toHaveLength(8);
    expect(compareRuns(base, empty).removed).toHaveLength(8);
  });

  it('with one repeat only the threshold applies', () => {
    const one = buildRun({ jitter: [1] });
    const drop = (f: number) =>
      compareRuns(one, scaleCells(one, is('postgres', 'for-update'), { goodput: f }), mode('absolute'));
    const r20 = row(drop(0.8), 'postgres/account/hot/for-update c=32', 'goodput');
    expect([r20.verdict, r20.absolute.reason]).toEqual(['regression', 'single-repeat']);
    expect(row(drop(0.9), 'postgres/account/hot/for-update c=32', 'goodput').verdict).toBe('ok');
  });

  it('thresholds are per metric', () => {
    const cur = scaleCells(base, is('postgres', 'for-update'), { goodput: 0.88 });
    const opts = (goodput: number): CompareOptions => ({
      ...mode('absolute'),
      thresholds: { ...DEFAULT_COMPARE_OPTIONS.thresholds, goodput },
    });
    expect(compareRuns(base, cur, opts(0.15)).failed).toBe(false);
    expect(compareRuns(base, cur, opts(0.1)).failed).toBe(true);
  });

  it('extra attempts near zero use an absolute floor; a real jump is still a regression', () => {
    const set = (run: RunResult, v: number) =>
      mapCells(run, is('postgres', 'for-update'), (c) => ({
        ...c,
        // biome-ignore lint/style/noNonNullAssertion: builder cells are measured
        metrics: { ...c.metrics!, retries: { ...c.metrics!.retries, extraAttemptsPerSuccess: v } },
      }));
    const label = 'postgres/account/hot/for-update c=32';
    const tiny = compareRuns(set(base, 0.001), set(base, 0.002));
    const r = row(tiny, label, 'extraAttempts');
    expect(r.absolute.ratio).toBe(2);
    expect(r.absolute.change).toBeCloseTo(0.02, 9);
    expect(r.verdict).toBe('ok');
    const jump = row(compareRuns(set(base, 0), set(base, 0.3)), label, 'extraAttempts');
    expect(jump.absolute.ratio).toBeNull();
    expect(jump.verdict).toBe('regression');
  });

  it('flags an interrupted current run', () => {
    const c = compareRuns(base, { ...base, interrupted: true });
    expect(c.warnings).toEqual(['The current run was interrupted: it holds only the cells that finished.']);
  });
});

describe('judge', () => {
  const s = (...v: number[]) => spreadOf(v) ?? (undefined as never);
  const opts = { better: 'bigger' as const, floor: 0, threshold: 0.15 };

  it('a change exactly at the threshold is ok; beyond it counts', () => {
    expect(judge(s(100), s(85), opts).verdict).toBe('ok');
    expect(judge(s(100), s(84.9), opts).verdict).toBe('regression');
  });

  it('smaller-is-better direction', () => {
    expect(judge(s(10, 11, 12), s(20, 21, 22), { ...opts, better: 'smaller' }).verdict).toBe('regression');
    expect(judge(s(20, 21, 22), s(10, 11, 12), { ...opts, better: 'smaller' }).verdict).toBe('improved');
  });

  it('ranges touching at one point overlap', () => {
    expect(judge(s(90, 100, 110), s(60, 70, 90), opts).verdict).toBe('noise');
    expect(judge(s(90, 100, 110), s(60, 70, 89), opts).verdict).toBe('regression');
  });
});

describe('compareRuns context warnings', () => {
  const base = buildRun();

  it('warns when nothing could be compared', () => {
    const renamed = mapCells(base, all, (c) => ({
      ...c,
      database: 'mariadb',
      key: c.key.replace('mysql/', 'mariadb/').replace('postgres/', 'pg15/'),
    }));
    const c = compareRuns(base, renamed);
    expect(c.metrics).toEqual([]);
    expect(c.failed).toBe(false);
    expect(c.warnings).toContain(
      'No cell was compared: the runs share no measured cell key (different databases, preset or matrix?). This comparison proves nothing.',
    );
  });

  it('warns when a database product or version differs', () => {
    const cur = RunResult.parse({
      ...base,
      databases: base.databases.map((d) => (d.id === 'postgres' ? { ...d, version: '18.4' } : d)),
    });
    expect(compareRuns(base, cur).warnings).toEqual([
      'Database postgres differs: baseline postgresql 17.2, current postgresql 18.4.',
    ]);
  });
});
