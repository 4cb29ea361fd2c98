import type { AbComparison, AbSection, Cell, RunResult } from '../../core/result-schema.ts';
import type { AbCommand } from '../cli-args.ts';
import { AB_MIN_PAIRS, type BenchConfig } from '../config.ts';
import type { DatabaseTarget } from '../databases/target.ts';
import { newRunId } from '../environment.ts';
import {
  type DatabasePlan,
  makePlan,
  type Plan,
  type RunOptions,
  type RunOutcome,
  redactConfig,
  redactUrl,
  startTarget,
} from '../orchestrator.ts';
import type { PlannedCell } from '../plan.ts';
import { createRunDir, updateLatest, writeRunJson } from '../results-writer.ts';
import { failedCell, Interrupted, runCell } from '../run-cell.ts';
import { runHeader } from '../run-header.ts';
import { ServerSlots } from '../server-slot.ts';
import type { VariancePrior } from '../stats/moderated-variance.ts';
import {
  type AbFigure,
  abVerdict,
  NO_PRIORS,
  type PairFigures,
  pairedRatio,
  pairOrder,
  type RatioPriors,
  ratioPrior,
  type StopReason,
  stopReason,
} from './paired.ts';
import { prepareRevision, type Revision } from './revision.ts';
import { sideLabel } from './spec.ts';

/** The two sides' plans: the same matrix, cell i of A paired with cell i of B. */
export interface AbPlan {
  sides: readonly [Plan, Plan];
  /** Cells per side (the matrix). */
  cells: number;
}

export function makeAbPlan(ab: AbCommand): AbPlan {
  const sides = [makePlan(ab.sides[0] as BenchConfig), makePlan(ab.sides[1] as BenchConfig)] as const;
  if (sides[0].cells.length !== sides[1].cells.length) {
    throw new Error(
      `A/B sides plan different matrices (${sides[0].cells.length} vs ${sides[1].cells.length} cells)`,
    );
  }
  return { sides, cells: sides[1].cells.length };
}

/** A target is shared by both sides when they would start the same one (same database, same durability). */
function targetKey(d: DatabasePlan, config: BenchConfig): string {
  return `${d.id}|${d.source}|${d.url ?? ''}|${d.source === 'throwaway' ? config.durability : ''}`;
}

interface Side {
  label: 'A' | 'B';
  config: Readonly<BenchConfig>;
  plan: Plan;
  entry?: readonly string[];
  targetOf: Map<string, string>;
}

type Measured = { goodputPerSec: number; p99Ms: number } | null;

const figures = (c: Cell): Measured =>
  c.metrics ? { goodputPerSec: c.metrics.goodputPerSec, p99Ms: c.metrics.latencyMs.p99 } : null;

type MeasuredPair = { a: NonNullable<Measured>; b: NonNullable<Measured> };
const measuredPairs = (pairs: AbComparison['pairs']): MeasuredPair[] =>
  pairs.filter((p) => p.a !== null && p.b !== null) as MeasuredPair[];

const priorsRecord = (p: RatioPriors): NonNullable<AbSection['priors']> => {
  const one = (v: VariancePrior | null) =>
    v && { sd: Math.sqrt(v.variance), df: Number.isFinite(v.df) ? v.df : null, cells: v.cells };
  return { goodputPerSec: one(p.goodputPerSec), p99Ms: one(p.p99Ms) };
};

/** The run's priors for ln(B/A), from every cell's measured pairs so far (paired.ts). */
export function runPriors(cells: readonly AbComparison['pairs'][]): RatioPriors {
  const of = (f: AbFigure) =>
    ratioPrior(
      cells.map((pairs) => measuredPairs(pairs).map((p): PairFigures => ({ a: p.a[f], b: p.b[f] }))),
      f,
    );
  return { goodputPerSec: of('goodputPerSec'), p99Ms: of('p99Ms') };
}

/** The ratios and verdicts of one matrix cell from its pairs (pure). */
export function compareCell(
  head: Pick<AbComparison, 'keyA' | 'keyB' | 'strategy' | 'workload' | 'profile'>,
  pairs: AbComparison['pairs'],
  stoppedBy: StopReason,
  unsafe: AbComparison['unsafe'],
  threshold: number,
  priors: RatioPriors = NO_PRIORS,
): AbComparison {
  const both = measuredPairs(pairs);
  const ratio = (f: 'goodputPerSec' | 'p99Ms') => {
    if (both.length === 0) return null;
    const r = pairedRatio(
      both.map((p): PairFigures => ({ a: p.a[f], b: p.b[f] })),
      f,
      priors[f],
    );
    return { ratio: r, verdict: abVerdict(r, f, threshold) };
  };
  const g = ratio('goodputPerSec');
  const l = ratio('p99Ms');
  const strip = (r: NonNullable<typeof g>['ratio']) => ({
    ratio: r.ratio,
    low: r.low,
    high: r.high,
    pairs: r.pairs,
    df: r.df !== null && Number.isFinite(r.df) ? r.df : null,
  });
  return {
    ...head,
    pairs,
    stoppedBy,
    goodput: g ? strip(g.ratio) : null,
    p99: l ? strip(l.ratio) : null,
    goodputVerdict: g?.verdict ?? null,
    p99Verdict: l?.verdict ?? null,
    unsafe,
  };
}

/**
 * A paired A/B run: the matrix of side B (which equals side A's but for the one thing that
 * varies), measured in rounds. Each round runs one pair for every cell still sampling, A then B or
 * B then A alternately (pairOrder), each side a whole cell of its own (reset, its server, warm-up
 * until steady, load, check). A cell stops when the stopping rule says so (stopReason), when a side
 * fails, or when the run's wall-time budget is spent (no new pair starts). The orchestrator
 * never prints.
 */
export async function runAb(
  opts: Omit<RunOptions, 'config'> & { ab: AbCommand },
  abPlan = makeAbPlan(opts.ab),
): Promise<RunOutcome> {
  const { ab, events, signal } = opts;
  const [configA, configB] = ab.sides as readonly [BenchConfig, BenchConfig];
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const dir = createRunDir(configB.out, runId);
  events.emit('plan', abPlan.sides[1]);

  const targets = new Map<string, DatabaseTarget>();
  const gone = new Map<string, string>();
  const skipped = [...abPlan.sides[0].skipped, ...abPlan.sides[1].skipped].filter(
    (s, i, all) => all.findIndex((o) => o.id === s.id) === i,
  );
  const sides: [Side, Side] = [
    { label: 'A', config: configA, plan: abPlan.sides[0], targetOf: new Map() },
    { label: 'B', config: configB, plan: abPlan.sides[1], targetOf: new Map() },
  ];
  const cellsOf: [Cell[], Cell[]] = [[], []];
  const matrix = abPlan.sides[1].cells.map((b, i) => ({ a: abPlan.sides[0].cells[i] as PlannedCell, b }));
  const pairsOf: AbComparison['pairs'][] = matrix.map(() => []);
  const unsafeOf = matrix.map(() => ({ a: false, b: false }));
  const stopped = new Map<number, StopReason>();
  const comparisons = new Map<number, AbComparison>();
  let revision: Revision | null = null;
  let interrupted = false;
  // One warm strategy server per side, database, strategy and workload (bench/server-slot.ts): after
  // the first pair both sides measure warm processes that never switch strategy, so a cell's
  // warm-up is seconds shorter. The two sides share one policy: if one side's server cannot be
  // reconfigured, both go fresh.
  const slots = new ServerSlots(ab.sides as readonly BenchConfig[]);
  const rule = {
    target: configB.abTarget,
    threshold: configB.abThreshold,
    minPairs: AB_MIN_PAIRS,
    maxPairs: configB.abBudget.pairs,
    budgetMs: configB.abBudget.ms,
  };

  const comparisonOf = (i: number, priors: RatioPriors): AbComparison => {
    const m = matrix[i] as (typeof matrix)[number];
    return compareCell(
      { keyA: m.a.key, keyB: m.b.key, strategy: m.b.strategy, workload: m.b.workload, profile: m.b.profile },
      pairsOf[i] as AbComparison['pairs'],
      stopped.get(i) ?? 'interrupted',
      unsafeOf[i] as AbComparison['unsafe'],
      rule.threshold,
      priors,
    );
  };

  const section = (): AbSection => {
    // The prior is fitted once over every cell's pairs and lent to each cell (moderated-variance.ts).
    const priors = runPriors(pairsOf);
    const all = matrix.map((_, i) => comparisons.get(i) ?? comparisonOf(i, priors));
    const variant = (s: 0 | 1) => ({
      label: sideLabel(ab.spec, s, redactUrl),
      config: redactConfig(ab.sides[s] as BenchConfig),
      databases: [...new Set(sides[s].plan.databases.map((d) => d.id))],
      revision:
        ab.spec.axis !== 'revision'
          ? null
          : s === 0
            ? { ref: ab.spec.ref, sha: revision?.sha ?? null }
            : { ref: 'working tree', sha: header.tool.gitSha },
    });
    return {
      axis: ab.spec.axis,
      spec:
        ab.spec.axis === 'database'
          ? `db=${ab.spec.values.map((v) => (v.includes('://') ? redactUrl(v) : v)).join(',')}`
          : (configB.ab ?? ''),
      variants: { a: variant(0), b: variant(1) },
      rule,
      comparisons: all,
      priors: priorsRecord(priors),
      cellsA: cellsOf[0],
      regressions: all.filter((c) => c.goodputVerdict?.regression).length,
      violations: all.filter((c) => c.unsafe.a || c.unsafe.b).length,
    };
  };

  const header = runHeader(
    runId,
    startedAt,
    configB,
    ab.spec.axis === 'database' ? [] : abPlan.sides[1].databases.map((d) => d.id),
  );
  const snapshot = (): RunResult => ({
    ...header,
    finishedAt: new Date().toISOString(),
    interrupted,
    databases: [...targets.values()].map((t) => t.info),
    skippedDatabases: skipped,
    cells: cellsOf[1],
    ab: section(),
  });

  try {
    if (ab.spec.axis === 'revision') {
      revision = await prepareRevision(ab.spec.ref);
      sides[0].entry = revision.entry;
    }
    // Start each distinct target once; sides that would start the same one share it.
    const wanted = new Map<string, { d: DatabasePlan; config: BenchConfig }>();
    for (const side of sides) {
      for (const d of side.plan.databases) {
        const key = targetKey(d, side.config);
        side.targetOf.set(d.id, key);
        if (!wanted.has(key)) wanted.set(key, { d, config: side.config });
      }
    }
    const entries = [...wanted.entries()];
    const started = await Promise.allSettled(entries.map(([, w]) => startTarget(w.d, w.config)));
    started.forEach((s, i) => {
      const [key, w] = entries[i] as (typeof entries)[number];
      if (s.status === 'fulfilled') {
        targets.set(key, s.value);
        events.emit('database-ready', s.value.info);
      } else {
        const reason = (s.reason as Error).message;
        skipped.push({ id: w.d.id, reason });
        gone.set(key, reason);
        events.emit('database-skipped', { id: w.d.id, reason });
      }
    });

    const opIdPrefix = runId.slice(-4);
    let runs = 0;
    const runSide = async (s: 0 | 1, i: number, pair: number): Promise<Cell> => {
      const side = sides[s];
      const m = matrix[i] as (typeof matrix)[number];
      const planned = { ...(s === 0 ? m.a : m.b), repeat: pair };
      const key = side.targetOf.get(planned.database) ?? '';
      const target = targets.get(key);
      const index = runs++;
      events.emit('cell-start', planned, {
        index,
        total: matrix.length * 2 * rule.maxPairs,
        side: side.label,
        pair,
      });
      let cell: Cell;
      if (!target) {
        cell = failedCell(
          side.config as BenchConfig,
          planned,
          `database ${planned.database} unavailable: ${gone.get(key) ?? 'not started'}`,
        );
      } else {
        cell = await runCell({
          config: side.config,
          target,
          cell: planned,
          signal,
          progress: events,
          opIdPrefix: `${opIdPrefix}${index.toString(36)}`,
          serverEntry: side.entry,
          servers: slots.for(planned, side.label),
          warmNewProcess: true,
        });
        if (cell.status === 'failed' && s === 0 && revision) {
          cell = {
            ...cell,
            reason: `side A (base ${revision.ref}, ${revision.sha.slice(0, 10)}): ${cell.reason}`,
          };
        }
      }
      cellsOf[s].push(cell);
      events.emit('cell-end', cell, {
        index,
        total: matrix.length * 2 * rule.maxPairs,
        side: side.label,
        pair,
      });
      return cell;
    };

    const active = () => matrix.map((_, i) => i).filter((i) => !stopped.has(i));
    // Past the wall-time budget no new pair starts (every cell has its first by then), so a round
    // that cells resolved early have shortened is not cut off after its first cell.
    const timeUp = (round: number) =>
      rule.budgetMs !== null && round > 0 && Date.now() - startedAt.getTime() >= rule.budgetMs;
    rounds: for (let round = 0; active().length > 0; round++) {
      for (const i of active()) {
        if (signal.aborted) throw new Interrupted('interrupted');
        if (timeUp(round)) {
          for (const j of active()) stopped.set(j, 'time');
          break rounds;
        }
        const pair = (pairsOf[i] as AbComparison['pairs']).length;
        const order = pairOrder(pair);
        const got: { A?: Cell; B?: Cell } = {};
        for (const label of order) got[label] = await runSide(label === 'A' ? 0 : 1, i, pair);
        const [a, b] = [got.A as Cell, got.B as Cell];
        (pairsOf[i] as AbComparison['pairs']).push({
          order: order.join('') as 'AB' | 'BA',
          a: figures(a),
          b: figures(b),
        });
        const u = unsafeOf[i] as AbComparison['unsafe'];
        u.a ||= a.status === 'unsafe';
        u.b ||= b.status === 'unsafe';
        let reason: StopReason | null = null;
        if (a.status === 'unsupported' || b.status === 'unsupported') reason = 'unsupported';
        else if (a.metrics === null || b.metrics === null) reason = 'failed';
        else {
          reason = stopReason(
            measuredPairs(pairsOf[i] as AbComparison['pairs']).map((p) => ({
              goodputPerSec: { a: p.a.goodputPerSec, b: p.b.goodputPerSec },
              p99Ms: { a: p.a.p99Ms, b: p.b.p99Ms },
            })),
            rule,
            runPriors(pairsOf),
          );
        }
        if (reason) stopped.set(i, reason);
        writeRunJson(dir, snapshot());
      }
    }
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    interrupted = true;
  } finally {
    await slots.discardAll();
    revision?.remove();
    await Promise.allSettled([...targets.values()].map((t) => t.stop()));
  }
  // Verdicts once every cell is in: a cell's interval rests on the run's priors, which the cells
  // that sampled longer still moved after it stopped.
  const finalPriors = runPriors(pairsOf);
  for (const i of matrix.keys()) {
    if (!stopped.has(i)) stopped.set(i, 'interrupted');
    const c = comparisonOf(i, finalPriors);
    comparisons.set(i, c);
    events.emit('ab-comparison', c);
  }

  const result = snapshot();
  const files = [writeRunJson(dir, result)];
  if (opts.writeArtifacts) files.push(...(await opts.writeArtifacts(result, dir)));
  updateLatest(configB.out, dir);
  events.emit('written', { dir, files });

  const abs = result.ab as AbSection;
  const cells = [...cellsOf[0], ...cellsOf[1]];
  const bad =
    cells.some((c) => c.status === 'failed' || c.status === 'unsafe') ||
    gone.size > 0 ||
    abs.regressions > 0 ||
    abs.violations > 0;
  return { result, dir, exitCode: interrupted ? 130 : bad ? 1 : 0 };
}
