import { OUTCOME_HEADER } from '../../servers/protocol.ts';
import { classifyResponse } from './classify.ts';
import { HttpConnection, type HttpConnectionOwner } from './http-connection.ts';
import type { LoadResult } from './load-result.ts';
import { cpuWindow } from './process-cpu.ts';
import { type Pending, Recorder } from './recorder.ts';
import type { RequestSource } from './request-builder.ts';
import { normalizeRunOptions, type RunOptions, startProgressTicker } from './run-options.ts';
import { isAuto, type WarmupOutcome, watchWarmup } from './warmup.ts';

export interface ClosedOptions extends RunOptions {
  /** Connections at scale 1; each has one request in flight and sends the next when it returns. */
  connections: number;
}

/**
 * Closed model: N keep-alive connections, each sending its next request when the previous
 * response arrives (what autocannon, wrk and pgbench without -R do). When the server stalls,
 * sending stalls too, so latency percentiles understate the stall (coordinated omission); the open
 * model shows it.
 *
 * Each connection builds a fresh request (new body, new opId) right before it sends it and
 * classifies its response from the status and `x-outcome` header (bench/load/http-connection.ts:
 * one write per request, no body parsing). A request unanswered after `timeoutSec` is a timeout:
 * its connection is replaced and sends the next. A connection that fails loses its request (an
 * error) and reconnects. What is still out when the run stops is in flight.
 *
 * Load stages (a spike) run as overlapping groups of connections: one group at the lowest stage's
 * connections for the whole run, plus one group per higher stage with the extra connections for
 * that stage's time.
 */
export async function runClosed(options: ClosedOptions, source: RequestSource): Promise<LoadResult> {
  const o = normalizeRunOptions(options);
  if (!Number.isInteger(options.connections) || options.connections < 1) {
    throw new RangeError(`connections must be a positive integer, got ${options.connections}`);
  }
  if (o.timeoutSec < 1) {
    throw new RangeError(`the closed model needs timeoutSec >= 1, got ${o.timeoutSec}`);
  }
  const timeoutMs = o.timeoutSec * 1000;
  const startMs = performance.now();
  const plan = { minSec: o.warmupSec, maxSec: o.warmupMaxSec };
  const recorder = new Recorder({
    startMs,
    warmupSec: o.warmupSec,
    adaptive: isAuto(plan),
    warmupMaxSec: o.warmupMaxSec,
    durationSec: o.durationSec,
  });
  const minScale = Math.min(...o.stages.map((s) => s.scale));
  const baseConnections = Math.max(1, Math.round(options.connections * minScale));

  const start = (connections: number) => new ClosedLoops(o.url, connections, timeoutMs, recorder, source);

  const instances: ClosedLoops[] = [start(baseConnections)];
  const timers: NodeJS.Timeout[] = [];
  let cpu: ReturnType<typeof cpuWindow> | null = null;
  let warmup: WarmupOutcome = { policy: isAuto(plan) ? 'auto' : 'fixed', capped: false };

  const stopAll = () => {
    for (const t of timers) clearTimeout(t);
    for (const inst of instances) inst.stop();
  };
  await new Promise<void>((resolve) => {
    const ticker = startProgressTicker(recorder, o.stages, options.onProgress);
    const onAbort = () => finish();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let done = false;
    // The measured window: the CPU window opens, the server's counters reset, and the stages (a
    // spike's extra connections) and the end are timed from here.
    const cancelWarmup = watchWarmup(recorder, plan, startMs, (_now, outcome) => {
      warmup = outcome;
      cpu = cpuWindow(o.cpuPids);
      options.onMeasureStart?.();
      let offsetMs = 0;
      for (const stage of o.stages) {
        const extra = Math.round(options.connections * (stage.scale - minScale));
        if (extra > 0) {
          const stageMs = stage.durationSec * 1000;
          timers.push(
            setTimeout(() => {
              const inst = start(extra);
              instances.push(inst);
              timers.push(setTimeout(() => inst.stop(), stageMs));
            }, offsetMs),
          );
        }
        offsetMs += stage.durationSec * 1000;
      }
      timers.push(setTimeout(finish, offsetMs));
    });
    if (options.signal?.aborted) finish();
    function finish() {
      if (done) return;
      done = true;
      cancelWarmup();
      clearInterval(ticker);
      options.signal?.removeEventListener('abort', onAbort);
      stopAll();
      resolve();
    }
  });
  // Every connection is closed once all groups are done; what is still pending is in flight.
  await Promise.all(instances.map((i) => i.done));
  const recording = recorder.stop(performance.now());
  const usage = (cpu as ReturnType<typeof cpuWindow> | null)?.stop() ?? { driverSec: 0, serverSec: null };
  return {
    model: 'closed',
    ...recording,
    warmupPolicy: warmup.policy,
    warmupCapped: warmup.capped,
    driverCpuSec: usage.driverSec,
    serverCpuSec: usage.serverSec,
    target: { connections: options.connections, rate: null, stages: o.stages },
  };
}

/** How often requests are checked for a timeout, ms: a timeout is seen at most this late. */
const TIMEOUT_SWEEP_MS = 100;
/** Wait before reconnecting after a connection failed with nothing answered since, ms. */
const RECONNECT_DELAY_MS = 50;

/**
 * `count` closed loops: each connection sends a request, waits for its response, sends the next.
 * One object for all of them, so a request allocates no closure; a sweep timer finds timeouts.
 */
class ClosedLoops implements HttpConnectionOwner {
  private readonly conns: HttpConnection[] = [];
  private readonly pending: (Pending | null)[] = [];
  private readonly sweep: NodeJS.Timeout;
  private stopped = false;
  private resolveDone: () => void = () => {};
  /** Settles once every connection is closed after stop(). */
  readonly done: Promise<void>;

  constructor(
    origin: string,
    count: number,
    private readonly timeoutMs: number,
    private readonly recorder: Recorder,
    private readonly source: RequestSource,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    for (let i = 0; i < count; i++) {
      const c = new HttpConnection(origin, this, OUTCOME_HEADER, 'application/json');
      c.slot = i;
      this.conns.push(c);
      this.pending.push(null);
    }
    for (const c of this.conns) this.next(c, performance.now());
    this.sweep = setInterval(() => this.expire(performance.now()), Math.min(TIMEOUT_SWEEP_MS, timeoutMs / 4));
  }

  private next(c: HttpConnection, now: number): void {
    const r = this.source.next();
    this.pending[c.slot] = this.recorder.start(r.op, now);
    c.send(r.method, r.path, r.body, now);
  }

  onResponse(c: HttpConnection, status: number, outcome: string | undefined): void {
    const p = this.pending[c.slot];
    this.pending[c.slot] = null;
    const now = performance.now();
    if (p) this.recorder.respond(p, classifyResponse(status, outcome), now);
    if (!this.stopped) this.next(c, now);
  }

  onClose(c: HttpConnection, inFlight: boolean): void {
    if (this.stopped) return;
    const p = this.pending[c.slot];
    this.pending[c.slot] = null;
    if (p) this.recorder.lose(p, 'error', performance.now());
    // Reconnect and go on; after a failure wait a little first, so that a server that refuses
    // connections does not spin the loop.
    setTimeout(
      () => {
        if (!this.stopped) this.next(c, performance.now());
      },
      inFlight ? RECONNECT_DELAY_MS : 0,
    );
  }

  /** Requests out for timeoutMs or more: timeouts; their connections are replaced. */
  private expire(now: number): void {
    for (const c of this.conns) {
      const p = this.pending[c.slot];
      if (!p || now - c.sentAt < this.timeoutMs) continue;
      this.pending[c.slot] = null;
      this.recorder.lose(p, 'timeout', now);
      c.destroy(false);
      this.next(c, now);
    }
  }

  /** Stops sending and closes every connection; requests still out stay in flight. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.sweep);
    const closing = this.conns.map((c) => c.closed());
    for (const c of this.conns) c.destroy(false);
    void Promise.all(closing).then(() => this.resolveDone());
  }
}
