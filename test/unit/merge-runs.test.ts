import { describe, expect, it } from 'vitest';
import { encodeHistogram, latencyHistogram, recordMs, summarizeEncoded } from '../../bench/load/histogram.ts';
import { type LoadResult, toMetricsPart } from '../../bench/load/load-result.ts';
import { mergeRuns } from '../../bench/merge/merge-runs.ts';
import type { CellOperations } from '../../bench/merge/operations-file.ts';
import { median } from '../../bench/stats/median.ts';
import { mergedLatency } from '../../bench/stats/merged-latency.ts';
import { type Cell, type Metrics, RunResult } from '../../core/result-schema.ts';

/** Encoded histogram of these latencies (ms). */
function encoded(valuesMs: readonly number[]): string {
  const h = latencyHistogram();
  for (const v of valuesMs) recordMs(h, v);
  const out = encodeHistogram(h);
  h.destroy();
  return out;
}

/** The exact p-th percentile of raw values, by the nearest-rank rule HdrHistogram follows. */
function rawPercentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Metrics of a window whose responses took `perSecondMs[i]` in second i, all 2xx. */
function metricsOf(perSecondMs: readonly (readonly number[])[]): Metrics {
  const all = perSecondMs.flat();
  const result: LoadResult = {
    model: 'closed',
    durationSec: perSecondMs.length,
    warmupSec: 1,
    warmupPolicy: 'fixed',
    warmupCapped: false,
    warmupGoodput: [],
    outcomes: {
      sent: all.length,
      ok: all.length,
      rejected: 0,
      conflict: 0,
      error: 0,
      timeout: 0,
      inFlight: 0,
      dropped: 0,
    },
    warmupOutcomes: {
      sent: 0,
      ok: 0,
      rejected: 0,
      conflict: 0,
      error: 0,
      timeout: 0,
      inFlight: 0,
      dropped: 0,
    },
    histograms: {
      latencyUs: encoded(all),
      successLatencyUs: encoded(all),
      scheduleLagUs: null,
      perSecondUs: perSecondMs.map(encoded),
    },
    timeseries: perSecondMs.map((s, t) => ({
      t,
      requests: s.length,
      ok: s.length,
      conflict: 0,
      p99Ms: rawPercentile(s, 99),
    })),
    driverCpuSec: 0.5,
    serverCpuSec: 1,
    acknowledged: [],
    indeterminate: [],
    target: { connections: 8, rate: null, stages: [] },
  };
  const part = toMetricsPart(result);
  return {
    ...part,
    cpu: { driverSec: part.cpu.driverSec, serverSec: part.cpu.serverSec ?? 0 },
    retries: { extraAttemptsPerSuccess: 0.5, retriedShare: 0.25, attemptsHistogram: { '1': all.length } },
    errors: { deadlock: 1, serialization: 0, lockNotAvailable: 2, lockTimeout: 0, other: 0 },
    database: { deadlocks: 1 },
  };
}

function cell(metrics: Metrics, repeat = 0): Cell {
  return {
    key: 'postgres/account/hot/for-update/closed/8',
    database: 'postgres',
    strategy: 'for-update',
    workload: 'account',
    profile: 'hot',
    model: 'closed',
    connections: 8,
    rate: null,
    repeat,
    status: 'ok',
    reason: null,
    server: { pool: 16 },
    metrics,
    correctness: null,
  };
}

function run(cells: Cell[], extra: Partial<RunResult> = {}): RunResult {
  return RunResult.parse({
    schemaVersion: 2,
    runId: `run-${Math.random().toString(36).slice(2)}`,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    tool: { name: 'lockbench', version: '0.1.0', gitSha: 'abc' },
    environment: { node: 'v20', os: 'linux', cpuModel: 'x', cpuCount: 2, memoryGiB: 1 },
    config: { strategy: ['for-update'], pool: 16, out: 'results' },
    command: 'lockbench',
    databases: [
      {
        id: 'postgres',
        product: 'postgresql',
        version: '18.4',
        kind: 'external',
        address: 'h',
        settings: {},
      },
    ],
    cells,
    ...extra,
  });
}

/** Seconds of `n` responses each, a fixed latency with a deterministic spread around it. */
const seconds = (count: number, n: number, ms: number) =>
  Array.from({ length: count }, (_, s) => Array.from({ length: n }, (_, i) => ms + ((i * 7 + s) % 10) / 10));

describe('repeats merged from their histograms', () => {
  it('give the p99 of all responses, which the median of the repeats p99s is not', () => {
    // Two calm repeats and one whose slowest 4% took half a second: the union's slowest 1% lies
    // in that tail, while the median repeat's p99 knows nothing of it.
    const calm = seconds(5, 200, 10);
    const tail = seconds(5, 200, 10).map((s) => s.map((v, i) => (i % 25 === 0 ? 500 : v)));
    const repeats = [metricsOf(calm), metricsOf(calm), metricsOf(tail)];
    const merged = mergedLatency(repeats);
    const raw = [...calm.flat(), ...calm.flat(), ...tail.flat()];
    const truth = rawPercentile(raw, 99);
    const medianOfP99s = median(repeats.map((m) => m.latencyMs.p99));
    expect(merged).not.toBeNull();
    // HdrHistogram with 3 significant digits: within 0.1% of the exact value.
    expect(Math.abs((merged?.latencyMs.p99 ?? 0) - truth) / truth).toBeLessThan(0.001);
    expect(Math.abs(medianOfP99s - truth) / truth).toBeGreaterThan(0.5);
    expect(merged?.latencyMs.count).toBe(raw.length);
  });

  it('is null when a repeat was recorded without histograms', () => {
    const { histograms: _h, ...old } = metricsOf(seconds(5, 10, 5));
    expect(mergedLatency([metricsOf(seconds(5, 10, 5)), old])).toBeNull();
  });
});

describe('mergeRuns', () => {
  const segment = (index: number, startAt = 1_700_000_000_000) => ({ index, count: 3, startAt });
  const ops = (prefix: string): CellOperations[] => [
    {
      key: cell(metricsOf([[1]])).key,
      repeat: 0,
      acknowledged: [`${prefix}1`, `${prefix}2`],
      indeterminate: [`${prefix}x`],
    },
  ];
  const parts = [seconds(6, 100, 5), seconds(6, 150, 8), seconds(5, 80, 20)];

  it('adds up segments: counts are sums, percentiles those of the added histograms', () => {
    const inputs = parts.map((p, i) => ({
      label: `s${i + 1}/`,
      result: run([cell(metricsOf(p))], { segment: segment(i + 1) }),
      operations: ops(`s${i + 1}-`),
    }));
    const { result, operations } = mergeRuns(inputs, 'npm run merge');
    expect(RunResult.safeParse(result).success).toBe(true);
    expect(result.segment).toBeUndefined();
    expect(result.mergedFrom).toEqual(inputs.map((i) => i.result.runId));
    const m = result.cells[0]?.metrics as Metrics;
    const sum = (pick: (m: Metrics) => number) =>
      inputs.reduce((s, i) => s + pick(i.result.cells[0]?.metrics as Metrics), 0);
    expect(m.outcomes.ok).toBe(sum((x) => x.outcomes.ok));
    expect(m.outcomes.sent).toBe(sum((x) => x.outcomes.sent));
    expect(m.errors.lockNotAvailable).toBe(sum((x) => x.errors.lockNotAvailable));
    const all = parts.flat(2);
    expect(m.latencyMs.count).toBe(all.length);
    expect(Math.abs(m.latencyMs.p99 - rawPercentile(all, 99)) / rawPercentile(all, 99)).toBeLessThan(0.001);
    expect(summarizeEncoded(m.histograms?.latencyUs as string).p99).toBe(m.latencyMs.p99);
    // Seconds line up: the merged timeline and per-second histograms are as long as the longest part.
    expect(m.histograms?.perSecondUs).toHaveLength(6);
    expect(m.timeseries.map((p) => p.ok)).toEqual(
      [0, 1, 2, 3, 4, 5].map((t) => parts.reduce((s, p) => s + (p[t]?.length ?? 0), 0)),
    );
    expect(m.intervals?.p99Ms?.estimate).toBe(m.latencyMs.p99);
    // Each second's p99 is that of the second's responses from every part.
    expect(m.timeseries.map((p) => p.p99Ms)).toEqual(
      [0, 1, 2, 3, 4, 5].map((t) => summarizeEncoded(m.histograms?.perSecondUs[t] as string).p99),
    );
    const second0 = parts.flatMap((p) => p[0] ?? []);
    expect(
      Math.abs((m.timeseries[0]?.p99Ms ?? 0) - rawPercentile(second0, 99)) / rawPercentile(second0, 99),
    ).toBeLessThan(0.001);
    expect(operations).toHaveLength(1);
    expect(operations[0]?.acknowledged).toHaveLength(6);
    expect(operations[0]?.indeterminate).toHaveLength(3);
    expect(result.cells[0]?.correctness).toBeNull();
  });

  it('refuses segments that differ, naming each difference', () => {
    const inputs = parts.map((p, i) => ({
      label: `s${i + 1}/`,
      result: run([cell(metricsOf(p))], {
        segment: segment(i === 2 ? 2 : i + 1, i === 1 ? 1 : 1_700_000_000_000),
        config: { strategy: ['for-update'], pool: i === 2 ? 32 : 16 },
      }),
      operations: [],
    }));
    expect(() => mergeRuns(inputs, 'x')).toThrow(/option pool differs: s1\/ 16, s3\/ 32/);
    expect(() => mergeRuns(inputs, 'x')).toThrow(/segment 2\/3 given twice: s2\/ and s3\//);
    expect(() => mergeRuns(inputs, 'x')).toThrow(/segment\(s\) 3\/3 missing/);
    expect(() => mergeRuns(inputs, 'x')).toThrow(/start times differ/);
  });

  it('refuses runs of another tool version or matrix', () => {
    const a = run([cell(metricsOf(parts[0] ?? []))]);
    const b = run([{ ...cell(metricsOf(parts[1] ?? [])), key: 'postgres/account/hot/naive/closed/8' }], {
      tool: { name: 'lockbench', version: '0.2.0', gitSha: 'def' },
    });
    const go = () =>
      mergeRuns(
        [
          { label: 'a/', result: a, operations: [] },
          { label: 'b/', result: b, operations: [] },
        ],
        'x',
      );
    expect(go).toThrow(/tool versions differ: a\/ lockbench 0\.1\.0 \(abc\), b\/ lockbench 0\.2\.0 \(def\)/);
    expect(go).toThrow(/matrices differ/);
  });

  it('merges whole runs as repeats, numbered on', () => {
    const a = run([cell(metricsOf(parts[0] ?? []), 0), cell(metricsOf(parts[1] ?? []), 1)]);
    const b = run([cell(metricsOf(parts[2] ?? []), 0)]);
    const { result } = mergeRuns(
      [
        { label: 'a/', result: a, operations: [] },
        { label: 'b/', result: b, operations: [] },
      ],
      'x',
    );
    expect(result.cells.map((c) => c.repeat)).toEqual([0, 1, 2]);
    expect(result.config.repeat).toBe(3);
  });
});
