import type { LatencySummary, Metrics, Outcomes } from '../../core/result-schema.ts';
import { decodeHistogram, encodeHistogram, summarize } from './histogram.ts';
import type { LoadStage } from './profiles.ts';
import type { LoadOp } from './request-builder.ts';
import { goodputInterval, p99Interval, steadyStateOf } from './window-figures.ts';

type TimePoint = Metrics['timeseries'][number];

/**
 * What one driver run returns. Plain JSON data (histograms encoded), so results from several
 * processes or hosts can be shipped and merged (`mergeLoadResults`).
 */
export interface LoadResult {
  model: 'closed' | 'open';
  /** Seconds of the measured part of the run (warm-up excluded). */
  durationSec: number;
  /** Seconds of warm-up before it. */
  warmupSec: number;
  /** auto: the warm-up ended when goodput settled (or at its cap); fixed: after a set time. */
  warmupPolicy: 'auto' | 'fixed';
  /** Auto warm-up ended at its cap without the load having settled. */
  warmupCapped: boolean;
  /** Goodput of each full warm-up second: what the warm-up decision saw. */
  warmupGoodput: number[];
  /** Requests started in the measured part. sent = ok + rejected + conflict + error + timeout + inFlight. */
  outcomes: Outcomes;
  /** Requests started during warm-up, same rule; kept for reconciliation with server counters. */
  warmupOutcomes: Outcomes;
  /** HdrHistograms in microseconds (compressed base64), measured requests only. */
  histograms: {
    /** Every response, timeouts and transport errors included (at the time they were given up). */
    latencyUs: string;
    /** 2xx responses only. */
    successLatencyUs: string;
    /** Open model: actual start minus scheduled start. Null for the closed model. */
    scheduleLagUs: string | null;
    /** Every response, one histogram per full measured second (by completion): batch percentiles. */
    perSecondUs: string[];
  };
  /** One point per full second of the measured part, by completion time. */
  timeseries: TimePoint[];
  /** CPU seconds (user + system) of the driver's process over the measured part. */
  driverCpuSec: number;
  /** CPU seconds of the server process trees named in `cpuPids`, same window; null when not measured. */
  serverCpuSec: number | null;
  /** Operations whose 2xx the client saw, warm-up included: they must be in the ledger. */
  acknowledged: LoadOp[];
  /**
   * Operations whose outcome the client never saw (in flight at the end, timed out, transport
   * error), warm-up included: in the ledger or not, neither is a violation.
   */
  indeterminate: LoadOp[];
  /** What was asked of the driver. */
  target: {
    /** Closed model: base connections. Open model: max in flight. */
    connections: number;
    /** Open model: base requests/s; null for the closed model. */
    rate: number | null;
    stages: LoadStage[];
  };
}

/** The part of `Metrics` the load side fills. */
export type LoadMetrics = Pick<
  Metrics,
  | 'durationSec'
  | 'requestsPerSec'
  | 'goodputPerSec'
  | 'latencyMs'
  | 'successLatencyMs'
  | 'outcomes'
  | 'timeseries'
  | 'intervals'
  | 'steady'
  | 'histograms'
> & {
  scheduleLagMs?: LatencySummary;
  cpu: { driverSec: number; serverSec: number | null };
};

/**
 * Maps a LoadResult to Metrics fields. requestsPerSec counts every measured request that ended
 * (sent - inFlight, timeouts and errors included); goodputPerSec counts 2xx only.
 */
export function toMetricsPart(r: LoadResult): LoadMetrics {
  const d = r.durationSec > 0 ? r.durationSec : Number.POSITIVE_INFINITY;
  const ended = r.outcomes.sent - r.outcomes.inFlight;
  const goodputPerSec = r.outcomes.ok / d;
  const latencyMs = summarizeEncoded(r.histograms.latencyUs);
  const part: LoadMetrics = {
    durationSec: r.durationSec,
    requestsPerSec: ended / d,
    goodputPerSec,
    latencyMs,
    successLatencyMs: summarizeEncoded(r.histograms.successLatencyUs),
    outcomes: r.outcomes,
    timeseries: r.timeseries,
    intervals: {
      goodputPerSec: goodputInterval(r, goodputPerSec),
      p99Ms: p99Interval(r, latencyMs.p99),
    },
    steady: steadyStateOf(r),
    histograms: r.histograms,
    cpu: { driverSec: r.driverCpuSec, serverSec: r.serverCpuSec },
  };
  if (r.histograms.scheduleLagUs !== null) part.scheduleLagMs = summarizeEncoded(r.histograms.scheduleLagUs);
  return part;
}

function summarizeEncoded(encoded: string): LatencySummary {
  const h = decodeHistogram(encoded);
  const s = summarize(h);
  h.destroy();
  return s;
}

/** Outcome counts of nothing sent: the start of every tally. */
export function noOutcomes(): Outcomes {
  return { sent: 0, ok: 0, rejected: 0, conflict: 0, error: 0, timeout: 0, inFlight: 0, dropped: 0 };
}

export function addOutcomes(a: Outcomes, b: Outcomes): Outcomes {
  return {
    sent: a.sent + b.sent,
    ok: a.ok + b.ok,
    rejected: a.rejected + b.rejected,
    conflict: a.conflict + b.conflict,
    error: a.error + b.error,
    timeout: a.timeout + b.timeout,
    inFlight: a.inFlight + b.inFlight,
    dropped: a.dropped + b.dropped,
  };
}

/** The accounting rule every Outcomes satisfies; false means a driver bug. */
export function outcomesBalance(o: Outcomes): boolean {
  return o.sent === o.ok + o.rejected + o.conflict + o.error + o.timeout + o.inFlight;
}

/**
 * Merges results of drivers that ran side by side (several processes or hosts, same start):
 * counts add up, histograms merge exactly (per second too), duration is the longest; the warm-up
 * series is the first part's. Timeseries points add up by
 * second, except p99Ms, which takes the largest of the parts: an upper bound, as exact
 * per-second merging would need a histogram per second.
 */
export function mergeLoadResults(results: LoadResult[]): LoadResult {
  const [first, ...rest] = results;
  if (!first) throw new RangeError('nothing to merge');
  if (rest.some((r) => r.model !== first.model))
    throw new RangeError('cannot merge closed- and open-model results');
  const merge = (pick: (r: LoadResult) => string | null): string | null => {
    const encoded = results.map(pick).filter((e): e is string => e !== null);
    const [head, ...tail] = encoded;
    if (head === undefined) return null;
    const h = decodeHistogram(head);
    for (const e of tail) {
      const o = decodeHistogram(e);
      h.add(o);
      o.destroy();
    }
    const out = encodeHistogram(h);
    h.destroy();
    return out;
  };
  const points = new Map<number, TimePoint>();
  for (const r of results) {
    for (const p of r.timeseries) {
      const q = points.get(p.t);
      if (!q) points.set(p.t, { ...p });
      else {
        q.requests += p.requests;
        q.ok += p.ok;
        q.conflict += p.conflict;
        q.p99Ms = Math.max(q.p99Ms, p.p99Ms);
      }
    }
  }
  const servers = results.map((r) => r.serverCpuSec).filter((s): s is number => s !== null);
  return {
    model: first.model,
    durationSec: Math.max(...results.map((r) => r.durationSec)),
    warmupSec: Math.max(...results.map((r) => r.warmupSec)),
    warmupPolicy: first.warmupPolicy,
    warmupCapped: results.some((r) => r.warmupCapped),
    warmupGoodput: first.warmupGoodput,
    outcomes: results.map((r) => r.outcomes).reduce(addOutcomes),
    warmupOutcomes: results.map((r) => r.warmupOutcomes).reduce(addOutcomes),
    histograms: {
      latencyUs: merge((r) => r.histograms.latencyUs) as string,
      successLatencyUs: merge((r) => r.histograms.successLatencyUs) as string,
      scheduleLagUs: merge((r) => r.histograms.scheduleLagUs),
      // Seconds line up (same start); a part that ran shorter adds nothing to the later seconds.
      perSecondUs: Array.from(
        { length: Math.max(...results.map((r) => r.histograms.perSecondUs.length)) },
        (_, i) => merge((r) => r.histograms.perSecondUs[i] ?? null) as string,
      ),
    },
    timeseries: [...points.values()].sort((a, b) => a.t - b.t),
    driverCpuSec: results.reduce((s, r) => s + r.driverCpuSec, 0),
    serverCpuSec: servers.length ? Math.max(...servers) : null,
    acknowledged: results.flatMap((r) => r.acknowledged),
    indeterminate: results.flatMap((r) => r.indeterminate),
    target: {
      connections: results.reduce((s, r) => s + r.target.connections, 0),
      rate: first.target.rate === null ? null : results.reduce((s, r) => s + (r.target.rate ?? 0), 0),
      stages: first.target.stages,
    },
  };
}
