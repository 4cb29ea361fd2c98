import { median } from '../bench/stats/median.ts';
import type { RunResult } from '../core/result-schema.ts';
import { type CellGroup, groupCells, metricSpread, peerGroupId } from './cell-groups.ts';
import { type CorrectnessReport, checkCorrectness, statusSummary } from './correctness.ts';
import { type Estimate, figureEstimate } from './estimate.ts';
import { METRIC_NAMES, METRICS, type MetricName } from './metrics.ts';
import { chooseReferences, type PeerReference, relativeEstimate } from './relative.ts';
import { estimateRunNoise, MIN_NOISE_FIGURES, type NoisePoint, type RunNoise } from './run-noise.ts';
import { type Judgement, judge, VERDICTS, type Verdict } from './verdict.ts';

/**
 * - absolute: each cell's figures against the same cell in the baseline.
 * - relative: each strategy's goodput and p99 divided by the reference strategy's in the same run,
 *   peer group (database, workload, profile, load level); a uniformly slower runner cancels out.
 *   Its interval: over repeats paired by repeat number, or with one repeat both intervals combined
 *   (relativeEstimate).
 * - both (default): a regression must show in both (a real slowdown that the runner does not
 *   explain); see ComparedMetric.verdict for disagreements. The reference strategy itself cannot be
 *   judged relatively: see ComparedMetric.verdict and the warnings.
 * Extra attempts per success is compared as measured in every mode (METRICS.extraAttempts.relative).
 */
export const COMPARE_MODES = ['absolute', 'relative', 'both'] as const;
export type CompareMode = (typeof COMPARE_MODES)[number];

export interface CompareOptions {
  /** Default 'both'. */
  mode: CompareMode;
  /** Per metric, a fraction (0.15 = 15%). Default 0.15 each. */
  thresholds: Record<MetricName, number>;
  /** Preferred reference strategy for relative mode; default 'atomic' (else the best goodput of the group). */
  reference: string;
}

export const DEFAULT_THRESHOLD = 0.15;
export const DEFAULT_COMPARE_OPTIONS: CompareOptions = Object.freeze({
  mode: 'both',
  thresholds: Object.freeze({
    goodput: DEFAULT_THRESHOLD,
    p99: DEFAULT_THRESHOLD,
    extraAttempts: DEFAULT_THRESHOLD,
  }),
  reference: 'atomic',
});

export interface Side extends Judgement {
  baseline: Estimate;
  current: Estimate;
}

export interface RelativeSide extends Side {
  /** Strategy divided by. */
  reference: string;
}

/** One metric of one cell present and measured in both runs. */
export interface ComparedMetric {
  key: string;
  label: string;
  strategy: string;
  metric: MetricName;
  /** Fraction used for this metric. */
  threshold: number;
  absolute: Side;
  /**
   * Null in absolute mode, for metrics not compared relatively, for the reference cell itself and
   * in peer groups without a reference.
   */
  relative: RelativeSide | null;
  /** This cell is its peer group's reference. */
  isReference: boolean;
  /**
   * The decision under the mode. absolute: absolute.verdict. relative: relative.verdict. both: the
   * common verdict when they agree; else 'noise' when either found no change (or they point opposite
   * ways), else 'not-judged' (one found a change the other could not judge). Where the mode needs a
   * relative verdict that does not exist (reference cell, no reference), the absolute verdict with
   * regression/improved turned into 'noise': the figure moved, but nothing separates the code from
   * the runner.
   */
  verdict: Verdict;
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  gitSha: string | null;
  cpuModel: string;
  cpuCount: number;
  interrupted: boolean;
  /** "id: product version" per database of the run. */
  databases: string[];
}

export interface CellRef {
  key: string;
  label: string;
}

export interface Comparison {
  options: CompareOptions;
  baseline: RunSummary;
  current: RunSummary;
  /** In the current run's matrix order, metrics in METRIC_NAMES order. */
  metrics: ComparedMetric[];
  /** Relative and both modes: the reference of each peer group. */
  references: PeerReference[];
  /** Keys only in the current run. */
  added: CellRef[];
  /** Keys only in the baseline. */
  removed: CellRef[];
  /** Keys in both runs where a side has no measured repeat (failed, unsupported). */
  unmeasured: (CellRef & { baseline: string; current: string })[];
  correctness: CorrectnessReport;
  /** Things a reader should know that do not change the outcome. */
  warnings: string[];
  /**
   * Per figure and basis, the run-to-run noise this pair of runs showed across its cells and that
   * every interval of that figure was widened by (run-noise.ts); only figures with an interval on
   * both sides somewhere.
   */
  runNoise: RunNoiseRecord[];
  counts: Record<Verdict, number>;
  /**
   * fail: a judged regression or a correctness failure (exit 1). pass: no regression among the
   * judged figures. could-not-tell: neither, and no figure had an interval on both sides (at most,
   * extra attempts were judged as below their floor): the comparison could not have seen a
   * regression, so it must not read as a clean pass.
   */
  outcome: 'fail' | 'pass' | 'could-not-tell';
  /**
   * Median over compared cells of the goodput ratio current/baseline: how much faster (>1) or slower
   * (<1) the current run was overall, a hint of a different runner. Null when nothing was compared.
   */
  goodputRatioMedian: number | null;
  /** True when any metric verdict is 'regression' or any correctness failure exists: exit 1. */
  failed: boolean;
}

/** absolute: the figures themselves; relative: divided by their group's reference strategy. */
export type NoiseBasis = 'absolute' | 'relative';

export interface RunNoiseRecord extends RunNoise {
  metric: MetricName;
  basis: NoiseBasis;
}

/** A compared figure with its estimates, before the run-to-run noise is known and it is judged. */
interface Draft {
  key: string;
  label: string;
  strategy: string;
  metric: MetricName;
  isReference: boolean;
  b: Estimate;
  c: Estimate;
  relative: { reference: string; baseline: Estimate; current: Estimate } | null;
}

/** A draft's baseline and current estimates on `basis`; null where it has no relative figure. */
function estimatesOf(d: Draft, basis: NoiseBasis): readonly [Estimate, Estimate] | null {
  if (basis === 'absolute') return [d.b, d.c];
  return d.relative && [d.relative.baseline, d.relative.current];
}

/** What one figure with an interval on both sides contributes to the run-to-run noise estimate. */
function noisePoint(b: Estimate, c: Estimate): NoisePoint {
  return { logRatio: Math.log(c.floored / b.floored), logSe: Math.hypot(b.logSe ?? 0, c.logSe ?? 0) };
}

function fewFiguresWarning(metric: MetricName, basis: NoiseBasis, figures: number): string {
  return (
    `${METRICS[metric].label}${basis === 'relative' ? ' (relative)' : ''}: only ${figures} figure(s) have an interval in both runs ` +
    `(${MIN_NOISE_FIGURES} needed to measure the run-to-run noise), so they are judged on each run's own intervals; ` +
    "a one-repeat cell's interval sees the wobble inside its window, not how far another run lands: use --repeat 2 or more, or compare more cells."
  );
}

function summary(run: RunResult): RunSummary {
  return {
    runId: run.runId,
    startedAt: run.startedAt,
    gitSha: run.tool.gitSha,
    cpuModel: run.environment.cpuModel,
    cpuCount: run.environment.cpuCount,
    interrupted: run.interrupted,
    databases: run.databases.map((d) => `${d.id}: ${d.product} ${d.version}`),
  };
}

function decide(
  mode: CompareMode,
  absolute: Verdict,
  relative: Verdict | null,
  relativeApplies: boolean,
): Verdict {
  if (mode === 'absolute' || !relativeApplies) return absolute;
  if (relative === null) return absolute === 'not-judged' ? 'not-judged' : 'noise';
  if (mode === 'relative' || absolute === relative) return relative;
  if (absolute === 'noise' || relative === 'noise') return 'noise';
  if (absolute === 'not-judged' || relative === 'not-judged') return 'not-judged';
  return 'noise'; // regression one way, improvement the other
}

/** Compares two runs cell by cell; pure. */
export function compareRuns(
  baselineRun: RunResult,
  currentRun: RunResult,
  options: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): Comparison {
  const baseline = groupCells(baselineRun);
  const current = groupCells(currentRun);
  const useRelative = options.mode !== 'absolute';
  const refs = useRelative
    ? chooseReferences(baseline, current, options.reference)
    : new Map<string, PeerReference>();
  const drafts: Draft[] = [];
  const unmeasured: Comparison['unmeasured'] = [];
  const warnings: string[] = [];

  for (const [key, cur] of current) {
    const base = baseline.get(key);
    if (!base) continue;
    if (!metricSpread(base, 'goodput') || !metricSpread(cur, 'goodput')) {
      unmeasured.push({ key, label: cur.label, baseline: statusSummary(base), current: statusSummary(cur) });
      continue;
    }
    const ref = refs.get(peerGroupId(cur.first));
    const isReference = ref?.key === key;
    for (const metric of METRIC_NAMES) {
      // biome-ignore lint/style/noNonNullAssertion: goodput was measured, so every metric was
      const [b, c] = [figureEstimate(base, metric)!, figureEstimate(cur, metric)!];
      let relative: Draft['relative'] = null;
      if (useRelative && METRICS[metric].relative && ref && !isReference) {
        const rb = relativeEstimate(base, baseline.get(ref.key) as CellGroup, metric);
        const rc = relativeEstimate(cur, current.get(ref.key) as CellGroup, metric);
        if (rb && rc) relative = { reference: ref.strategy, baseline: rb, current: rc };
      }
      drafts.push({
        key,
        label: cur.label,
        strategy: cur.first.strategy,
        metric,
        isReference,
        b,
        c,
        relative,
      });
    }
  }

  // The run-to-run noise of each figure, measured across the pair's cells before any is judged.
  const runNoise: RunNoiseRecord[] = [];
  for (const metric of METRIC_NAMES) {
    for (const basis of ['absolute', 'relative'] as const satisfies readonly NoiseBasis[]) {
      // Figures with an interval on both sides: their standard errors weigh the scatter.
      const sides = drafts.flatMap((d) => {
        const pair = d.metric === metric ? estimatesOf(d, basis) : null;
        return pair && pair[0].logSe !== null && pair[1].logSe !== null ? [pair] : [];
      });
      if (sides.length === 0) continue;
      const noise = estimateRunNoise(sides.map(([b, c]) => noisePoint(b, c)));
      runNoise.push({ metric, basis, ...noise });
      const withinRun = sides.some(([b, c]) => b.method !== 'repeats' || c.method !== 'repeats');
      if (noise.tau === null && withinRun) warnings.push(fewFiguresWarning(metric, basis, noise.figures));
    }
  }

  const noiseOf = (metric: MetricName, basis: NoiseBasis): RunNoise | null =>
    runNoise.find((n) => n.metric === metric && n.basis === basis) ?? null;
  const metrics: ComparedMetric[] = drafts.map((d) => {
    const spec = METRICS[d.metric];
    const threshold = options.thresholds[d.metric];
    const judgeOpts = {
      better: spec.better,
      threshold,
      quietBelowFloor: spec.quietBelowFloor ? spec.floor : null,
      runNoise: noiseOf(d.metric, 'absolute'),
    };
    const absolute: Side = { baseline: d.b, current: d.c, ...judge(d.b, d.c, judgeOpts) };
    const r = d.relative;
    const relative: RelativeSide | null = r && {
      ...r,
      ...judge(r.baseline, r.current, {
        ...judgeOpts,
        quietBelowFloor: null,
        runNoise: noiseOf(d.metric, 'relative'),
      }),
    };
    return {
      key: d.key,
      label: d.label,
      strategy: d.strategy,
      metric: d.metric,
      threshold,
      absolute,
      relative,
      isReference: d.isReference,
      verdict: decide(options.mode, absolute.verdict, relative?.verdict ?? null, spec.relative),
    };
  });

  if (useRelative) warnings.push(...referenceWarnings(metrics, current, refs));
  if (metrics.length === 0 && baselineRun.cells.length > 0 && currentRun.cells.length > 0) {
    warnings.push(
      'No cell was compared: the runs share no measured cell key (different databases, preset or matrix?). ' +
        'This comparison proves nothing.',
    );
  }
  warnings.push(...databaseWarnings(baselineRun, currentRun));
  if (currentRun.interrupted)
    warnings.push('The current run was interrupted: it holds only the cells that finished.');
  if (baselineRun.interrupted)
    warnings.push('The baseline run was interrupted: it holds only the cells that finished.');

  const added = [...current.values()]
    .filter((g) => !baseline.has(g.key))
    .map(({ key, label }) => ({ key, label }));
  const removed = [...baseline.values()]
    .filter((g) => !current.has(g.key))
    .map(({ key, label }) => ({ key, label }));
  const correctness = checkCorrectness(baseline, current);
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const m of metrics) counts[m.verdict]++;
  const failed = counts.regression > 0 || correctness.failures.length > 0;
  const judgedByInterval = metrics.some((m) => m.absolute.ratioInterval !== null);
  return {
    options,
    baseline: summary(baselineRun),
    current: summary(currentRun),
    metrics,
    references: [...refs.values()],
    added,
    removed,
    unmeasured,
    correctness,
    warnings,
    runNoise,
    counts,
    outcome: failed ? 'fail' : judgedByInterval ? 'pass' : 'could-not-tell',
    goodputRatioMedian: goodputRatioMedian(metrics),
    failed,
  };
}

/**
 * Relative comparison is blind to a change of the reference strategy alone: its ratio to itself is
 * always 1 and every other strategy then looks better. Say so when the reference's own goodput
 * regressed while most of its peers' did not (a uniformly slower runner slows them all).
 */
function referenceWarnings(
  metrics: readonly ComparedMetric[],
  current: ReadonlyMap<string, CellGroup>,
  refs: ReadonlyMap<string, PeerReference>,
): string[] {
  const out: string[] = [];
  const goodput = metrics.filter((m) => m.metric === 'goodput');
  for (const ref of refs.values()) {
    const own = goodput.find((m) => m.key === ref.key);
    if (own?.absolute.verdict !== 'regression') continue;
    const peers = goodput.filter(
      (m) => m.key !== ref.key && peerGroupId(current.get(m.key)?.first ?? unreachable()) === ref.peerGroup,
    );
    const peersRegressed = peers.filter((m) => m.absolute.verdict === 'regression').length;
    if (peers.length === 0) {
      out.push(
        `${own.label} lost goodput (${pct(own.absolute.ratio - 1)}) and is the only strategy of its group: ` +
          'relative mode cannot judge it; check it, or rerun with --mode absolute.',
      );
    } else if (peersRegressed * 2 < peers.length) {
      out.push(
        `Reference ${ref.strategy} (${own.label}) lost goodput on its own (${pct(own.absolute.ratio - 1)}) while ` +
          `${peers.length - peersRegressed} of ${peers.length} peers did not: relative mode cannot see a ` +
          'change of the reference itself; check it, or rerun with --mode absolute.',
      );
    }
  }
  return out;
}

/** Same database id, different product or version: absolute figures are not like for like. */
function databaseWarnings(baseline: RunResult, current: RunResult): string[] {
  const before = new Map(baseline.databases.map((d) => [d.id, d]));
  return current.databases.flatMap((d) => {
    const b = before.get(d.id);
    if (!b || (b.product === d.product && b.version === d.version)) return [];
    return [
      `Database ${d.id} differs: baseline ${b.product} ${b.version}, current ${d.product} ${d.version}.`,
    ];
  });
}

function goodputRatioMedian(metrics: readonly ComparedMetric[]): number | null {
  const ratios = metrics.flatMap((m) => (m.metric === 'goodput' ? [m.absolute.ratio] : []));
  return ratios.length === 0 ? null : median(ratios);
}

function pct(fraction: number): string {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
}

function unreachable(): never {
  throw new Error('compared key missing from the current run');
}
