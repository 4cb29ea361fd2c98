import { LockbenchError } from '../../core/errors.ts';
import type { Cell, RunResult } from '../../core/result-schema.ts';
import { newRunId } from '../environment.ts';
import { isMergeable, mergeSegmentMetrics } from './merge-metrics.ts';
import { type CellOperations, unionOperations } from './operations-file.ts';

/** One run to merge: where it was read from (names it in messages), its result and operations. */
export interface MergeInput {
  label: string;
  result: RunResult;
  operations: CellOperations[];
}

export interface Merged {
  result: RunResult;
  operations: CellOperations[];
}

/**
 * Options that may differ between the parts of one measurement: where each part wrote, how it
 * printed, which segment it drove and the servers it targeted. Everything else is the matrix or
 * a setting that changes what is measured.
 */
const PART_ONLY_OPTIONS = new Set(['out', 'json', 'segment', 'startAt', 'serverUrl']);

const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));

/** Why these runs cannot be merged, one line each; empty when they can. */
export function mergeMismatches(inputs: readonly MergeInput[]): string[] {
  const [first, ...rest] = inputs;
  if (!first) return ['nothing to merge'];
  const out: string[] = [];
  for (const i of inputs) {
    if (i.result.schemaVersion < 2)
      out.push(`${i.label}: schema ${i.result.schemaVersion} run, its cells carry no histograms (rerun it)`);
    if (i.result.ab) out.push(`${i.label}: a paired A/B run cannot be merged`);
  }
  const seenRuns = new Map<string, string>();
  for (const i of inputs) {
    const twice = seenRuns.get(i.result.runId);
    if (twice) out.push(`run ${i.result.runId} given twice: ${twice} and ${i.label}`);
    seenRuns.set(i.result.runId, i.label);
  }
  const tool = (r: RunResult) => `${r.tool.name} ${r.tool.version} (${r.tool.gitSha ?? 'no git sha'})`;
  for (const i of rest) {
    if (tool(i.result) !== tool(first.result))
      out.push(`tool versions differ: ${first.label} ${tool(first.result)}, ${i.label} ${tool(i.result)}`);
    const keys = new Set([...Object.keys(first.result.config), ...Object.keys(i.result.config)]);
    for (const k of [...keys].sort()) {
      if (PART_ONLY_OPTIONS.has(k)) continue;
      const a = show(first.result.config[k]);
      const b = show(i.result.config[k]);
      if (a !== b) out.push(`option ${k} differs: ${first.label} ${a}, ${i.label} ${b}`);
    }
    for (const d of i.result.databases) {
      const o = first.result.databases.find((x) => x.id === d.id);
      if (o && (o.product !== d.product || o.version !== d.version))
        out.push(
          `database ${d.id} differs: ${first.label} ${o.product} ${o.version}, ${i.label} ${d.product} ${d.version}`,
        );
    }
  }
  const segments = inputs.map((i) => i.result.segment);
  if (segments.some((s) => s) && segments.some((s) => !s)) {
    out.push(
      `${inputs
        .filter((i) => !i.result.segment)
        .map((i) => i.label)
        .join(', ')}: a whole run cannot be merged with segments of one`,
    );
  } else if (segments.every((s) => s)) {
    const count = first.result.segment?.count ?? 0;
    const seen = new Map<number, string>();
    for (const i of inputs) {
      const s = i.result.segment as NonNullable<RunResult['segment']>;
      if (s.count !== count)
        out.push(`segment counts differ: ${first.label} of ${count}, ${i.label} of ${s.count}`);
      const twice = seen.get(s.index);
      if (twice) out.push(`segment ${s.index}/${s.count} given twice: ${twice} and ${i.label}`);
      seen.set(s.index, i.label);
      if (s.startAt !== first.result.segment?.startAt)
        out.push(
          `start times differ: ${first.label} ${show(first.result.segment?.startAt)}, ${i.label} ${show(s.startAt)}`,
        );
    }
    const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !seen.has(k));
    if (missing.length) out.push(`segment(s) ${missing.map((k) => `${k}/${count}`).join(', ')} missing`);
    const cellsOf = (r: RunResult) =>
      r.cells
        .map((c) => `${c.key}#${c.repeat}`)
        .sort()
        .join(' ');
    for (const i of rest)
      if (cellsOf(i.result) !== cellsOf(first.result))
        out.push(
          `cells differ: ${first.label} has ${cellsOf(first.result)}, ${i.label} has ${cellsOf(i.result)}`,
        );
  } else {
    const keysOf = (r: RunResult) => [...new Set(r.cells.map((c) => c.key))].sort().join(' ');
    for (const i of rest)
      if (keysOf(i.result) !== keysOf(first.result))
        out.push(
          `matrices differ: ${first.label} has ${keysOf(first.result)}, ${i.label} has ${keysOf(i.result)}`,
        );
  }
  return out;
}

/** Segments of one cell, merged into the cell as if one driver had produced all their load. */
function mergeSegmentCell(parts: readonly { label: string; cell: Cell }[]): Cell {
  const head = (parts[0] as { cell: Cell }).cell;
  const bad = parts.find((p) => !isMergeable(p.cell));
  if (bad) {
    return {
      ...head,
      status: 'failed',
      reason: `segment ${bad.label}: ${bad.cell.reason ?? `${bad.cell.status}, no measurements`}`,
      ...(bad.cell.code ? { code: bad.cell.code } : {}),
      metrics: null,
      correctness: null,
    };
  }
  const metrics = mergeSegmentMetrics(parts.map((p) => p.cell).filter(isMergeable));
  // Unchecked until `npm run check` runs the correctness check on the union of the operations.
  return { ...head, status: 'ok', reason: null, metrics, correctness: null };
}

/**
 * Merges runs of the same matrix: segments of one run (`--segment k/n`, all n of them) into
 * whole cells, or whole runs into one run whose repeats are all of theirs. Refuses with every
 * mismatch named (LOCKBENCH_MERGE_MISMATCH).
 */
export function mergeRuns(inputs: readonly MergeInput[], command: string, now = new Date()): Merged {
  const problems = mergeMismatches(inputs);
  if (problems.length)
    throw new LockbenchError('LOCKBENCH_MERGE_MISMATCH', `cannot merge:\n  ${problems.join('\n  ')}`);
  const first = inputs[0] as MergeInput;
  const segments = first.result.segment !== undefined;
  let cells: Cell[];
  let operations: CellOperations[];
  if (segments) {
    cells = first.result.cells.map((c) =>
      mergeSegmentCell(
        inputs.map((i) => ({
          label: i.label,
          cell: i.result.cells.find((x) => x.key === c.key && x.repeat === c.repeat) as Cell,
        })),
      ),
    );
    operations = unionOperations(inputs.flatMap((i) => i.operations));
  } else {
    // Whole runs: their repeats follow each other, numbered on from the run before.
    cells = [];
    operations = [];
    let offset = 0;
    for (const i of inputs) {
      for (const c of i.result.cells) cells.push({ ...c, repeat: c.repeat + offset });
      for (const o of i.operations) operations.push({ ...o, repeat: o.repeat + offset });
      offset += Math.max(0, ...i.result.cells.map((c) => c.repeat + 1));
    }
  }
  const times = inputs.map((i) => i.result);
  const databases = [...new Map(times.flatMap((r) => r.databases).map((d) => [d.id, d])).values()];
  const skipped = [...new Map(times.flatMap((r) => r.skippedDatabases).map((d) => [d.id, d])).values()];
  const { segment: _segment, ...base } = first.result;
  const config = Object.fromEntries(
    Object.entries(first.result.config).filter(([k]) => !['segment', 'startAt', 'out'].includes(k)),
  );
  return {
    result: {
      ...base,
      runId: newRunId(now),
      startedAt: times.map((r) => r.startedAt).sort()[0] as string,
      finishedAt: times
        .map((r) => r.finishedAt)
        .sort()
        .at(-1) as string,
      interrupted: times.some((r) => r.interrupted),
      config: segments ? config : { ...config, repeat: Math.max(...cells.map((c) => c.repeat + 1)) },
      command,
      databases,
      skippedDatabases: skipped.filter((s) => !databases.some((d) => d.id === s.id)),
      cells,
      mergedFrom: times.map((r) => r.runId),
    },
    operations,
  };
}
