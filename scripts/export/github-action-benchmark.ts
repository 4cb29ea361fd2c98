import type { RunResult } from '../../bench/result-schema.ts';
import { METRICS, type MetricName } from '../compare/metrics.ts';
import type { Spread } from '../compare/spread.ts';
import { type MeasuredCell, measuredCells, tidy } from './measured-cells.ts';

/**
 * One entry of github-action-benchmark's custom JSON (tools customBiggerIsBetter and
 * customSmallerIsBetter): the file is a JSON array of these.
 */
export interface GithubBenchmarkEntry {
  /** Unique per file and stable across runs: "<cell> <metric>". */
  name: string;
  unit: string;
  /** Median over the repeats. */
  value: number;
  /** "± x": x is the largest distance from the median to a repeat, so it covers every repeat. Absent with one repeat. */
  range?: string;
  /** The repeats' values and the run id, shown in the chart's tooltip. */
  extra?: string;
}

export interface GithubBenchmarkFiles {
  /** For `tool: customBiggerIsBetter`: goodput. */
  bigger: GithubBenchmarkEntry[];
  /** For `tool: customSmallerIsBetter`: p99 latency and extra attempts per success. */
  smaller: GithubBenchmarkEntry[];
}

const NAME_SUFFIX: Record<MetricName, string> = {
  goodput: 'goodput',
  p99: 'p99',
  extraAttempts: 'extra attempts per success',
};

function entry(cell: MeasuredCell, metric: MetricName, runId: string): GithubBenchmarkEntry {
  const s: Spread = cell.figures[metric];
  const spec = METRICS[metric];
  const e: GithubBenchmarkEntry = {
    name: `${cell.name} ${NAME_SUFFIX[metric]}`,
    unit: spec.unit,
    value: tidy(s.median),
  };
  if (s.n > 1) e.range = `± ${tidy(Math.max(s.median - s.min, s.max - s.median))}`;
  const status = cell.group.repeats.some((c) => c.status === 'unsafe') ? '; unsafe (invariants broken)' : '';
  e.extra = `${s.n} repeat(s): ${s.values.map(tidy).join(', ')} ${spec.unit}; run ${runId}${status}`;
  return e;
}

/** github-action-benchmark custom JSON for a run; pure. */
export function toGithubActionBenchmark(result: RunResult): GithubBenchmarkFiles {
  const cells = measuredCells(result);
  return {
    bigger: cells.map((c) => entry(c, 'goodput', result.runId)),
    smaller: cells.flatMap((c) => [entry(c, 'p99', result.runId), entry(c, 'extraAttempts', result.runId)]),
  };
}
