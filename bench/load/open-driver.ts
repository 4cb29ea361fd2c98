import { OUTCOME_HEADER } from '../../servers/protocol.ts';
import { type ArrivalProcess, arrivalSchedule } from './arrivals.ts';
import { classifyResponse } from './classify.ts';
import { HttpConnection, type HttpConnectionOwner } from './http-connection.ts';
import type { LoadResult } from './load-result.ts';
import { cpuWindow } from './process-cpu.ts';
import { Random } from './random.ts';
import { type Pending, Recorder } from './recorder.ts';
import type { LoadRequest, RequestSource } from './request-builder.ts';
import { normalizeRunOptions, type RunOptions, startProgressTicker } from './run-options.ts';
import { isAuto, type WarmupOutcome, watchWarmup } from './warmup.ts';

export interface OpenOptions extends RunOptions {
  /** Requests per second at scale 1. */
  rate: number;
  /** Most requests in flight at once (and pool connections); a request due beyond it is dropped. */
  maxInFlight: number;
  /** Spacing of arrivals. Default 'constant'. */
  arrivals?: ArrivalProcess;
  /** User seed; the arrival times draw from its own `arrivals` stream. Default 1. */
  seed?: number;
}

/**
 * Open model: requests start on a schedule whatever the server does (wrk2 -R, pgbench -R, k6's
 * arrival-rate executors). Latency runs from the scheduled start, so a stall shows in full; the
 * lag between scheduled and actual start is recorded separately. A request due while
 * `maxInFlight` requests are out is dropped and counted (k6's dropped_iterations), which keeps
 * memory and sockets bounded when the server falls behind.
 *
 * Why not autocannon's `overallRate`: it is a per-connection counter reset every second (so
 * requests leave in a burst at the top of each second), each connection still waits for its
 * response before sending (closed loop: a stall stops the sending), and its coordinated-omission
 * correction passes a per-second rate where the histogram expects an interval in ms (autocannon
 * issues #27 and #490). It is not an open model; this driver schedules every request itself.
 */
export async function runOpen(options: OpenOptions, source: RequestSource): Promise<LoadResult> {
  const o = normalizeRunOptions(options);
  if (!(options.rate > 0)) throw new RangeError(`rate must be positive, got ${options.rate}`);
  if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) {
    throw new RangeError(`maxInFlight must be a positive integer, got ${options.maxInFlight}`);
  }
  const maxInFlight = options.maxInFlight;
  const timeoutMs = o.timeoutSec * 1000;
  const plan = { minSec: o.warmupSec, maxSec: o.warmupMaxSec };
  const schedule = arrivalSchedule({
    rate: options.rate,
    // An adaptive warm-up lasts until watchWarmup ends it (startStagesAt).
    warmupSec: isAuto(plan) ? Number.POSITIVE_INFINITY : o.warmupSec,
    stages: o.stages,
    process: options.arrivals ?? 'constant',
    rng: new Random(options.seed ?? 1, 'arrivals'),
  });
  const startMs = performance.now();
  const recorder = new Recorder({
    startMs,
    warmupSec: o.warmupSec,
    adaptive: isAuto(plan),
    warmupMaxSec: o.warmupMaxSec,
    durationSec: o.durationSec,
    scheduleLag: true,
  });
  const connections = new Connections(o.url, maxInFlight, timeoutMs, recorder);

  let cpu: ReturnType<typeof cpuWindow> | null = null;
  let warmup: WarmupOutcome = { policy: isAuto(plan) ? 'auto' : 'fixed', capped: false };
  const cancelWarmup = watchWarmup(recorder, plan, startMs, (nowMs, outcome) => {
    warmup = outcome;
    if (outcome.policy === 'auto') schedule.startStagesAt(nowMs - startMs);
    cpu = cpuWindow(o.cpuPids);
    options.onMeasureStart?.();
  });

  /** Starts a request now, or returns false when every connection is busy. */
  const send = (r: LoadRequest, dueMs: number, nowMs: number): boolean => {
    const c = connections.acquire();
    if (!c) return false;
    connections.start(c, r, dueMs, nowMs);
    return true;
  };

  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let due = schedule.next();
    const pump = () => {
      const now = performance.now();
      while (due !== null && startMs + due <= now) {
        if (!connections.available || !send(source.next(), startMs + due, now)) recorder.drop(startMs + due);
        due = schedule.next();
      }
      if (due === null) finish();
      else timer = setTimeout(pump, Math.max(0, startMs + due - performance.now()));
    };
    const ticker = startProgressTicker(recorder, o.stages, options.onProgress);
    const onAbort = () => finish();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    function finish() {
      clearTimeout(timer);
      clearInterval(ticker);
      options.signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    if (options.signal?.aborted) finish();
    else pump();
  });
  // The schedule ends with its last due time, a gap short of the end: stop at the end itself.
  const endMs = recorder.measureFrom + o.durationSec * 1000;
  const waitMs = endMs - performance.now();
  if (waitMs > 0 && !options.signal?.aborted) await new Promise((r) => setTimeout(r, waitMs));
  cancelWarmup();
  const recording = recorder.stop(performance.now());
  const usage = (cpu as ReturnType<typeof cpuWindow> | null)?.stop() ?? { driverSec: 0, serverSec: null };
  // Requests still out stay in flight for the result; their sockets are closed now.
  await connections.destroy();
  return {
    model: 'open',
    ...recording,
    warmupPolicy: warmup.policy,
    warmupCapped: warmup.capped,
    driverCpuSec: usage.driverSec,
    serverCpuSec: usage.serverSec,
    target: { connections: maxInFlight, rate: options.rate, stages: o.stages },
  };
}

/** How often requests are checked for a timeout, ms: a timeout is seen at most this late. */
const TIMEOUT_SWEEP_MS = 100;

/**
 * Up to `max` keep-alive connections (bench/load/http-connection.ts), one request in flight on
 * each, reused most recently freed first. Not undici's Pool: a Pool counts a connection busy until
 * its drain event, a tick after the response, so under a steady light load it keeps opening
 * connections up to its limit (measured: 241 connections for 500 requests/s at ~1 ms latency), and
 * every request then pays for a cold socket. Here connections grow only to the peak number of
 * requests in flight. One object owns every connection's callbacks: a request allocates its
 * recorder entry and its text, nothing else.
 */
class Connections implements HttpConnectionOwner {
  private readonly idle: HttpConnection[] = [];
  private readonly all: HttpConnection[] = [];
  private readonly pending: (Pending | null)[] = [];
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly origin: string,
    private readonly max: number,
    private readonly timeoutMs: number,
    private readonly recorder: Recorder,
  ) {
    this.sweep = setInterval(() => this.expire(performance.now()), Math.min(TIMEOUT_SWEEP_MS, timeoutMs / 4));
  }

  /** A connection is free or can be opened. */
  get available(): boolean {
    return this.idle.length > 0 || this.all.length < this.max;
  }

  acquire(): HttpConnection | null {
    const c = this.idle.pop();
    if (c) return c;
    if (this.all.length >= this.max) return null;
    const fresh = new HttpConnection(this.origin, this, OUTCOME_HEADER, 'application/json');
    fresh.slot = this.all.length;
    this.all.push(fresh);
    this.pending.push(null);
    return fresh;
  }

  /** Sends `r` on an acquired connection. */
  start(c: HttpConnection, r: LoadRequest, dueMs: number, nowMs: number): void {
    this.pending[c.slot] = this.recorder.start(r.op, nowMs, dueMs);
    c.send(r.method, r.path, r.body, nowMs);
  }

  onResponse(c: HttpConnection, status: number, outcome: string | undefined): void {
    const p = this.end(c);
    // The connection is free before recording, so the next due request can use it.
    if (p) this.recorder.respond(p, classifyResponse(status, outcome), performance.now());
  }

  onClose(c: HttpConnection, _inFlight: boolean): void {
    // A connection the server closed while idle reconnects when next used.
    const p = this.end(c);
    if (p) this.recorder.lose(p, 'error', performance.now());
  }

  /** Frees the connection; returns the request that was on it. */
  private end(c: HttpConnection): Pending | null {
    const p = this.pending[c.slot] ?? null;
    if (p === null) return null;
    this.pending[c.slot] = null;
    this.idle.push(c);
    return p;
  }

  /** Requests out for timeoutMs or more: timeouts; their sockets are closed (reopened on next use). */
  private expire(now: number): void {
    for (const c of this.all) {
      if (this.pending[c.slot] === null || now - c.sentAt < this.timeoutMs) continue;
      c.destroy(false);
      const p = this.end(c);
      if (p) this.recorder.lose(p, 'timeout', now);
    }
  }

  /** Closes every socket; requests still out end with nothing recorded (they stay in flight). */
  async destroy(): Promise<void> {
    clearInterval(this.sweep);
    const closing = this.all.map((c) => c.closed());
    for (const c of this.all) c.destroy(false);
    await Promise.all(closing);
  }
}
