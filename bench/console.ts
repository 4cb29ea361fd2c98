import type { EventEmitter } from 'node:events';
import type { BenchConfig } from './config.ts';
import { attachProgressDisplay } from './load/progress-display.ts';
import type { Plan, RunEvents } from './orchestrator.ts';
import type { Cell, RunResult } from './result-schema.ts';

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
  const flags = [
    m.steady && !m.steady.steady
      ? `NOT STEADY (trend ${fmt(m.steady.trendPctPerSec, 1)}%/s, CoV ${fmt(m.steady.cov, 2)}${m.steady.warmupCapped ? ', warm-up capped' : ''})`
      : '',
    m.interference?.suspect ? `BUSY MACHINE (others took ${fmt(100 * m.interference.otherShare)}%)` : '',
  ].filter(Boolean);
  return `${head}: ${goodput} ok/s, p99 ${fmt(m.latencyMs.p99, 1)} ms, ${fmt(m.retries.extraAttemptsPerSuccess, 2)} extra attempts/op${warm}, ${verdict}${flags.length ? ` [${flags.join('; ')}]` : ''}`;
}

export interface ConsoleOptions {
  out: NodeJS.WriteStream;
  config: BenchConfig;
}

/** Subscribes to a run's events; returns the function that unsubscribes. Idempotent. */
export function attachConsole(events: EventEmitter<RunEvents>, { out, config }: ConsoleOptions): () => void {
  // One live progress display per cell, so a bar never carries over to the next cell.
  let detachProgress: (() => void) | null = null;
  const endProgress = () => {
    detachProgress?.();
    detachProgress = null;
  };
  const handlers: { [K in keyof RunEvents]?: (...args: RunEvents[K]) => void } = {
    plan: (plan) => out.write(planText(plan, config)),
    'database-ready': (info) =>
      out.write(`database ${info.id}: ${info.product} ${info.version} (${info.kind}, ${info.address})\n`),
    'database-skipped': (s) => out.write(`database ${s.id} skipped: ${coded(s)}\n`),
    'cell-start': (cell, { index, total }) => {
      out.write(
        `[${index + 1}/${total}] ${cell.database}/${cell.workload}/${cell.profile} ${cell.strategy} ...\n`,
      );
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
    `Report: ${dir}/report.md (and report.html); data: ${dir}/run.json`,
  ];
  return `${lines.filter((l) => l !== null).join('\n')}\n`;
}
