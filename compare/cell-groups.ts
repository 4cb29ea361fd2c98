import type { Cell, RunResult } from '../core/result-schema.ts';
import { METRICS, type MetricName } from './metrics.ts';
import { type Spread, spreadOf } from './spread.ts';

/** The repeats of one cell of a run, gathered by `Cell.key`. */
export interface CellGroup {
  key: string;
  /**
   * Short unique name for tables and benchmark names, e.g. "postgres/account/hot/for-update c=32".
   * Falls back to the key when two keys of one run would get the same label.
   */
  label: string;
  /** The first repeat: the fields every repeat shares (database, strategy, level, ...). */
  first: Cell;
  /** All repeats, in `repeat` order. */
  repeats: Cell[];
}

/** The load level: "c=32" (closed, connections) or "r=500/s c=64" (open, rate and max in flight). */
export function levelLabel(cell: Cell): string {
  return cell.model === 'open' && cell.rate !== null
    ? `r=${cell.rate}/s c=${cell.connections}`
    : `c=${cell.connections}`;
}

export function cellLabel(cell: Cell): string {
  return `${cell.database}/${cell.workload}/${cell.profile}/${cell.strategy} ${levelLabel(cell)}`;
}

/**
 * Cells that relative mode compares with each other: same database, workload, profile and load
 * level, different strategies.
 */
export function peerGroupId(cell: Cell): string {
  return `${cell.database}/${cell.workload}/${cell.profile} ${cell.model} ${levelLabel(cell)}`;
}

/** Groups a run's cells by key, keys in first-seen order (the run's matrix order). */
export function groupCells(run: RunResult): Map<string, CellGroup> {
  const byKey = new Map<string, Cell[]>();
  for (const cell of run.cells) {
    const list = byKey.get(cell.key);
    if (list) list.push(cell);
    else byKey.set(cell.key, [cell]);
  }
  const labelUses = new Map<string, number>();
  for (const cells of byKey.values()) {
    // biome-ignore lint/style/noNonNullAssertion: a key exists only with at least one cell
    const label = cellLabel(cells[0]!);
    labelUses.set(label, (labelUses.get(label) ?? 0) + 1);
  }
  const groups = new Map<string, CellGroup>();
  for (const [key, cells] of byKey) {
    const repeats = [...cells].sort((a, b) => a.repeat - b.repeat);
    // biome-ignore lint/style/noNonNullAssertion: see above
    const first = repeats[0]!;
    const label = cellLabel(first);
    groups.set(key, { key, label: (labelUses.get(label) ?? 0) > 1 ? key : label, first, repeats });
  }
  return groups;
}

/** Repeats that produced measurements: status ok or unsafe (unsafe = ran, but broke invariants). */
export function measuredRepeats(group: CellGroup): Cell[] {
  return group.repeats.filter((c) => (c.status === 'ok' || c.status === 'unsafe') && c.metrics !== null);
}

/** One metric over the measured repeats; null when no repeat was measured. */
export function metricSpread(group: CellGroup, metric: MetricName): Spread | null {
  const read = METRICS[metric].read;
  // biome-ignore lint/style/noNonNullAssertion: measuredRepeats keeps only cells with metrics
  return spreadOf(measuredRepeats(group).map((c) => read(c.metrics!)));
}
