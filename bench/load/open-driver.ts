import { Client, type Dispatcher } from 'undici';
import { OUTCOME_HEADER } from '../../servers/protocol.ts';
import { type ArrivalProcess, arrivalSchedule } from './arrivals.ts';
import { classifyResponse } from './classify.ts';
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
  const connections = new Connections(o.url, maxInFlight, timeoutMs);
  const plan = { minSec: o.warmupSec, maxSec: o.warmupMaxSec };
  const schedule = arrivalSchedule({
    rate: options.rate,
    // An adaptive warm-up lasts until watchWarmup ends it (startStagesAt).
    warmupSec: isAuto(plan) ? Number.POSITIVE_INFINITY : o.warmupSec,
    stages: o.stages,
    process: options.arrivals ?? 'constant',
    rng: new Random(options.seed ?? 1, 'arrivals'),
  });
  // One request before the clock starts: undici sets up its WebAssembly HTTP parser on the
  // first connection, a stall of up to a few hundred ms that would otherwise land in the schedule.
  await connections.prime('/health');
  const startMs = performance.now();
  const recorder = new Recorder({
    startMs,
    warmupSec: o.warmupSec,
    adaptive: isAuto(plan),
    warmupMaxSec: o.warmupMaxSec,
    durationSec: o.durationSec,
    scheduleLag: true,
  });

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
    const client = connections.acquire();
    if (!client) return false;
    const p = recorder.start(r.op, nowMs, dueMs);
    client.dispatch(
      { path: r.path, method: r.method, body: r.body ?? null, headers: JSON_HEADERS },
      new Exchange(recorder, p, () => connections.release(client)),
    );
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

const JSON_HEADERS = { 'content-type': 'application/json' };
const OUTCOME_HEADER_LENGTH = OUTCOME_HEADER.length;

/**
 * Up to `max` keep-alive connections, one request in flight on each, reused most recently freed
 * first. Not undici's Pool: a Pool counts a connection busy until its drain event, a tick after
 * the response, so under a steady light load it keeps opening connections up to its limit
 * (measured: 241 connections for 500 requests/s at ~1 ms latency), and every request then pays
 * for a cold socket. Here connections grow only to the peak number of requests in flight.
 */
class Connections {
  private readonly idle: Client[] = [];
  private readonly all: Client[] = [];

  constructor(
    private readonly origin: string,
    private readonly max: number,
    private readonly timeoutMs: number,
  ) {}

  /** A connection is free or can be opened. */
  get available(): boolean {
    return this.idle.length > 0 || this.all.length < this.max;
  }

  acquire(): Client | null {
    const c = this.idle.pop();
    if (c) return c;
    if (this.all.length >= this.max) return null;
    const fresh = new Client(this.origin, {
      pipelining: 1,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: { timeout: this.timeoutMs },
      keepAliveTimeout: 60_000,
    });
    this.all.push(fresh);
    return fresh;
  }

  /** Opens one connection with a GET of `path`; any answer (or error) will do. */
  async prime(path: string): Promise<void> {
    const c = this.acquire();
    if (!c) return;
    await c
      .request({ path, method: 'GET' })
      .then((r) => r.body.dump())
      .catch(() => {});
    this.release(c);
  }

  release(c: Client): void {
    this.idle.push(c);
  }

  /** Closes every socket; requests still out end with an error nobody records. */
  async destroy(): Promise<void> {
    await Promise.all(this.all.map((c) => c.destroy().catch(() => {})));
  }
}

/** One request's undici handler: the status and `x-outcome` header are all it reads. */
class Exchange implements Dispatcher.DispatchHandlers {
  private status = 0;
  private outcome: string | undefined;

  constructor(
    private readonly recorder: Recorder,
    private readonly pending: Pending,
    /** Frees the connection; runs before recording so the next due request can use it. */
    private readonly onEnd: () => void,
  ) {}

  onConnect(): void {}

  onHeaders(status: number, headers: Buffer[]): boolean {
    this.status = status;
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i] as Buffer;
      if (name.length === OUTCOME_HEADER_LENGTH && name.toString('latin1').toLowerCase() === OUTCOME_HEADER) {
        this.outcome = (headers[i + 1] as Buffer).toString('latin1');
        break;
      }
    }
    return true;
  }

  onData(): boolean {
    return true;
  }

  onComplete(): void {
    this.onEnd();
    this.recorder.respond(this.pending, classifyResponse(this.status, this.outcome), performance.now());
  }

  onError(err: Error): void {
    this.onEnd();
    const code = (err as { code?: string }).code;
    const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
    this.recorder.lose(this.pending, timedOut ? 'timeout' : 'error', performance.now());
  }
}
