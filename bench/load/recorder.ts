import type { Histogram } from 'hdr-histogram-js';
import type { Metrics, Outcomes } from '../../core/result-schema.ts';
import type { OutcomeKind } from '../../servers/protocol.ts';
import { encodeHistogram, latencyHistogram, recordMs } from './histogram.ts';
import { noOutcomes } from './load-result.ts';
import type { LoadOp } from './request-builder.ts';

type TimePoint = Metrics['timeseries'][number];

/** A request the recorder has seen start and not yet seen end. */
export interface Pending {
  readonly op: LoadOp | null;
  /** performance.now() ms the request was due: its scheduled start (open model) or its start. */
  readonly dueMs: number;
  /** Started after warm-up: counted in `outcomes` and the histograms. */
  readonly measured: boolean;
}

/** Once a second while a driver runs; see the progress display. */
export interface LoadProgress {
  phase: 'warmup' | 'measure';
  /** Seconds since the run (warm-up included) began. */
  elapsedSec: number;
  remainingSec: number;
  /** Responses in the last full second. */
  requestsPerSec: number;
  /** 2xx responses in the last full second. */
  goodputPerSec: number;
  /** p99 latency of the responses in the last full second, ms. */
  p99Ms: number;
  /** Conflicts / responses in the last full second, 0..1. */
  conflictRate: number;
  inFlight: number;
  /** Measured requests sent so far. */
  sent: number;
  /** Open model: measured requests dropped so far. */
  dropped: number;
  /** The load stage now running (steady, before, spike, after). */
  stage: string;
}

/** What the recorder knows at stop; the drivers add the model, CPU and target. */
export interface Recording {
  durationSec: number;
  /** Seconds from the start to the measured window (0 when stopped before it began). */
  warmupSec: number;
  /** Goodput (2xx) of each full warm-up second, in order: what the warm-up decision saw. */
  warmupGoodput: number[];
  outcomes: Outcomes;
  warmupOutcomes: Outcomes;
  histograms: {
    latencyUs: string;
    successLatencyUs: string;
    scheduleLagUs: string | null;
    /** One histogram of every response per full measured second (by completion), for batch percentiles. */
    perSecondUs: string[];
  };
  timeseries: TimePoint[];
  acknowledged: LoadOp[];
  indeterminate: LoadOp[];
}

export interface RecorderOptions {
  /** performance.now() ms at which the run (warm-up included) begins. */
  startMs: number;
  /**
   * Seconds of warm-up; requests started before startMs + warm-up are not measured. Default 0.
   * With `adaptive`, the least warm-up: measuring begins when the driver calls `beginMeasure`.
   */
  warmupSec?: number;
  /** The measured window begins at `beginMeasure`, not at a set time. Default false. */
  adaptive?: boolean;
  /** Adaptive only: the most warm-up, seconds, for the progress estimate. */
  warmupMaxSec?: number;
  /** Seconds of the measured part, for progress only. */
  durationSec: number;
  /** Record schedule lag (open model). Default false. */
  scheduleLag?: boolean;
}

let emptyEncoded: string | null = null;
/** The encoding of an empty histogram, made once. */
const EMPTY_HISTOGRAM = (): string => {
  if (emptyEncoded === null) {
    const h = latencyHistogram();
    emptyEncoded = encodeHistogram(h);
    h.destroy();
  }
  return emptyEncoded;
};

/**
 * Counts, histograms and the timeline of one run, in flat memory (fixed-size histograms, one
 * point per second, the op lists the checks need).
 *
 * Accounting rule, for `outcomes` (requests started after warm-up) and `warmupOutcomes` alike:
 *   sent = ok + rejected + conflict + error + timeout + inFlight
 * `sent` counts at start, one outcome counts at end, and whatever is still pending at `stop` is
 * `inFlight`. `dropped` (open model: due but never started) is outside `sent`.
 * A request belongs to the part of the run it started in (its due time for drops), so a warm-up
 * request that ends after warm-up is counted in `warmupOutcomes` only. The timeline instead
 * counts every response in the second it arrived.
 *
 * Seconds are counted from the measured window's start once it is known (a fixed warm-up, or
 * `beginMeasure`); before that, from the run's start. A second that straddles `beginMeasure`
 * belongs to neither series.
 */
export class Recorder {
  private measureFromMs: number;
  /** The time seconds are counted from: measureFromMs when known, else startMs. */
  private originMs: number;
  private readonly startMs: number;
  private readonly warmupSec: number;
  private readonly warmupMaxSec: number;
  private readonly durationSec: number;
  private readonly pending = new Set<Pending>();
  private readonly measuredOutcomes = noOutcomes();
  private readonly warmOutcomes = noOutcomes();
  private readonly all: Histogram = latencyHistogram();
  private readonly success: Histogram = latencyHistogram();
  private readonly lag: Histogram | null;
  private readonly acknowledged: LoadOp[] = [];
  private readonly indeterminate: LoadOp[] = [];
  private readonly timeseries: TimePoint[] = [];
  private readonly warmupGoodput: number[] = [];
  private readonly perSecond: string[] = [];
  /** The second (since originMs, may be negative) the open bin covers. */
  private bin: number;
  private binRequests = 0;
  private binOk = 0;
  private binConflict = 0;
  private readonly binHist: Histogram = latencyHistogram();
  private last = { requests: 0, ok: 0, conflict: 0, p99Ms: 0 };
  private stoppedAt: number | null = null;
  private recording: Recording | null = null;
  /** Shown in progress; the driver sets it as stages change. */
  stage = 'steady';

  constructor(o: RecorderOptions) {
    this.startMs = o.startMs;
    this.warmupSec = o.warmupSec ?? 0;
    this.warmupMaxSec = o.adaptive
      ? Math.max(this.warmupSec, o.warmupMaxSec ?? this.warmupSec)
      : this.warmupSec;
    this.durationSec = o.durationSec;
    this.measureFromMs = o.adaptive ? Number.POSITIVE_INFINITY : o.startMs + this.warmupSec * 1000;
    this.originMs = o.adaptive ? o.startMs : this.measureFromMs;
    this.lag = o.scheduleLag ? latencyHistogram() : null;
    this.bin = Math.floor((o.startMs - this.originMs) / 1000);
  }

  /**
   * Adaptive warm-up: the measured window begins at `nowMs` (requests due from then on are
   * measured). The open second is discarded. Ignored once measuring or stopped.
   */
  beginMeasure(nowMs: number): void {
    if (this.stoppedAt !== null || Number.isFinite(this.measureFromMs)) return;
    this.advance(nowMs);
    this.measureFromMs = nowMs;
    this.originMs = nowMs;
    this.bin = 0;
    this.binRequests = 0;
    this.binOk = 0;
    this.binConflict = 0;
    this.binHist.reset();
  }

  /** Whether the measured window has begun. */
  get measuring(): boolean {
    return Number.isFinite(this.measureFromMs);
  }

  /** Goodput of each full warm-up second so far (closes the seconds up to `nowMs` first). */
  warmupSeries(nowMs: number): readonly number[] {
    this.advance(nowMs);
    return this.warmupGoodput;
  }

  /** performance.now() ms at which measuring begins. */
  get measureFrom(): number {
    return this.measureFromMs;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  get stopped(): boolean {
    return this.stoppedAt !== null;
  }

  /** A request goes out at `startMs`; `dueMs` is its scheduled start (open model). */
  start(op: LoadOp | null, startMs: number, dueMs: number = startMs): Pending {
    const measured = dueMs >= this.measureFromMs;
    const p: Pending = { op, dueMs, measured };
    if (this.stoppedAt !== null) return p;
    this.pending.add(p);
    if (measured) {
      this.measuredOutcomes.sent++;
      if (this.lag) recordMs(this.lag, startMs - dueMs);
    } else this.warmOutcomes.sent++;
    return p;
  }

  /** A response arrived at `endMs`. Ignored after stop or for a request already ended. */
  respond(p: Pending, outcome: OutcomeKind, endMs: number): void {
    if (this.stoppedAt !== null || !this.pending.delete(p)) return;
    (p.measured ? this.measuredOutcomes : this.warmOutcomes)[outcome]++;
    const latencyMs = endMs - p.dueMs;
    if (p.measured) {
      recordMs(this.all, latencyMs);
      if (outcome === 'ok') recordMs(this.success, latencyMs);
    }
    if (outcome === 'ok' && p.op) this.acknowledged.push(p.op);
    this.toBin(endMs, latencyMs, outcome);
  }

  /**
   * The client gave up on a request without seeing a response (timeout, transport error): its
   * outcome is unknown, so its operation is indeterminate.
   */
  lose(p: Pending, outcome: 'timeout' | 'error', endMs: number): void {
    if (this.stoppedAt !== null || !this.pending.delete(p)) return;
    (p.measured ? this.measuredOutcomes : this.warmOutcomes)[outcome]++;
    const latencyMs = endMs - p.dueMs;
    if (p.measured) recordMs(this.all, latencyMs);
    if (p.op) this.indeterminate.push(p.op);
    this.toBin(endMs, latencyMs, outcome);
  }

  /** Open model: a request due at `dueMs` could not start (max in flight reached). */
  drop(dueMs: number): void {
    if (this.stoppedAt !== null) return;
    (dueMs >= this.measureFromMs ? this.measuredOutcomes : this.warmOutcomes).dropped++;
  }

  /** Closes the seconds that have passed and reports the last full one. Call about once a second. */
  tick(nowMs: number): LoadProgress {
    this.advance(nowMs);
    const o = this.measuredOutcomes;
    const measuring = nowMs >= this.measureFromMs;
    // Before an adaptive warm-up has ended, the most that can remain: the cap, then the window.
    const endMs = Number.isFinite(this.measureFromMs)
      ? this.measureFromMs + this.durationSec * 1000
      : this.startMs + (this.warmupMaxSec + this.durationSec) * 1000;
    return {
      phase: measuring ? 'measure' : 'warmup',
      elapsedSec: (nowMs - this.startMs) / 1000,
      remainingSec: Math.max(0, (endMs - nowMs) / 1000),
      requestsPerSec: this.last.requests,
      goodputPerSec: this.last.ok,
      p99Ms: this.last.p99Ms,
      conflictRate: this.last.requests ? this.last.conflict / this.last.requests : 0,
      inFlight: this.pending.size,
      sent: o.sent,
      dropped: o.dropped,
      stage: measuring ? this.stage : 'warmup',
    };
  }

  /**
   * Ends the recording at `nowMs`: what is still pending is in flight (indeterminate), later
   * calls are ignored, the unfinished last second is left out of the timeline. Idempotent.
   */
  stop(nowMs: number): Recording {
    if (this.recording) return this.recording;
    this.advance(nowMs);
    this.stoppedAt = nowMs;
    for (const p of this.pending) {
      (p.measured ? this.measuredOutcomes : this.warmOutcomes).inFlight++;
      if (p.op) this.indeterminate.push(p.op);
    }
    this.pending.clear();
    const began = Number.isFinite(this.measureFromMs);
    this.recording = {
      durationSec: began ? Math.max(0, (nowMs - this.measureFromMs) / 1000) : 0,
      warmupSec: began
        ? Math.max(0, (this.measureFromMs - this.startMs) / 1000)
        : (nowMs - this.startMs) / 1000,
      warmupGoodput: this.warmupGoodput,
      outcomes: { ...this.measuredOutcomes },
      warmupOutcomes: { ...this.warmOutcomes },
      histograms: {
        latencyUs: encodeHistogram(this.all),
        successLatencyUs: encodeHistogram(this.success),
        scheduleLagUs: this.lag ? encodeHistogram(this.lag) : null,
        perSecondUs: this.perSecond,
      },
      timeseries: this.timeseries,
      acknowledged: this.acknowledged,
      indeterminate: this.indeterminate,
    };
    for (const h of [this.all, this.success, this.binHist, this.lag]) h?.destroy();
    return this.recording;
  }

  private toBin(endMs: number, latencyMs: number, outcome: OutcomeKind | 'timeout'): void {
    this.advance(endMs);
    this.binRequests++;
    if (outcome === 'ok') this.binOk++;
    else if (outcome === 'conflict') this.binConflict++;
    recordMs(this.binHist, latencyMs);
  }

  private advance(nowMs: number): void {
    const current = Math.floor((nowMs - this.originMs) / 1000);
    if (this.bin >= current || this.stoppedAt !== null) return;
    const p99Ms = this.binHist.totalCount ? this.binHist.getValueAtPercentile(99) / 1000 : 0;
    this.last = { requests: this.binRequests, ok: this.binOk, conflict: this.binConflict, p99Ms };
    this.close(this.binHist);
    this.binRequests = 0;
    this.binOk = 0;
    this.binConflict = 0;
    this.binHist.reset();
    // Seconds with no response at all (a stall) still get a point.
    for (this.bin++; this.bin < current; this.bin++) {
      this.last = { requests: 0, ok: 0, conflict: 0, p99Ms: 0 };
      this.close(null);
    }
  }

  /** Files the finished second `this.bin` (with `this.last`) in the measured or the warm-up series. */
  private close(hist: Histogram | null): void {
    const measured = Number.isFinite(this.measureFromMs) && this.bin >= 0;
    if (measured) {
      this.timeseries.push({ t: this.bin, ...this.last });
      this.perSecond.push(hist && hist.totalCount > 0 ? encodeHistogram(hist) : EMPTY_HISTOGRAM());
    } else this.warmupGoodput.push(this.last.ok);
  }
}
