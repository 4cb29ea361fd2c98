import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { runClosed } from '../../bench/load/closed-driver.ts';
import { decodeHistogram } from '../../bench/load/histogram.ts';
import { type LoadResult, outcomesBalance, toMetricsPart } from '../../bench/load/load-result.ts';
import { runOpen } from '../../bench/load/open-driver.ts';
import type { LoadProgress } from '../../bench/load/recorder.ts';
import { createRequestBuilder, type RequestSource } from '../../bench/load/request-builder.ts';
import { OUTCOME_HEADER } from '../../servers/protocol.ts';

/**
 * A stand-in for the real server, for driver mechanics only: it speaks the protocol's headers and
 * counts what it receives and answers. Account 10 always conflicts, withdrawals over 9,000 are
 * refused, account 13 never answers, and `serialMs` turns the app into one FIFO lock held that
 * long per request (a hot row).
 */
interface StandIn {
  url: string;
  received: Set<string>;
  answered: { ok: number; rejected: number; conflict: number };
  maxConcurrent: number;
  app: FastifyInstance;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function standIn(o: { serialMs?: number; delayMs?: number } = {}): Promise<StandIn> {
  const app = Fastify({ forceCloseConnections: true });
  const s: StandIn = {
    url: '',
    received: new Set(),
    answered: { ok: 0, rejected: 0, conflict: 0 },
    maxConcurrent: 0,
    app,
  };
  let concurrent = 0;
  let lock = Promise.resolve();
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  app.post<{ Params: { id: string; kind: string }; Body: { amount: number; opId: string } }>(
    '/accounts/:id/:kind',
    async (req, reply) => {
      s.received.add(req.body.opId);
      concurrent++;
      s.maxConcurrent = Math.max(s.maxConcurrent, concurrent);
      try {
        if (req.params.id === '13') await new Promise(() => {});
        if (o.delayMs) await sleep(o.delayMs);
        if (o.serialMs) {
          const mine = lock.then(() => sleep(o.serialMs as number));
          lock = mine;
          await mine;
        }
        const outcome =
          req.params.id === '10'
            ? 'conflict'
            : req.params.kind === 'withdraw' && req.body.amount > 9000
              ? 'rejected'
              : 'ok';
        s.answered[outcome]++;
        reply
          .code(outcome === 'ok' ? 200 : outcome === 'conflict' ? 409 : 422)
          .header(OUTCOME_HEADER, outcome)
          .header('x-attempts', '1');
        return { outcome, opId: req.body.opId, attempts: 1 };
      } finally {
        concurrent--;
      }
    },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  s.url = `http://127.0.0.1:${addr.port}`;
  apps.push(app);
  return s;
}

const accounts = (n: number, seed = 1): RequestSource =>
  createRequestBuilder({
    workload: 'account',
    keys: { kind: 'uniform' },
    seed,
    sizes: { accounts: n, events: 1 },
    opIdPrefix: `s${seed}`,
  });

/** Driver counts against the stand-in's: each outcome the server gave is seen by the driver, or in flight. */
async function expectReconciled(r: LoadResult, s: StandIn): Promise<void> {
  // Let the server finish what it had when the driver stopped.
  await new Promise((res) => setTimeout(res, 200));
  const m = r.outcomes;
  const w = r.warmupOutcomes;
  expect(outcomesBalance(m)).toBe(true);
  expect(outcomesBalance(w)).toBe(true);
  const sent = m.sent + w.sent;
  const inFlight = m.inFlight + w.inFlight;
  const lost = m.timeout + w.timeout + m.error + w.error;
  // Everything sent reached the server, except what was still on the way when the run stopped.
  expect(s.received.size).toBeLessThanOrEqual(sent);
  expect(s.received.size).toBeGreaterThanOrEqual(sent - inFlight);
  for (const k of ['ok', 'rejected', 'conflict'] as const) {
    expect(s.answered[k]).toBeGreaterThanOrEqual(m[k] + w[k]);
    expect(s.answered[k]).toBeLessThanOrEqual(m[k] + w[k] + inFlight + lost);
  }
  expect(r.acknowledged.length).toBe(m.ok + w.ok);
  for (const op of r.acknowledged) expect(s.received.has(op.opId)).toBe(true);
  expect(r.indeterminate.length).toBe(inFlight + lost);
}

describe('closed-model driver', () => {
  it('sends fresh requests, classifies by header, and its counts reconcile with the server', async () => {
    const s = await standIn();
    const progress: LoadProgress[] = [];
    const r = await runClosed(
      { url: s.url, connections: 8, durationSec: 2, warmupSec: 0.5, onProgress: (p) => progress.push(p) },
      accounts(12),
    );
    await expectReconciled(r, s);
    expect(r.outcomes.ok).toBeGreaterThan(100);
    expect(r.outcomes.conflict).toBeGreaterThan(0);
    expect(r.outcomes.rejected).toBeGreaterThan(0);
    expect(r.outcomes.timeout + r.outcomes.error + r.outcomes.dropped).toBe(0);
    expect(r.warmupOutcomes.sent).toBeGreaterThan(0);
    expect(r.outcomes.inFlight + r.warmupOutcomes.inFlight).toBeLessThanOrEqual(8);
    expect(s.maxConcurrent).toBeLessThanOrEqual(8);
    expect(r.durationSec).toBeGreaterThanOrEqual(2);
    expect(r.timeseries.map((p) => p.t)).toEqual([0, 1]);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)?.phase).toBe('measure');
    const m = toMetricsPart(r);
    expect(m.latencyMs.count).toBe(r.outcomes.sent - r.outcomes.inFlight);
    expect(m.successLatencyMs.count).toBe(r.outcomes.ok);
    expect(m.scheduleLagMs).toBeUndefined();
    expect(m.cpu.driverSec).toBeGreaterThan(0);
  });

  it('files a request that never returns as a timeout, and its op as indeterminate', async () => {
    const s = await standIn();
    const r = await runClosed(
      { url: s.url, connections: 4, durationSec: 2.5, timeoutSec: 1 },
      accounts(20, 2),
    );
    await expectReconciled(r, s);
    expect(r.outcomes.timeout).toBeGreaterThan(0);
    expect(
      r.indeterminate.some((op) => op.kind !== 'transfer' && op.kind !== 'reserve' && op.accountId === 13),
    ).toBe(true);
    expect(
      r.acknowledged.some((op) => op.kind !== 'transfer' && op.kind !== 'reserve' && op.accountId === 13),
    ).toBe(false);
  });

  it('runs a spike as extra connections for the spike stage only', async () => {
    const s = await standIn({ delayMs: 20 });
    const r = await runClosed(
      {
        url: s.url,
        connections: 2,
        durationSec: 3,
        stages: [
          { durationSec: 1, scale: 1, label: 'before' },
          { durationSec: 1, scale: 4, label: 'spike' },
          { durationSec: 1, scale: 1, label: 'after' },
        ],
      },
      accounts(12, 3),
    );
    await expectReconciled(r, s);
    expect(s.maxConcurrent).toBe(8);
    const [before, spike, after] = r.timeseries.map((p) => p.requests) as [number, number, number];
    // ~100/s at 2 connections, ~400/s at 8.
    expect(spike).toBeGreaterThan(2 * before);
    expect(spike).toBeGreaterThan(2 * after);
  });
});

describe('adaptive warm-up (both drivers)', () => {
  // The stand-in answers at a level rate from the start: the warm-up ends once three full seconds
  // have shown no trend, well before the cap, and the measured window then has its full length.
  it('closed: ends the warm-up when goodput is level, measures the full window, reconciles', async () => {
    const s = await standIn();
    const r = await runClosed(
      { url: s.url, connections: 4, durationSec: 2, warmupSec: 0, warmupMaxSec: 8 },
      accounts(12, 7),
    );
    await expectReconciled(r, s);
    expect(r.warmupPolicy).toBe('auto');
    expect(r.warmupGoodput.length).toBeGreaterThanOrEqual(3);
    expect(r.warmupSec).toBeGreaterThanOrEqual(3);
    expect(r.durationSec).toBeGreaterThanOrEqual(2);
    expect(r.outcomes.ok).toBeGreaterThan(0);
    expect(r.warmupOutcomes.ok).toBeGreaterThan(0);
    expect(r.timeseries.map((p) => p.t)).toEqual([0, 1]);
  });

  it('open: the stages start where the warm-up ended, at most at the cap', async () => {
    const s = await standIn();
    const r = await runOpen(
      { url: s.url, rate: 200, maxInFlight: 64, durationSec: 2, warmupSec: 0, warmupMaxSec: 3.5 },
      accounts(12, 8),
    );
    await expectReconciled(r, s);
    expect(r.warmupPolicy).toBe('auto');
    expect(r.warmupSec).toBeGreaterThanOrEqual(3);
    expect(r.warmupSec).toBeLessThan(4.5);
    expect(Math.abs(r.outcomes.sent / r.durationSec - 200) / 200).toBeLessThan(0.1);
  });
});

describe('open-model driver', () => {
  // Room for 0.5 s of catch-up: a stall of this shared test process (server and driver both) is
  // followed by a burst of overdue requests, which must not hit the in-flight bound.
  it('holds its target rate within 5% when the server keeps up', async () => {
    const s = await standIn();
    const r = await runOpen({ url: s.url, rate: 500, maxInFlight: 256, durationSec: 3 }, accounts(12, 4));
    await expectReconciled(r, s);
    const achieved = r.outcomes.sent / r.durationSec;
    expect(Math.abs(achieved - 500) / 500).toBeLessThan(0.05);
    expect(r.outcomes.dropped).toBe(0);
    const m = toMetricsPart(r);
    expect(m.scheduleLagMs?.count).toBe(r.outcomes.sent);
  });

  it('drops what it cannot start, and the server sees exactly what was started', async () => {
    const s = await standIn({ serialMs: 50 });
    const r = await runOpen({ url: s.url, rate: 100, maxInFlight: 10, durationSec: 2 }, accounts(9, 5));
    await expectReconciled(r, s);
    expect(r.outcomes.dropped).toBeGreaterThan(50);
    expect(r.outcomes.inFlight + r.warmupOutcomes.inFlight).toBeLessThanOrEqual(10);
    expect(s.maxConcurrent).toBeLessThanOrEqual(10);
  });

  it('shows a stall the closed model hides: p99 from the scheduled start', async () => {
    // One lock held 50 ms per request: the server does 20 requests/s whatever comes in.
    const closedServer = await standIn({ serialMs: 50 });
    const closed = await runClosed({ url: closedServer.url, connections: 4, durationSec: 2 }, accounts(9, 6));
    const openServer = await standIn({ serialMs: 50 });
    const open = await runOpen(
      { url: openServer.url, rate: 40, maxInFlight: 200, durationSec: 2 },
      accounts(9, 6),
    );
    const closedP99 = toMetricsPart(closed).latencyMs.p99;
    const openP99 = toMetricsPart(open).latencyMs.p99;
    // Closed: each request waits for the other 3 connections' requests, ~200 ms. Open: the queue
    // grows by 20 requests a second and the latency with it.
    expect(closedP99).toBeGreaterThan(100);
    expect(closedP99).toBeLessThan(1000);
    expect(openP99).toBeGreaterThan(2 * closedP99);
    expect(open.outcomes.inFlight).toBeGreaterThan(10);
    const lag = decodeHistogram(open.histograms.scheduleLagUs as string);
    expect(lag.totalCount).toBe(open.outcomes.sent);
  });

  it('files a request that never returns as a timeout, and its op as indeterminate', async () => {
    const s = await standIn();
    const r = await runOpen(
      { url: s.url, rate: 100, maxInFlight: 64, durationSec: 3, timeoutSec: 0.5 },
      accounts(20, 8),
    );
    await expectReconciled(r, s);
    expect(r.outcomes.timeout).toBeGreaterThan(0);
    expect(r.outcomes.error).toBe(0);
    const on13 = (op: { kind: string; accountId?: unknown }) =>
      op.kind !== 'transfer' && op.kind !== 'reserve' && op.accountId === 13;
    expect(r.indeterminate.some(on13)).toBe(true);
    expect(r.acknowledged.some(on13)).toBe(false);
  });

  it('stops early on abort with what it has', async () => {
    const s = await standIn();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 700);
    const r = await runOpen(
      { url: s.url, rate: 200, maxInFlight: 16, durationSec: 5, signal: ac.signal },
      accounts(9, 7),
    );
    expect(r.durationSec).toBeLessThan(2);
    expect(r.outcomes.sent).toBeGreaterThan(50);
    await expectReconciled(r, s);
  });
});

describe('driver options', () => {
  it('refuse what cannot work, before sending anything', async () => {
    await expect(
      runClosed({ url: 'http://127.0.0.1:9', connections: 1, durationSec: 1, timeoutSec: 0.5 }, accounts(2)),
    ).rejects.toThrow(/timeoutSec >= 1/);
    await expect(
      runOpen({ url: 'http://127.0.0.1:9', rate: 0, maxInFlight: 1, durationSec: 1 }, accounts(2)),
    ).rejects.toThrow(RangeError);
    await expect(
      runOpen(
        {
          url: 'http://127.0.0.1:9',
          rate: 1,
          maxInFlight: 1,
          durationSec: 2,
          stages: [{ durationSec: 1, scale: 1, label: 'steady' }],
        },
        accounts(2),
      ),
    ).rejects.toThrow(/stages last/);
  });
});
