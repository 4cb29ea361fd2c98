import type { TopLevelSpec } from 'vega-lite';
import type { RunResult } from '../core/result-schema.ts';
import { abForestChart } from './ab-section.ts';
import type { ChartPanel, ChartSpec } from './chart-spec.ts';
import type { Group, Row, RowFigures } from './groups.ts';
import { groupCells, groupTitle, headlineLevel, levelLabel, levelUnit, rowsAt } from './groups.ts';
import type { Figure } from './stats.ts';

/**
 * The charts of a report, as Vega-Lite specs built from the grouped data. Rendering them to SVG
 * is a separate, asynchronous step (render-charts.ts); the specs themselves are plain data.
 */
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** A panel as a standalone spec with the house config. */
function panelOf(label: string, spec: Record<string, unknown>): ChartPanel {
  return { label, spec: { $schema: SCHEMA, config: CONFIG, ...spec } as TopLevelSpec };
}

/** Stable colours per strategy so that a strategy looks the same in every chart of every run. */
const STRATEGY_COLORS: Record<string, string> = {
  naive: '#e45756',
  'for-update': '#4c78a8',
  nowait: '#f58518',
  'skip-locked': '#72b7b2',
  optimistic: '#54a24b',
  atomic: '#b279a2',
  serializable: '#9d755d',
  advisory: '#79706e',
};
const SPARE_COLORS = ['#eeca3b', '#ff9da6', '#bab0ac', '#17becf', '#8c564b', '#bcbd22'];

/** Marks a strategy that broke an invariant in this group, in legends and axes. */
export const DISQUALIFIED_MARK = ' ✗';

/**
 * Plot widths in px. A panel with its axes, legend and padding stays under 390 px, what a 420 px
 * phone leaves beside the page's margins, so it is never scaled down there (its text would shrink).
 */
const PANEL_WIDTH = 270;
const SMALL_WIDTH = 220;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

const CONFIG = {
  font: FONT,
  background: 'white',
  padding: 8,
  title: { fontSize: 13, fontWeight: 600, anchor: 'start' as const, offset: 8 },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 500 as const, gridColor: '#e6e6e6' },
  legend: {
    labelFontSize: 11,
    titleFontSize: 11,
    orient: 'bottom' as const,
    direction: 'horizontal' as const,
    // Two entries a row: a legend of eight strategies in one row would be wider than a phone.
    columns: 2,
  },
  view: { stroke: '#ddd' },
  line: { strokeWidth: 2 },
  point: { size: 45, filled: true },
};

function strategyLabel(group: Group, strategy: string): string {
  return isDisqualified(group, strategy) ? `${strategy}${DISQUALIFIED_MARK}` : strategy;
}

/** Grey for a strategy that broke an invariant, in every chart: its figures do not count. */
export const DISQUALIFIED_COLOR = '#b0b0b0';

function colorScale(group: Group, strategies: readonly string[]) {
  let spare = 0;
  return {
    domain: strategies.map((s) => strategyLabel(group, s)),
    range: strategies.map((s) =>
      isDisqualified(group, s)
        ? DISQUALIFIED_COLOR
        : (STRATEGY_COLORS[s] ?? SPARE_COLORS[spare++ % SPARE_COLORS.length]),
    ),
  };
}

type Measured = Row & { figures: RowFigures };

/** 1-2-5 tick values covering [lo, hi]: a log axis labelled at every integer is unreadable. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let exp = -3; exp <= 6; exp++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** exp).toPrecision(1));
      if (v >= lo / 1.5 && v <= hi * 1.5) out.push(v);
    }
  }
  return out;
}

/** Fades strategies that broke an invariant in bar charts: their figures do not count. */
const FADE_DISQUALIFIED = {
  field: 'disqualified',
  type: 'nominal' as const,
  scale: { domain: [false, true], range: [1, 0.4] },
  legend: null,
};

/** Dashes their lines, so a grey line still reads as "does not count" in print. */
const DASH_DISQUALIFIED = {
  field: 'disqualified',
  type: 'nominal' as const,
  scale: {
    domain: [false, true],
    range: [
      [1, 0],
      [4, 3],
    ],
  },
  legend: null,
};

function isDisqualified(group: Group, strategy: string): boolean {
  return group.rows.some((r) => r.strategy === strategy && r.correctness.state === 'violated');
}

function measuredAt(group: Group, level: number): Measured[] {
  return rowsAt(group, level).filter((r): r is Measured => r.figures !== null);
}

function fig(f: Figure) {
  return { median: f.median, min: f.min, max: f.max };
}

function throughputChart(group: Group): ChartSpec | null {
  const rows = group.rows.filter((r): r is Measured => r.figures !== null);
  if (rows.length === 0) return null;
  const strategies = group.strategies.filter((s) => rows.some((r) => r.strategy === s));
  const colorEnc = {
    field: 'strategy',
    type: 'nominal' as const,
    title: 'strategy',
    scale: colorScale(group, strategies),
  };
  const values = rows.flatMap((r) => [
    {
      strategy: strategyLabel(group, r.strategy),
      disqualified: isDisqualified(group, r.strategy),
      level: r.level,
      measure: 'goodput',
      ...fig(r.figures.goodput),
    },
    {
      strategy: strategyLabel(group, r.strategy),
      disqualified: isDisqualified(group, r.strategy),
      level: r.level,
      measure: 'p99',
      ...fig(r.figures.p99),
    },
  ]);
  const spread = rows.some((r) => r.figures.goodput.n > 1);
  const unit = levelUnit(group.levelKind);
  const sweep = group.levels.length > 1;
  const panel = (measure: 'goodput' | 'p99', title: string, legend: boolean) => {
    const y = { field: 'median', type: 'quantitative' as const, title };
    const color = legend ? colorEnc : { ...colorEnc, legend: null };
    const base = {
      data: { values: values.filter((v) => v.measure === measure) },
      width: PANEL_WIDTH,
      height: 200,
    };
    if (sweep) {
      const x = { field: 'level', type: 'ordinal' as const, title: unit, axis: { labelAngle: 0 } };
      return {
        ...base,
        title,
        layer: [
          {
            mark: { type: 'line' as const, point: true },
            encoding: { x, y, color, strokeDash: DASH_DISQUALIFIED, opacity: FADE_DISQUALIFIED },
          },
          ...(spread
            ? [
                {
                  mark: { type: 'rule' as const, strokeWidth: 2 },
                  encoding: {
                    x,
                    y: { field: 'min', type: 'quantitative' as const },
                    y2: { field: 'max' },
                    color,
                  },
                },
              ]
            : []),
        ],
      };
    }
    const x = {
      field: 'strategy',
      type: 'nominal' as const,
      title: null,
      sort: colorEnc.scale.domain,
      axis: { labelAngle: -30 },
    };
    return {
      ...base,
      title,
      layer: [
        { mark: { type: 'bar' as const }, encoding: { x, y, color, opacity: FADE_DISQUALIFIED } },
        ...(spread
          ? [
              {
                mark: { type: 'rule' as const, color: '#333', strokeWidth: 1.5 },
                encoding: { x, y: { field: 'min', type: 'quantitative' as const }, y2: { field: 'max' } },
              },
            ]
          : []),
      ],
    };
  };
  const where = sweep ? `by ${unit}` : `at ${levelLabel(group.levelKind, group.levels[0] as number)}`;
  return {
    group: group.id,
    kind: 'throughput',
    file: `chart-${group.id}-throughput.svg`,
    title: `Goodput and p99 latency ${where}`,
    alt: `Goodput (successful operations per second) and p99 latency per strategy ${where}, ${groupTitle(group)}${spread ? '; bars through the points show the min–max over repeats' : ''}.`,
    // The legend once, under the second panel; with bars the axis names the strategies anyway.
    panels: [
      panelOf('goodput (ok/s)', panel('goodput', 'goodput (ok/s)', false)),
      panelOf('p99 latency (ms)', panel('p99', 'p99 latency (ms)', true)),
    ],
  };
}

const PERCENTILES = ['p50', 'p90', 'p99', 'p99.9', 'max'] as const;

function latencyChart(group: Group, level: number): ChartSpec | null {
  const rows = measuredAt(group, level);
  if (rows.length === 0) return null;
  const strategies = group.strategies.filter((s) => rows.some((r) => r.strategy === s));
  const values = rows.flatMap((r) => {
    const f = r.figures;
    const ms = [f.p50.median, f.p90.median, f.p99.median, f.p999.median, f.max.median];
    // A log axis cannot show 0; a microsecond floor is below anything the harness resolves.
    return PERCENTILES.map((p, i) => ({
      strategy: strategyLabel(group, r.strategy),
      disqualified: isDisqualified(group, r.strategy),
      percentile: p,
      ms: Math.max(ms[i] as number, 0.001),
    }));
  });
  const ms = values.map((v) => v.ms);
  return {
    group: group.id,
    kind: 'latency',
    file: `chart-${group.id}-latency.svg`,
    title: `Latency percentiles at ${levelLabel(group.levelKind, level)}`,
    alt: `Latency of all responses at p50, p90, p99, p99.9 and max per strategy (log scale, ms) at ${levelLabel(group.levelKind, level)}, ${groupTitle(group)}.`,
    panels: [
      panelOf('latency percentiles', {
        title: 'percentiles (ms, log scale)',
        data: { values },
        width: PANEL_WIDTH,
        height: 220,
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'percentile',
            type: 'ordinal',
            sort: [...PERCENTILES],
            title: null,
            axis: { labelAngle: 0 },
          },
          y: {
            field: 'ms',
            type: 'quantitative',
            scale: { type: 'log', nice: false, padding: 8 },
            axis: { values: logTicks(Math.min(...ms), Math.max(...ms)), format: ',~g' },
            title: 'ms',
          },
          color: {
            field: 'strategy',
            type: 'nominal',
            title: 'strategy',
            scale: colorScale(group, strategies),
          },
          strokeDash: DASH_DISQUALIFIED,
          opacity: FADE_DISQUALIFIED,
        },
      }),
    ],
  };
}

function timelineChart(group: Group, level: number): ChartSpec | null {
  const rows = measuredAt(group, level).filter((r) =>
    r.measured.some((c) => c.metrics.timeseries.length > 0),
  );
  if (rows.length === 0) return null;
  const strategies = group.strategies.filter((s) => rows.some((r) => r.strategy === s));
  const counts: { strategy: string; disqualified: boolean; t: number; series: string; value: number }[] = [];
  const p99: { strategy: string; disqualified: boolean; t: number; p99: number }[] = [];
  for (const r of rows) {
    // One repeat's timeline: averaging seconds across repeats would smooth away the spikes it is for.
    const cell = r.measured.find((c) => c.metrics.timeseries.length > 0);
    if (!cell) continue;
    const strategy = strategyLabel(group, r.strategy);
    const disqualified = isDisqualified(group, r.strategy);
    for (const p of cell.metrics.timeseries) {
      counts.push({ strategy, disqualified, t: p.t, series: 'requests', value: p.requests });
      counts.push({ strategy, disqualified, t: p.t, series: 'ok', value: p.ok });
      counts.push({ strategy, disqualified, t: p.t, series: 'conflict', value: p.conflict });
      p99.push({ strategy, disqualified, t: p.t, p99: Math.max(p.p99Ms, 0.001) });
    }
  }
  const x = {
    field: 't',
    type: 'quantitative' as const,
    title: 'seconds into the measured run',
    axis: { format: ',~g', tickMinStep: 1 },
  };
  // Every strategy's panel on the same axes, as the facets they replace had: panels are compared.
  const tMin = Math.min(...counts.map((c) => c.t));
  const tMax = Math.max(...counts.map((c) => c.t));
  const countMax = Math.max(1, ...counts.map((c) => c.value));
  const series = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: { domain: ['requests', 'ok', 'conflict'], range: ['#9e9e9e', '#2e7d32', '#d32f2f'] },
  };
  const small = strategies
    .map((s) => strategyLabel(group, s))
    .filter((label) => counts.some((c) => c.strategy === label))
    .map((label, i) =>
      panelOf(`per second, ${label}`, {
        title: `per second: ${label}`,
        data: { values: counts.filter((c) => c.strategy === label) },
        width: SMALL_WIDTH,
        height: 110,
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { ...x, scale: { domain: [tMin, tMax] } },
          y: { field: 'value', type: 'quantitative', title: 'per second', scale: { domain: [0, countMax] } },
          // The series legend once, under the first panel.
          color: i === 0 ? series : { ...series, legend: null },
          strokeDash: DASH_DISQUALIFIED,
          opacity: FADE_DISQUALIFIED,
        },
      }),
    );
  return {
    group: group.id,
    kind: 'timeline',
    file: `chart-${group.id}-timeline.svg`,
    title: `Per-second timeline at ${levelLabel(group.levelKind, level)}`,
    alt: `Requests, successes and conflicts per second for each strategy, and the p99 latency of each second, at ${levelLabel(group.levelKind, level)}, ${groupTitle(group)} (first repeat).`,
    panels: [
      ...small,
      panelOf('p99 latency of each second', {
        title: 'p99 per second (ms, log scale)',
        data: { values: p99 },
        width: PANEL_WIDTH,
        height: 160,
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: {
            field: 'p99',
            type: 'quantitative',
            title: 'ms',
            scale: { type: 'log', nice: false, padding: 8 },
            axis: {
              values: logTicks(Math.min(...p99.map((p) => p.p99)), Math.max(...p99.map((p) => p.p99))),
              format: ',~g',
            },
          },
          color: {
            field: 'strategy',
            type: 'nominal',
            title: 'strategy',
            scale: colorScale(group, strategies),
          },
          strokeDash: DASH_DISQUALIFIED,
          opacity: FADE_DISQUALIFIED,
        },
      }),
    ],
  };
}

const ERROR_CLASSES = [
  ['deadlock', 'deadlock'],
  ['serialization', 'serialization'],
  ['lockNotAvailable', 'lock not available'],
  ['lockTimeout', 'lock timeout'],
  ['other', 'other'],
] as const;

function retriesChart(group: Group, level: number): ChartSpec | null {
  const rows = measuredAt(group, level);
  if (rows.length === 0) return null;
  const strategies = group.strategies.filter((s) => rows.some((r) => r.strategy === s));
  const order = strategies.map((s) => strategyLabel(group, s));
  const retries = rows.map((r) => ({
    strategy: strategyLabel(group, r.strategy),
    disqualified: isDisqualified(group, r.strategy),
    extra: r.figures.extraAttemptsPerSuccess.median,
  }));
  const errors = rows.flatMap((r) =>
    ERROR_CLASSES.map(([key, label]) => ({
      strategy: strategyLabel(group, r.strategy),
      disqualified: isDisqualified(group, r.strategy),
      errorClass: label,
      count: r.figures.errors[key].median,
    })),
  );
  const x = {
    field: 'strategy',
    type: 'nominal' as const,
    title: null,
    sort: order,
    axis: { labelAngle: -30 },
  };
  return {
    group: group.id,
    kind: 'retries',
    file: `chart-${group.id}-retries.svg`,
    title: `Retries and errors at ${levelLabel(group.levelKind, level)}`,
    alt: `Extra attempts per success and driver errors by class per strategy at ${levelLabel(group.levelKind, level)}, ${groupTitle(group)}.`,
    panels: [
      panelOf('extra attempts per success', {
        title: 'extra attempts per success',
        data: { values: retries },
        width: SMALL_WIDTH + 40,
        height: 200,
        mark: 'bar',
        encoding: {
          x,
          y: { field: 'extra', type: 'quantitative', title: 'extra attempts / success' },
          color: { field: 'strategy', type: 'nominal', scale: colorScale(group, strategies), legend: null },
          opacity: FADE_DISQUALIFIED,
        },
      }),
      panelOf('driver errors by class', {
        title: 'errors by class (all attempts)',
        data: { values: errors },
        width: SMALL_WIDTH + 40,
        height: 200,
        mark: 'bar',
        encoding: {
          x,
          y: { field: 'count', type: 'quantitative', title: 'errors', stack: 'zero' },
          color: {
            field: 'errorClass',
            type: 'nominal',
            title: 'error class',
            // One a row: two of these long class names side by side are wider than a phone.
            legend: { columns: 1 },
            scale: {
              domain: ERROR_CLASSES.map(([, label]) => label),
              range: ['#d62728', '#9467bd', '#ff7f0e', '#e6b800', '#7f7f7f'],
            },
          },
          opacity: FADE_DISQUALIFIED,
        },
      }),
    ],
  };
}

/** All charts of a run, group by group, in reading order. */
export function chartSpecs(result: RunResult, groups: readonly Group[] = groupCells(result)): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const group of groups) {
    const level = headlineLevel(group);
    for (const c of [
      throughputChart(group),
      latencyChart(group, level),
      timelineChart(group, level),
      retriesChart(group, level),
    ]) {
      if (c) out.push(c);
    }
  }
  const forest = abForestChart(result);
  if (forest) out.push(forest);
  return out;
}
