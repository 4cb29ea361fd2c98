import { describe, expect, it } from 'vitest';
import { type CompareOptions, compareRuns, DEFAULT_COMPARE_OPTIONS } from '../../compare/compare-runs.ts';
import type { Estimate } from '../../compare/estimate.ts';
import { renderComparisonMarkdown as renderMarkdown } from '../../compare/render-markdown.ts';
import { judge } from '../../compare/verdict.ts';
import { type Cell, RunResult } from '../../core/result-schema.ts';
import {
  buildRun,
  correctnessFor,
  is,
  makeCell,
  mapCells,
  scaleCells,
  withIntervals,
} from './compare-run-builder.ts';

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
      expect(c.counts).toEqual({ regression: 0, improved: 0, noise: 24, 'not-judged': 0 });
      expect(c.outcome).toBe('pass');
      expect(c.correctness.failures).toEqual([]);
      expect(c.added).toEqual([]);
      expect(c.removed).toEqual([]);
      expect(c.warnings).toEqual([]);
    }
  });

  it('groups repeats by key: 8 cells x 3 metrics with 3 repeats each, a t-interval over the repeats', () => {
    const c = compareRuns(base, base);
    expect(c.metrics).toHaveLength(24);
    expect(
      c.metrics.every((m) => m.absolute.baseline.repeats === 3 && m.absolute.current.repeats === 3),
    ).toBe(true);
    expect(c.metrics.every((m) => m.absolute.baseline.method === 'repeats')).toBe(true);
    const g = row(c, 'postgres/account/hot/for-update c=32', 'goodput').absolute.baseline;
    expect(g.value).toBe(900);
    // 882, 900, 918: sd 18, t(2) = 4.303, half-width 4.303 x 18 / sqrt(3) = 44.72
    expect(g.interval?.low).toBeCloseTo(855.28, 2);
    expect(g.interval?.high).toBeCloseTo(944.72, 2);
  });

  it('a 30% goodput drop beyond the noise is a regression in every mode', () => {
    const cur = scaleCells(base, is('postgres', 'for-update'), { goodput: 0.7 });
    for (const m of ['absolute', 'relative', 'both'] as const) {
      const c = compareRuns(base, cur, mode(m));
      const r = row(c, 'postgres/account/hot/for-update c=32', 'goodput');
      expect(r.verdict, m).toBe('regression');
      expect(r.absolute.reason).toBe('beyond-threshold');
      expect(r.absolute.ratio).toBeCloseTo(0.7, 6);
      expect(r.absolute.ratioInterval?.high).toBeLessThan(0.85);
      expect(c.failed, m).toBe(true);
      expect(c.counts.regression, m).toBe(1);
    }
  });

  it('a 5% change is noise, and a 20% drop whose interval reaches back inside the threshold too', () => {
    const small = compareRuns(base, scaleCells(base, is('postgres', 'for-update'), { goodput: 0.95 }));
    const s = row(small, 'postgres/account/hot/for-update c=32', 'goodput');
    expect([s.verdict, s.absolute.reason]).toEqual(['noise', 'within-threshold']);
    expect(small.failed).toBe(false);

    const wide = buildRun({ jitter: [0.8, 1, 1.1] }); // for-update: 720, 900, 990 (mean 870)
    const cur = mapCells(wide, is('postgres', 'for-update'), (c) => {
      const g = [620, 700, 780][c.repeat] as number;
      // biome-ignore lint/style/noNonNullAssertion: builder cells are measured
      return { ...c, metrics: { ...c.metrics!, goodputPerSec: g } };
    });
    const c = compareRuns(wide, cur, mode('absolute'));
    const r = row(c, 'postgres/account/hot/for-update c=32', 'goodput');
    expect(r.absolute.ratio).toBeCloseTo(700 / 870, 6);
    expect(r.verdict).toBe('noise');
    expect(r.absolute.reason).toBe('interval-reaches-threshold');
    expect(r.absolute.ratioInterval?.high).toBeGreaterThan(0.85);
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
      expect(r.relative?.verdict).toBe('noise');
      expect(r.relative?.current.value).toBeCloseTo(0.3, 9);
      expect(c.warnings).toEqual([]);
    }
    // both: absolute regression without a relative one is called noise
    const both = compareRuns(base, slower, mode('both'));
    expect(row(both, 'mysql/account/hot/optimistic c=32', 'goodput').verdict).toBe('noise');
    expect(row(both, 'mysql/account/hot/atomic c=32', 'goodput').isReference).toBe(true);
  });

  it('relative figures pair repeats: a runner mood shared by a strategy and its reference cancels', () => {
    // every strategy's repeats at 0.8, 1, 1.2 of its mean: absolute intervals of about ±50%
    const moody = buildRun({ jitter: [0.8, 1, 1.2] });
    const cur = scaleCells(moody, is('postgres', 'for-update'), { goodput: 0.7 });
    const c = compareRuns(moody, cur, mode('relative'));
    const r = row(c, 'postgres/account/hot/for-update c=32', 'goodput');
    expect(r.absolute.verdict).toBe('noise');
    expect(r.relative?.baseline.method).toBe('repeats');
    expect(r.relative?.current.value).toBeCloseTo(0.315, 9);
    expect(r.verdict).toBe('regression');
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

  it('thresholds are per metric', () => {
    // ratio 0.8, interval about [0.74, 0.86]: reaches inside 15%, not inside 10%
    const cur = scaleCells(base, is('postgres', 'for-update'), { goodput: 0.8 });
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
    expect(r.absolute.ratio).toBe(1); // both raised to the floor, 0.05
    expect(r.verdict).toBe('noise');
    const jump = row(compareRuns(set(base, 0), set(base, 0.3)), label, 'extraAttempts');
    expect(jump.absolute.ratio).toBeCloseTo(6, 9); // 0.3 / 0.05
    expect(jump.verdict).toBe('regression');
  });

  it('flags an interrupted current run', () => {
    const c = compareRuns(base, { ...base, interrupted: true });
    expect(c.warnings).toEqual(['The current run was interrupted: it holds only the cells that finished.']);
  });
});

describe('compareRuns with one repeat: judged only where the runs carry intervals', () => {
  const label = 'postgres/account/hot/for-update c=32';
  const forUpdate = is('postgres', 'for-update');
  const modes = ['absolute', 'relative', 'both'] as const;

  it('no intervals (old runs, short cells): a 26% drop is not judged and nothing fails; could not tell', () => {
    const one = buildRun({ jitter: [1] });
    const cur = scaleCells(one, forUpdate, { goodput: 0.74 });
    for (const m of modes) {
      const c = compareRuns(one, cur, mode(m));
      expect(row(c, label, 'goodput').verdict, m).toBe('not-judged');
      expect(c.failed, m).toBe(false);
      expect(c.outcome, m).toBe('could-not-tell');
    }
    const c = compareRuns(one, cur);
    // goodput and p99 of 8 cells, extra attempts of optimistic (0.4) in 2: no interval.
    // Extra attempts of atomic, for-update and naive are 0 on both sides: below the floor, noise.
    expect(c.counts).toEqual({ regression: 0, improved: 0, noise: 6, 'not-judged': 18 });
    expect(row(c, label, 'extraAttempts').absolute.reason).toBe('below-floor');
  });

  it('an interval on one side only is not enough', () => {
    const one = buildRun({ jitter: [1] });
    const cur = scaleCells(withIntervals(one, all, { goodput: 0.02, p99: 0.02 }), forUpdate, {
      goodput: 0.5,
    });
    const c = compareRuns(one, cur, mode('absolute'));
    expect(row(c, label, 'goodput').verdict).toBe('not-judged');
    expect(c.outcome).toBe('could-not-tell');
  });

  it('overlapping intervals: the same 26% drop inside ±10% noise on each side is noise', () => {
    const one = buildRun({ jitter: [1], intervals: { goodput: 0.1, p99: 0.1 } });
    const cur = scaleCells(one, forUpdate, { goodput: 0.74 });
    for (const m of modes) {
      const c = compareRuns(one, cur, mode(m));
      const r = row(c, label, 'goodput');
      expect(r.verdict, m).toBe('noise');
      expect(r.absolute.reason).toBe('interval-reaches-threshold');
      expect(r.absolute.current.method).toBe('batch-means');
      expect(c.failed, m).toBe(false);
      expect(c.outcome, m).toBe('pass');
    }
  });

  it('a planted 30% drop with intervals scaled with it is a regression in every mode', () => {
    const one = buildRun({ jitter: [1], intervals: { goodput: 0.05, p99: 0.05 } });
    const cur = scaleCells(one, forUpdate, { goodput: 0.7 });
    // biome-ignore lint/style/noNonNullAssertion: builder cells are measured
    const planted = cur.cells.find(forUpdate)!.metrics!.intervals!.goodputPerSec!;
    expect([planted.estimate, planted.low, planted.high]).toEqual([630, 598.5, 661.5]);
    for (const m of modes) {
      const c = compareRuns(one, cur, mode(m));
      expect(row(c, label, 'goodput').verdict, m).toBe('regression');
      expect(c.counts.regression, m).toBe(1);
      expect(c.failed, m).toBe(true);
      expect(c.outcome, m).toBe('fail');
    }
  });

  /** A steadiness record: `steady` with made-up figures that agree with it. */
  const steadiness = (steady: boolean) => ({
    steady,
    warmupPolicy: 'auto' as const,
    warmupSec: 10,
    warmupCapped: !steady,
    trendPctPerSec: steady ? 0.5 : 9,
    trendT: steady ? 0.4 : 6,
    cov: 0.05,
    lastToMean: 1,
    monotoneClimb: false,
    rule: { maxTrendPctPerSec: 5, maxCov: 0.2, maxLastDeviation: 0.15, trendMustBeSignificant: true },
  });
  const busy = (share: number) => ({
    cores: 2,
    machineBusySec: 8,
    ownSec: 8 - share * 10,
    otherSec: share * 10,
    stealSec: 0,
    otherShare: share,
    databaseCounted: true,
    suspect: share >= 0.15,
  });

  it('a one-repeat cell that was not steady on either side is not judged, however far it moved', () => {
    const one = buildRun({ jitter: [1], intervals: { goodput: 0.05, p99: 0.05 } });
    const unsteady = (run: typeof one) =>
      mapCells(run, forUpdate, (c) => ({
        ...c,
        metrics: c.metrics && { ...c.metrics, steady: steadiness(false) },
      }));
    const steadyBase = mapCells(one, all, (c) => ({
      ...c,
      metrics: c.metrics && { ...c.metrics, steady: steadiness(true) },
    }));
    const dropped = scaleCells(steadyBase, forUpdate, { goodput: 0.6 });
    for (const [base, cur, side] of [
      [steadyBase, unsteady(dropped), 'current'],
      [unsteady(steadyBase), dropped, 'baseline'],
    ] as const) {
      for (const m of modes) {
        const c = compareRuns(base, cur, mode(m));
        const r = row(c, label, 'goodput');
        expect(r.verdict, `${m} ${side}`).toBe('not-judged');
        expect(r.absolute.reason, `${m} ${side}`).toBe('not-steady');
        expect(r.absolute[side].withheld).toBe('not-steady');
        expect(r.absolute[side].interval).toBeNull();
        expect(c.failed, m).toBe(false);
        expect(renderMarkdown(c)).toContain('not judged: not steady');
      }
    }
    // The same drop between steady cells is a regression: the rule withholds, it does not excuse.
    expect(compareRuns(steadyBase, dropped).failed).toBe(true);
  });

  it('a one-repeat cell measured while something else took 15% or more of the machine is not judged', () => {
    const one = buildRun({ jitter: [1], intervals: { goodput: 0.05, p99: 0.05 } });
    const withBusy = (run: typeof one, share: number) =>
      mapCells(run, forUpdate, (c) => ({
        ...c,
        metrics: c.metrics && { ...c.metrics, interference: busy(share) },
      }));
    const dropped = scaleCells(one, forUpdate, { goodput: 0.6 });
    const disturbed = compareRuns(one, withBusy(dropped, 0.3));
    expect(row(disturbed, label, 'goodput').absolute.reason).toBe('disturbed');
    expect(disturbed.failed).toBe(false);
    expect(renderMarkdown(disturbed)).toMatch(/not judged: .*machine busy/);
    // 10% of the machine taken is below the bound: still judged, still a regression.
    expect(compareRuns(one, withBusy(dropped, 0.1)).failed).toBe(true);
  });

  it('with repeats an unsteady cell is judged on the spread of its repeats', () => {
    const three = buildRun({ intervals: { goodput: 0.05, p99: 0.05 } });
    const unsteady = mapCells(scaleCells(three, forUpdate, { goodput: 0.6 }), forUpdate, (c) => ({
      ...c,
      metrics: c.metrics && { ...c.metrics, steady: steadiness(false) },
    }));
    const c = compareRuns(three, unsteady, mode('absolute'));
    const r = row(c, label, 'goodput');
    expect(r.absolute.current.method).toBe('repeats');
    expect(r.verdict).toBe('regression');
  });

  /** Two one-repeat runs of 8 cells whose goodput differs per cell by these factors, ±5% intervals. */
  const scattered = (factors: readonly number[]) => {
    const one = buildRun({ jitter: [1], intervals: { goodput: 0.05, p99: 0.05 } });
    let cur = one;
    one.cells.forEach((cell, i) => {
      cur = scaleCells(cur, (c) => c.key === cell.key, { goodput: factors[i] as number });
    });
    return [one, cur] as const;
  };
  // What two back-to-back runs of one commit look like: cells 5-25% apart, each within ±5% of itself.
  const AA_FACTORS = [0.78, 1.25, 0.9, 1.12, 0.95, 1.2, 0.83, 1.05];

  it('an A/A pair whose cells scatter beyond their own intervals: the scatter is measured and nothing fails', () => {
    const [one, cur] = scattered(AA_FACTORS);
    const worst = cur.cells[0] as Cell; // ×0.78
    const c = compareRuns(one, cur, mode('absolute'));
    const noise = c.runNoise.find((n) => n.metric === 'goodput' && n.basis === 'absolute');
    if (!noise) throw new Error('no goodput noise estimate');
    expect(noise.figures).toBe(8);
    // median |ln ratio - median| is about 0.15, times 1.4826; the cells' own se is 0.026
    expect(noise.scatter).toBeCloseTo(0.22, 2);
    expect(noise.tau).toBeCloseTo(Math.sqrt(noise.scatter ** 2 - noise.ownSe ** 2), 12);
    const r = c.metrics.find((m) => m.key === worst.key && m.metric === 'goodput');
    expect(r?.absolute.ratio).toBeCloseTo(0.78, 9);
    expect([r?.verdict, r?.absolute.reason]).toEqual(['noise', 'interval-reaches-threshold']);
    expect(c.counts.regression).toBe(0);
    expect(c.outcome).toBe('pass');
    // on the cells' own intervals alone (what compare did before) the same cell was a regression
    const own = Math.hypot(Math.log(1 / 0.95), Math.log(1 / 0.95));
    expect(0.78 * Math.exp(own)).toBeLessThan(0.85);
    expect(renderMarkdown(c)).toContain('run-to-run');
  });

  it('a real 50% drop among scattered cells still fails: the scatter is robust to the cell that changed', () => {
    const [one, cur] = scattered([0.5, 1.04, 0.97, 1.02, 0.95, 1.06, 0.98, 1.01]);
    const c = compareRuns(one, cur, mode('absolute'));
    const first = one.cells[0] as Cell;
    const r = c.metrics.find((m) => m.key === first.key && m.metric === 'goodput');
    expect(r?.verdict).toBe('regression');
    expect(c.counts.regression).toBe(1);
    const noise = c.runNoise.find((n) => n.metric === 'goodput' && n.basis === 'absolute');
    expect(noise?.scatter).toBeLessThan(0.06);
  });

  it('too few figures to measure the scatter: their own intervals, and a warning that says so', () => {
    const one = buildRun({ jitter: [1], databases: ['postgres'], intervals: { goodput: 0.05, p99: 0.05 } });
    const c = compareRuns(one, scaleCells(one, forUpdate, { goodput: 0.7 }), mode('absolute'));
    const noise = c.runNoise.find((n) => n.metric === 'goodput' && n.basis === 'absolute');
    expect([noise?.figures, noise?.tau]).toEqual([4, null]);
    expect(
      c.warnings.some((w) => w.startsWith('goodput: only 4 figure(s) have an interval in both runs')),
    ).toBe(true);
    expect(c.counts.regression).toBe(1);
  });

  it("relative mode's interval is wider: the reference's noise is added to the strategy's", () => {
    const one = buildRun({ jitter: [1], intervals: { goodput: 0.05, p99: 0.05 } });
    const c = compareRuns(one, scaleCells(one, forUpdate, { goodput: 0.8 }), mode('both'));
    const r = row(c, label, 'goodput');
    const width = (iv: { low: number; high: number } | null | undefined) =>
      Math.log((iv?.high ?? 0) / (iv?.low ?? 1));
    expect(width(r.relative?.ratioInterval)).toBeCloseTo(Math.SQRT2 * width(r.absolute.ratioInterval), 9);
    expect(r.relative?.current.method).toBe('quotient');
  });

  it('both mode: an absolute regression whose reference has no interval is not judged, not a failure', () => {
    const one = buildRun({ jitter: [1] });
    const run = withIntervals(one, (c) => c.strategy !== 'atomic', { goodput: 0.05, p99: 0.05 });
    const c = compareRuns(run, scaleCells(run, forUpdate, { goodput: 0.7 }), mode('both'));
    const r = row(c, label, 'goodput');
    expect([r.absolute.verdict, r.relative?.verdict, r.verdict]).toEqual([
      'regression',
      'not-judged',
      'not-judged',
    ]);
    expect(c.failed).toBe(false);
    expect(compareRuns(run, scaleCells(run, forUpdate, { goodput: 0.7 }), mode('absolute')).failed).toBe(
      true,
    );
  });

  it('a planted violation by a safe strategy fails, with no interval and no change in speed', () => {
    const one = buildRun({ jitter: [1] });
    const cur = mapCells(one, forUpdate, (c) => ({
      ...c,
      status: 'unsafe',
      correctness: correctnessFor(true, 1),
    }));
    const c = compareRuns(one, cur);
    expect(c.counts.regression).toBe(0);
    expect(c.failed).toBe(true);
    expect(c.outcome).toBe('fail');
  });
});

describe('judge', () => {
  /** An estimate of `value` with a 95% interval of ± `half` (relative), no floor. */
  const est = (value: number, half: number | null): Estimate => ({
    value,
    interval: half === null ? null : { low: value * (1 - half), high: value * (1 + half) },
    method: half === null ? null : 'batch-means',
    repeats: 1,
    floored: value,
    logHalfWidth: half === null ? null : Math.log(1 / (1 - half)),
    logSe: half === null ? null : Math.log(1 / (1 - half)) / 2.776,
    withheld: null,
  });
  const opts = { better: 'bigger' as const, threshold: 0.15, quietBelowFloor: null, runNoise: null };

  it('overlapping intervals are noise, even past the threshold', () => {
    // 100 ± 10% vs 80 ± 10%: the intervals overlap, ratio 0.8 with an interval reaching above 0.85
    const j = judge(est(100, 0.1), est(80, 0.1), opts);
    expect([j.verdict, j.reason]).toEqual(['noise', 'interval-reaches-threshold']);
    expect(j.ratioInterval?.high).toBeGreaterThan(0.85);
  });

  it('disjoint intervals past the threshold are a regression; a move within it is noise', () => {
    const j = judge(est(100, 0.03), est(70, 0.03), opts);
    expect([j.verdict, j.reason]).toEqual(['regression', 'beyond-threshold']);
    expect(j.ratio).toBeCloseTo(0.7, 12);
    // log half-widths 0.0305 each, in quadrature 0.0431: [0.670, 0.731]
    expect(j.ratioInterval?.low).toBeCloseTo(0.6705, 3);
    expect(j.ratioInterval?.high).toBeCloseTo(0.7308, 3);
    // disjoint but only 10% apart: no regression at a 15% threshold
    expect(judge(est(100, 0.01), est(90, 0.01), opts).verdict).toBe('noise');
  });

  it('a ratio exactly at the threshold is within it', () => {
    expect(judge(est(100, 0), est(85, 0), opts).reason).toBe('within-threshold');
    expect(judge(est(100, 0), est(84.9, 0), opts).verdict).toBe('regression');
  });

  it('smaller-is-better direction', () => {
    const smaller = { ...opts, better: 'smaller' as const };
    expect(judge(est(10, 0.05), est(20, 0.05), smaller).verdict).toBe('regression');
    expect(judge(est(20, 0.05), est(10, 0.05), smaller).verdict).toBe('improved');
    expect(judge(est(100, 0.05), est(70, 0.05), opts).verdict).toBe('regression');
    expect(judge(est(70, 0.05), est(100, 0.05), opts).verdict).toBe('improved');
  });

  it('the run-to-run noise widens the interval: a clear regression on its own intervals becomes noise', () => {
    // tau 0.1 with 7.4 degrees of freedom (21 figures): t(7) = 2.365, so 0.2365 in quadrature
    const noise = { figures: 21, scatter: 0.11, ownSe: 0.046, tau: 0.1, df: 7.4 };
    const j = judge(est(100, 0.03), est(70, 0.03), { ...opts, runNoise: noise });
    expect([j.verdict, j.reason]).toEqual(['noise', 'interval-reaches-threshold']);
    const h = Math.hypot(Math.hypot(Math.log(1 / 0.97), Math.log(1 / 0.97)), 2.365 * 0.1);
    expect(j.ratioInterval?.high).toBeCloseTo(0.7 * Math.exp(h), 9);
    // a bigger drop still shows through it
    expect(judge(est(100, 0.03), est(40, 0.03), { ...opts, runNoise: noise }).verdict).toBe('regression');
    // tau 0 or unknown leaves the interval as the runs' own
    for (const tau of [0, null]) {
      const k = judge(est(100, 0.03), est(70, 0.03), { ...opts, runNoise: { ...noise, tau } });
      expect(k.ratioInterval?.low).toBeCloseTo(0.6705, 3);
    }
  });

  it('a missing interval on either side is not judged, however large the change', () => {
    for (const [b, c] of [
      [est(100, null), est(10, 0.01)],
      [est(100, 0.01), est(10, null)],
      [est(100, null), est(100, null)],
    ] as const) {
      const j = judge(b, c, opts);
      expect([j.verdict, j.reason, j.ratioInterval]).toEqual(['not-judged', 'no-interval', null]);
    }
  });

  it('without intervals, figures at or below the floor on both sides are noise where the metric allows it', () => {
    const quiet = { ...opts, better: 'smaller' as const, quietBelowFloor: 0.05 };
    const at = (value: number): Estimate => ({ ...est(value, null), floored: Math.max(value, 0.05) });
    expect(judge(at(0), at(0), quiet).reason).toBe('below-floor');
    expect(judge(at(0.01), at(0.05), quiet).verdict).toBe('noise');
    expect(judge(at(0.01), at(0.06), quiet).verdict).toBe('not-judged');
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
