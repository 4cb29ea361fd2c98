import { METRICS, type MetricName } from '../../compare/metrics.ts';
import type { Spread } from '../../compare/spread.ts';
import type { RunResult } from '../../core/result-schema.ts';
import { type MeasuredCell, measuredCells, tidy } from './measured-cells.ts';

/**
 * One entry of github-action-benchmark's custom JSON (tools customBiggerIsBetter and
 * customSmallerIsBetter): the file is a JSON array of these.
 */
export interface GithubBenchmarkEntry {
  /** Unique per file and stable across runs: "<cell> <metric>". */
  name: string;
  unit: string;
  /** Mean over the repeats (one repeat: its figure), the centre of the interval. */
  value: number;
  /** "± x": x is half the figure's 95% interval, the one `compare` judges by. Absent without an interval. */
  range?: string;
  /** The repeats' values, where the interval comes from, and the run id, shown in the chart's tooltip. */
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
  const est = cell.estimates[metric];
  const spec = METRICS[metric];
  const e: GithubBenchmarkEntry = {
    name: `${cell.name} ${NAME_SUFFIX[metric]}`,
    unit: spec.unit,
    value: tidy(est.value),
  };
  if (est.interval) e.range = `± ${tidy((est.interval.high - est.interval.low) / 2)}`;
  const status = cell.group.repeats.some((c) => c.status === 'unsafe') ? '; unsafe (invariants broken)' : '';
  const basis = est.method ? `; 95% interval: ${est.method}` : '; no interval';
  e.extra = `${s.n} repeat(s): ${s.values.map(tidy).join(', ')} ${spec.unit}${basis}; run ${runId}${status}`;
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
