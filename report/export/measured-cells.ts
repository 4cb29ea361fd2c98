import { type CellGroup, groupCells, metricSpread } from '../../compare/cell-groups.ts';
import { type Estimate, figureEstimate } from '../../compare/estimate.ts';
import { METRIC_NAMES, type MetricName } from '../../compare/metrics.ts';
import type { Spread } from '../../compare/spread.ts';
import type { RunResult } from '../../core/result-schema.ts';

/** A cell with at least one measured repeat, its figures summarised over the repeats. */
export interface MeasuredCell {
  group: CellGroup;
  /** Benchmark name shared by all exporters, e.g. "postgres/account/hot/for-update c=32". */
  name: string;
  /** The repeats' values. */
  figures: Record<MetricName, Spread>;
  /** Mean over the repeats and its 95% interval where the run has one: the same as `compare` judges. */
  estimates: Record<MetricName, Estimate>;
}

/** Cells in matrix order; cells with no measured repeat (failed, unsupported) are left out. */
export function measuredCells(result: RunResult): MeasuredCell[] {
  const out: MeasuredCell[] = [];
  for (const group of groupCells(result).values()) {
    const spreads = METRIC_NAMES.map((m) => [m, metricSpread(group, m)] as const);
    if (spreads.some(([, s]) => s === null)) continue;
    out.push({
      group,
      name: group.label,
      figures: Object.fromEntries(spreads) as Record<MetricName, Spread>,
      // biome-ignore lint/style/noNonNullAssertion: a measured metric has an estimate
      estimates: Object.fromEntries(METRIC_NAMES.map((m) => [m, figureEstimate(group, m)!])) as Record<
        MetricName,
        Estimate
      >,
    });
  }
  return out;
}

/** Six significant digits: enough for any figure here, and no 0.30000000000000004 in the files. */
export function tidy(v: number): number {
  return Number(v.toPrecision(6));
}
