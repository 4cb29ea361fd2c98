import { OUTCOME_HEADER } from '../../servers/protocol.ts';
import { type CannonClient, type CannonInstance, type CannonRequest, startCannon } from './autocannon.ts';
import { classifyResponse } from './classify.ts';
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
 * Closed model on autocannon: N connections, each sending its next request when the previous
 * response arrives (what autocannon and pgbench without -R do). When the server stalls, sending
 * stalls too, so latency percentiles understate the stall (coordinated omission); the open model
 * shows it.
 *
 * Each connection builds a fresh request (new body, new opId) in `setupRequest` and classifies
 * its response from the status and `x-outcome` header in `onResponse`. In-flight requests are
 * tracked here, not by autocannon, which stops counting while requests are still out.
 *
 * Load stages (a spike) run as overlapping autocannon instances, because an instance cannot
 * change its connection count: one instance at the lowest stage's connections for the whole run,
 * plus one instance per higher stage with the extra connections for that stage's time.
 */
export async function runClosed(options: ClosedOptions, source: RequestSource): Promise<LoadResult> {
  const o = normalizeRunOptions(options);
  if (!Number.isInteger(options.connections) || options.connections < 1) {
    throw new RangeError(`connections must be a positive integer, got ${options.connections}`);
  }
  if (o.timeoutSec < 1) {
    throw new RangeError(`the closed model needs timeoutSec >= 1 (autocannon), got ${o.timeoutSec}`);
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

  const setupClient = (client: CannonClient) => {
    let current: Pending | null = null;
    const request: CannonRequest = {
      setupRequest(req) {
        const now = performance.now();
        if (current) {
          // The previous request got no response: autocannon replaced the connection after its
          // timeout or a socket error, and is sending the next request.
          recorder.lose(current, now - current.dueMs >= timeoutMs - 1 ? 'timeout' : 'error', now);
        }
        const r = source.next();
        req.method = r.method;
        req.path = r.path;
        req.body = r.body;
        current = recorder.start(r.op, now);
        return req;
      },
      onResponse(status, _body, _context, headers) {
        const p = current;
        current = null;
        if (!p) return;
        const h = headers[OUTCOME_HEADER];
        recorder.respond(
          p,
          classifyResponse(status, typeof h === 'string' ? h : undefined),
          performance.now(),
        );
      },
    };
    client.setRequests([request]);
  };
  // A failed instance (a setup error) ends the whole run; the error is thrown at the end.
  let failed: () => void = () => {};
  const start = (connections: number): CannonInstance => {
    const inst = startCannon({
      url: o.url,
      connections,
      timeoutSec: o.timeoutSec,
      headers: { 'content-type': 'application/json' },
      setupClient,
    });
    inst.done.catch(() => failed());
    return inst;
  };

  const instances: CannonInstance[] = [start(baseConnections)];
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
    failed = finish;
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
  // Every connection is closed once all instances are done; what is still pending is in flight.
  const failures = (await Promise.allSettled(instances.map((i) => i.done))).filter(
    (r) => r.status === 'rejected',
  );
  const recording = recorder.stop(performance.now());
  const usage = (cpu as ReturnType<typeof cpuWindow> | null)?.stop() ?? { driverSec: 0, serverSec: null };
  if (failures.length) throw (failures[0] as PromiseRejectedResult).reason;
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
