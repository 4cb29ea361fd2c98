import type { EventEmitter } from 'node:events';
import type { AbComparison, Cell, DatabaseInfo, RunResult } from '../core/result-schema.ts';
import { noRegressionText } from '../report/ab-section.ts';
import { UNSTEADY_WORDS } from '../report/quality-marks.ts';
import { checkSupport } from '../strategies/registry.ts';
import { notApplicable } from '../workloads/support.ts';
import type { AbPlan } from './ab/run-ab.ts';
import type { AbCommand } from './cli-args.ts';
import { AB_MIN_PAIRS, type BenchConfig } from './config.ts';
import { attachProgressDisplay } from './load/progress-display.ts';
import type { Plan, RunEvents } from './orchestrator.ts';
import { RUN_OVERHEAD_SEC } from './plan.ts';
import { unsteadyCause } from './stats/steady-state.ts';

/**
 * What the bench command shows a person. Only this file (and the load driver's progress display)
 * writes to the terminal; the orchestrator emits events.
 */

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function duration(sec: number): string {
  if (sec < 90) return `${Math.round(sec)} s`;
  return `${Math.floor(sec / 60)} min ${Math.round(sec % 60)} s`;
}

function warmupText(config: BenchConfig): string {
  return config.warmup === 'auto'
    ? `warm-up until steady (at most ${config.warmupMax / 1000} s)`
    : `${config.warmup / 1000} s warm-up`;
}

export function planText(plan: Plan, config: BenchConfig): string {
  const dbs = plan.databases.map((d) => `${d.id} (${d.source})`).join(', ');
  const lines = [
    `Plan: ${plan.cells.length} cells on ${dbs || 'no database'}, about ${duration(plan.estimateSec)}`,
    `  strategies  ${config.strategy.join(', ')}`,
    `  workloads   ${config.workload.join(', ')}${config.profile ? `; profiles ${config.profile.join(', ')}` : ''}`,
    config.rate
      ? `  load        open model at ${config.rate.join(', ')} req/s (at most ${config.connections[0]} in flight)`
      : `  load        closed model, ${config.connections.join(', ')} connections`,
    `  each cell   ${warmupText(config)} + ${config.duration / 1000} s measured, ${config.repeat} repeat(s)`,
  ];
  for (const s of plan.skipped) lines.push(`  skipped     ${s.id}: ${coded(s)}`);
  // Combinations a workload has no way for: their cells are recorded `unsupported`, nothing runs.
  for (const workload of config.workload) {
    for (const strategy of config.strategy) {
      const why = notApplicable(strategy, workload);
      if (why !== null) lines.push(`  n/a         ${strategy} x ${workload}: not applicable: ${why}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A reason with its `LOCKBENCH_*` code in front, so a reader can search for it. */
function coded(r: { reason: string; code?: string | undefined }): string {
  return r.code ? `${r.code}: ${r.reason}` : r.reason;
}

function cellLine(c: Cell): string {
  const level = c.model === 'open' ? `${c.rate}/s` : `c=${c.connections}`;
  const head = `${c.database}/${c.workload}/${c.profile} ${c.strategy} ${level}${c.repeat ? ` #${c.repeat + 1}` : ''}`;
  if (!c.metrics) return `${head}: ${c.status}${c.reason ? ` (${coded({ ...c, reason: c.reason })})` : ''}`;
  const m = c.metrics;
  const v = c.correctness?.violations ?? 0;
  const verdict =
    c.status === 'unsafe'
      ? 'UNSAFE'
      : v > 0
        ? `${fmt(v)} anomalies (expected: no safety claimed)`
        : 'correct';
  const ok = m.intervals?.goodputPerSec;
  const goodput = ok ? `${fmt(m.goodputPerSec)} ± ${fmt((ok.high - ok.low) / 2)}` : fmt(m.goodputPerSec);
  const warm = m.steady ? `, warm-up ${fmt(m.steady.warmupSec, 1)} s` : '';
  const cause = m.steady ? unsteadyCause(m.steady, m.timeseries.length) : null;
  const flags = [
    m.steady && cause
      ? `NOT STEADY, ${UNSTEADY_WORDS[cause]} (trend ${fmt(m.steady.trendPctPerSec, 1)}%/s, CoV ${fmt(m.steady.cov, 2)}${m.steady.warmupCapped ? ', warm-up capped' : ''})`
      : '',
    m.interference?.suspect ? `BUSY MACHINE (others took ${fmt(100 * m.interference.otherShare)}%)` : '',
  ].filter(Boolean);
  return `${head}: ${goodput} ok/s, p99 ${fmt(m.latencyMs.p99, 1)} ms, ${fmt(m.retries.extraAttemptsPerSuccess, 2)} extra attempts/op${warm}, ${verdict}${flags.length ? ` [${flags.join('; ')}]` : ''}`;
}

export interface ConsoleOptions {
  out: NodeJS.WriteStream;
  config: BenchConfig;
  /** An A/B run: the plan is printed by attachAbConsole, cells are labelled with side and pair. */
  ab?: boolean;
}

/** The plan of an A/B run: what varies, the matrix, the stopping rule and the time it may take. */
export function abPlanText(plan: AbPlan, ab: AbCommand): string {
  const b = ab.sides[1];
  const perPair = (plan.sides[1].estimateSec - RUN_OVERHEAD_SEC) / Math.max(1, plan.cells);
  const low = Math.round(2 * AB_MIN_PAIRS * plan.cells * perPair);
  const high = Math.round(2 * b.abBudget.pairs * plan.cells * perPair);
  const lines = [
    `A/B plan: ${b.ab} (${ab.spec.axis}); A and B interleaved, pairs alternate AB, BA, ...`,
    `  matrix      ${plan.cells} cells per side on ${plan.sides[1].databases.map((d) => d.id).join(', ') || 'no database'}`,
    `  stopping    after ${AB_MIN_PAIRS} pairs once the 95% intervals of B/A (goodput and p99) are within ±${fmt(b.abTarget * 100, 1)}%, or the goodput interval is wholly below, above or within ±${fmt(b.abThreshold * 100, 1)}%; at most ${b.abBudget.pairs} pairs per cell${b.abBudget.ms === null ? '' : `, no new pair after ${duration(b.abBudget.ms / 1000)}`}`,
    `  regression  goodput B/A interval entirely below ${fmt(1 - b.abThreshold, 2)}× (--ab-threshold ${fmt(b.abThreshold * 100, 1)}%)`,
    `  time        about ${duration(low)} to ${duration(b.abBudget.ms === null ? high : Math.min(high, b.abBudget.ms / 1000 + 2 * plan.cells * perPair))}`,
    `  each cell   ${warmupText(b)} + ${b.duration / 1000} s measured, per side and pair`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Prints each A/B cell's verdict when it stops sampling. */
export function attachAbConsole(
  events: EventEmitter<RunEvents>,
  { out, plan, ab }: { out: NodeJS.WriteStream; plan: AbPlan; ab: AbCommand },
): () => void {
  let printed = false;
  const onPlan = () => {
    if (printed) return;
    printed = true;
    out.write(abPlanText(plan, ab));
  };
  const onComparison = (c: AbComparison) => {
    out.write(`  => ${abLine(c)}\n`);
  };
  events.on('plan', onPlan);
  events.on('ab-comparison', onComparison);
  return () => {
    events.off('plan', onPlan);
    events.off('ab-comparison', onComparison);
  };
}

/** One matrix cell of an A/B run in a line: its verdicts, pairs and why it stopped. */
export function abLine(c: AbComparison): string {
  const unsafe = [c.unsafe.a ? 'A' : '', c.unsafe.b ? 'B' : ''].filter(Boolean);
  return [
    `${c.keyB}: ${c.goodputVerdict?.text ?? `no measured pair (${c.stoppedBy})`}`,
    c.p99Verdict ? `; p99: ${c.p99Verdict.text}` : '',
    ` [${c.pairs.length} pair(s), stopped by ${c.stoppedBy}]`,
    c.goodputVerdict?.regression ? ' REGRESSION' : '',
    unsafe.length ? ` UNSAFE on ${unsafe.join(' and ')}` : '',
  ].join('');
}

/** Subscribes to a run's events; returns the function that unsubscribes. Idempotent. */
export function attachConsole(
  events: EventEmitter<RunEvents>,
  { out, config, ab = false }: ConsoleOptions,
): () => void {
  // One live progress display per cell, so a bar never carries over to the next cell.
  let detachProgress: (() => void) | null = null;
  const endProgress = () => {
    detachProgress?.();
    detachProgress = null;
  };
  const handlers: { [K in keyof RunEvents]?: (...args: RunEvents[K]) => void } = {
    plan: (plan) => {
      if (!ab) out.write(planText(plan, config));
    },
    'database-ready': (info) => {
      out.write(`database ${info.id}: ${info.product} ${info.version} (${info.kind}, ${info.address})\n`);
      // What this product lacks, before any cell runs: those cells are recorded as unsupported.
      for (const line of declinedLines(info, config)) out.write(`  ${line}\n`);
    },
    'database-skipped': (s) => out.write(`database ${s.id} skipped: ${coded(s)}\n`),
    'cell-start': (cell, { index, total, side, pair }) => {
      const where = side ? `${side}, pair ${(pair ?? 0) + 1}` : `${index + 1}/${total}`;
      out.write(`[${where}] ${cell.database}/${cell.workload}/${cell.profile} ${cell.strategy} ...\n`);
      endProgress();
      detachProgress = attachProgressDisplay(events, { stream: out });
    },
    'cell-end': (cell) => {
      endProgress();
      out.write(`  ${cellLine(cell)}\n`);
    },
    written: ({ dir }) => out.write(`results: ${dir}\n`),
  };
  for (const [name, fn] of Object.entries(handlers)) events.on(name as keyof RunEvents, fn as never);
  let attached = true;
  return () => {
    if (!attached) return;
    attached = false;
    endProgress();
    for (const [name, fn] of Object.entries(handlers)) events.off(name as keyof RunEvents, fn as never);
  };
}

/** The closing summary: one line per cell and where the files are. */
export function summaryText(result: RunResult, dir: string): string {
  const unsafe = result.cells.filter((c) => c.status === 'unsafe');
  const failed = result.cells.filter((c) => c.status === 'failed');
  const lines = [
    '',
    `Run ${result.runId}${result.interrupted ? ' (interrupted: only finished cells are kept)' : ''}`,
    ...result.cells.map((c) => `  ${cellLine(c)}`),
    '',
    unsafe.length
      ? `UNSAFE: ${unsafe.map((c) => `${c.database}/${c.workload}/${c.strategy}`).join(', ')} broke invariants they claim to keep`
      : null,
    failed.length ? `${failed.length} cell(s) failed; see reasons above` : null,
    ...(result.ab ? abSummary(result) : []),
    `Report: ${dir}/report.md (and report.html); data: ${dir}/run.json`,
  ];
  return `${lines.filter((l) => l !== null).join('\n')}\n`;
}

/** The closing lines of an A/B run: every cell's verdict, then the regressions. */
function abSummary(result: RunResult): string[] {
  const ab = result.ab;
  if (!ab) return [];
  return [
    `A/B: A = ${ab.variants.a.label}, B = ${ab.variants.b.label} (the cells above are B's)`,
    ...ab.comparisons.map((c) => `  ${abLine(c)}`),
    ab.regressions > 0
      ? `REGRESSION: B is slower than A beyond ${fmt(ab.rule.threshold * 100, 1)}% in ${ab.regressions} cell(s)`
      : noRegressionText(ab, `${fmt(ab.rule.threshold * 100, 1)}%`),
    ab.violations > 0
      ? `UNSAFE: a strategy that claims safety broke an invariant in ${ab.violations} cell(s)`
      : null,
    '',
  ].filter((l): l is string => l !== null);
}

/** `declines advisory on account: <reason>`, one line per strategy x workload the database cannot run. */
export function declinedLines(
  db: Pick<DatabaseInfo, 'product' | 'version'>,
  config: Pick<BenchConfig, 'strategy' | 'workload'>,
): string[] {
  const lines: string[] = [];
  for (const strategy of config.strategy) {
    for (const workload of config.workload) {
      const s = checkSupport(strategy, db, workload);
      if (!s.ok) lines.push(`declines ${strategy} on ${workload}: ${s.reason}`);
    }
  }
  return lines;
}
