import { describe, expect, it } from 'vitest';
import { decodeHistogram, latencyHistogram, recordMs, summarize } from '../../bench/load/histogram.ts';
import {
  type LoadResult,
  mergeLoadResults,
  outcomesBalance,
  toMetricsPart,
} from '../../bench/load/load-result.ts';
import { Random } from '../../bench/load/random.ts';
import { type Pending, Recorder, type Recording } from '../../bench/load/recorder.ts';
import type { LoadOp } from '../../bench/load/request-builder.ts';

const op = (n: number): LoadOp => ({ kind: 'deposit', opId: `t-${n}`, account: 1, amount: 100 });
const asResult = (r: Recording, model: 'closed' | 'open' = 'closed'): LoadResult => ({
  model,
  ...r,
  warmupPolicy: 'fixed',
  warmupCapped: false,
  driverCpuSec: 0.5,
  serverCpuSec: null,
  target: { connections: 4, rate: null, stages: [{ durationSec: r.durationSec, scale: 1, label: 'steady' }] },
});

describe('Recorder accounting', () => {
  it('sent = ok + rejected + conflict + error + timeout + inFlight, drops apart; op lists follow', () => {
    const rec = new Recorder({ startMs: 0, durationSec: 10 });
    const p = Array.from({ length: 10 }, (_, i) => rec.start(op(i), 100 + i));
    rec.respond(p[0] as Pending, 'ok', 200);
    rec.respond(p[1] as Pending, 'ok', 210);
    rec.respond(p[2] as Pending, 'ok', 220);
    rec.respond(p[3] as Pending, 'ok', 230);
    rec.respond(p[4] as Pending, 'rejected', 240);
    rec.respond(p[5] as Pending, 'rejected', 250);
    rec.respond(p[6] as Pending, 'conflict', 260);
    rec.lose(p[7] as Pending, 'timeout', 270);
    rec.lose(p[8] as Pending, 'error', 280);
    // p[9] never ends: in flight at stop.
    for (let i = 0; i < 3; i++) rec.drop(300);
    expect(rec.inFlight).toBe(1);
    const r = rec.stop(1000);
    expect(r.outcomes).toEqual({
      sent: 10,
      ok: 4,
      rejected: 2,
      conflict: 1,
      error: 1,
      timeout: 1,
      inFlight: 1,
      dropped: 3,
    });
    expect(outcomesBalance(r.outcomes)).toBe(true);
    expect(r.acknowledged.map((o) => o.opId)).toEqual(['t-0', 't-1', 't-2', 't-3']);
    expect(r.indeterminate.map((o) => o.opId).sort()).toEqual(['t-7', 't-8', 't-9']);
  });

  it('counts each request once: a second end, or anything after stop, is ignored', () => {
    const rec = new Recorder({ startMs: 0, durationSec: 1 });
    const a = rec.start(op(1), 10);
    const b = rec.start(op(2), 10);
    rec.respond(a, 'ok', 20);
    rec.respond(a, 'conflict', 30);
    rec.lose(a, 'timeout', 40);
    const r = rec.stop(500);
    rec.respond(b, 'ok', 600);
    rec.start(op(3), 700);
    rec.drop(700);
    expect(r.outcomes).toMatchObject({ sent: 2, ok: 1, conflict: 0, timeout: 0, inFlight: 1, dropped: 0 });
    expect(rec.stop(900)).toBe(r);
    expect(outcomesBalance(r.outcomes)).toBe(true);
  });

  it('excludes warm-up: requests belong to the part they started in, both parts balance', () => {
    const rec = new Recorder({ startMs: 0, warmupSec: 1, durationSec: 2 });
    const w1 = rec.start(op(1), 500);
    const w2 = rec.start(op(2), 900);
    const m1 = rec.start(op(3), 1000);
    const m2 = rec.start(op(4), 1500);
    rec.drop(800);
    rec.drop(1800);
    rec.respond(w1, 'ok', 600);
    rec.respond(w2, 'ok', 1200); // ends after warm-up, still a warm-up request
    rec.respond(m1, 'ok', 1100);
    const r = rec.stop(3000);
    expect(r.warmupOutcomes).toMatchObject({ sent: 2, ok: 2, inFlight: 0, dropped: 1 });
    expect(r.outcomes).toMatchObject({ sent: 2, ok: 1, inFlight: 1, dropped: 1 });
    expect(outcomesBalance(r.outcomes) && outcomesBalance(r.warmupOutcomes)).toBe(true);
    const lat = decodeHistogram(r.histograms.latencyUs);
    expect(lat.totalCount).toBe(1);
    expect(lat.maxValue).toBeGreaterThanOrEqual(99_900);
    expect(lat.maxValue).toBeLessThanOrEqual(100_100);
    // Acknowledged ops include warm-up ones: they are in the ledger.
    expect(r.acknowledged.map((o) => o.opId)).toEqual(['t-1', 't-2', 't-3']);
    expect(r.durationSec).toBe(2);
    expect(m2.measured).toBe(true);
  });

  it('measures from the due time and records schedule lag (open model)', () => {
    const rec = new Recorder({ startMs: 0, durationSec: 1, scheduleLag: true });
    const p = rec.start(null, 1010, 1000);
    rec.respond(p, 'ok', 1030);
    const r = rec.stop(2000);
    const m = toMetricsPart(asResult(r, 'open'));
    expect(m.latencyMs.max).toBeCloseTo(30, 1);
    expect(m.scheduleLagMs?.max).toBeCloseTo(10, 1);
    expect(r.acknowledged).toEqual([]); // a read has no op
  });

  it('builds one point per full second by completion time, empty seconds included, the partial last left out', () => {
    const rec = new Recorder({ startMs: 0, warmupSec: 1, durationSec: 4 });
    const done = (start: number, end: number, outcome: 'ok' | 'conflict') =>
      rec.respond(rec.start(op(start), start), outcome, end);
    done(200, 900, 'ok'); // warm-up second: not in the timeline
    done(1000, 1100, 'ok');
    done(1000, 1200, 'conflict');
    done(1000, 1300, 'ok');
    done(1900, 4100, 'ok'); // seconds 1 and 2 see nothing
    const progress = rec.tick(4500);
    expect(progress).toMatchObject({ phase: 'measure', requestsPerSec: 0, inFlight: 0 });
    done(4200, 4600, 'ok');
    const r = rec.stop(4700);
    expect(r.timeseries.map(({ p99Ms, ...rest }) => rest)).toEqual([
      { t: 0, requests: 3, ok: 2, conflict: 1 },
      { t: 1, requests: 0, ok: 0, conflict: 0 },
      { t: 2, requests: 0, ok: 0, conflict: 0 },
    ]);
    expect(r.timeseries[0]?.p99Ms).toBeCloseTo(300, 0);
  });

  it('reports progress from the last full second', () => {
    const rec = new Recorder({ startMs: 0, durationSec: 10 });
    for (let i = 0; i < 10; i++) rec.respond(rec.start(op(i), 100), i < 8 ? 'ok' : 'conflict', 500);
    rec.start(op(99), 900);
    const p = rec.tick(1000);
    expect(p).toMatchObject({
      phase: 'measure',
      requestsPerSec: 10,
      goodputPerSec: 8,
      conflictRate: 0.2,
      inFlight: 1,
      sent: 11,
    });
    expect(p.remainingSec).toBe(9);
    expect(p.p99Ms).toBeCloseTo(400, 0);
  });
});

describe('merging results', () => {
  it('a merge of two recordings equals one recording of all the values', () => {
    const rng = new Random(11, 'ops');
    const single = new Recorder({ startMs: 0, durationSec: 3 });
    const parts = [
      new Recorder({ startMs: 0, durationSec: 3 }),
      new Recorder({ startMs: 0, durationSec: 3 }),
    ];
    for (let i = 0; i < 5000; i++) {
      const start = rng.float() * 2500;
      const end = start + 1 + rng.float() ** 4 * 400;
      const outcome = rng.float() < 0.8 ? 'ok' : 'conflict';
      single.respond(single.start(op(i), start), outcome, end);
      const part = parts[i % 2] as Recorder;
      part.respond(part.start(op(i), start), outcome, end);
    }
    // Requests do not end in time order here; the timeline is not compared.
    const merged = toMetricsPart(mergeLoadResults(parts.map((p) => asResult(p.stop(3000)))));
    const whole = toMetricsPart(asResult(single.stop(3000)));
    expect(merged.latencyMs).toEqual(whole.latencyMs);
    expect(merged.successLatencyMs).toEqual(whole.successLatencyMs);
    expect(merged.outcomes).toEqual(whole.outcomes);
    expect(merged.goodputPerSec).toBe(whole.goodputPerSec);
    expect(merged.cpu.driverSec).toBe(1);
  });

  it('adds timelines by second and keeps the larger p99', () => {
    const a = new Recorder({ startMs: 0, durationSec: 2 });
    const b = new Recorder({ startMs: 0, durationSec: 2 });
    a.respond(a.start(op(1), 0), 'ok', 10);
    b.respond(b.start(op(2), 0), 'conflict', 50);
    b.respond(b.start(op(3), 1000), 'ok', 1020);
    const m = mergeLoadResults([asResult(a.stop(2000)), asResult(b.stop(2000))]);
    expect(m.timeseries.map(({ p99Ms, ...rest }) => rest)).toEqual([
      { t: 0, requests: 2, ok: 1, conflict: 1 },
      { t: 1, requests: 1, ok: 1, conflict: 0 },
    ]);
    expect(m.timeseries[0]?.p99Ms).toBeCloseTo(50, 0);
    expect(m.acknowledged.map((o) => o.opId).sort()).toEqual(['t-1', 't-3']);
    expect(() => mergeLoadResults([asResult(a.stop(2000)), asResult(b.stop(2000), 'open')])).toThrow(
      RangeError,
    );
  });
});

describe('histogram helpers', () => {
  it('records ms as µs, clamps out-of-range values, summarizes in ms', () => {
    const h = latencyHistogram();
    recordMs(h, 1.5);
    recordMs(h, -3);
    recordMs(h, 10 * 3_600_000);
    const s = summarize(h);
    expect(s.count).toBe(3);
    expect(s.p50).toBeCloseTo(1.5, 2);
    expect(s.max).toBeGreaterThan(3_599_000);
    expect(summarize(latencyHistogram())).toEqual({ p50: 0, p90: 0, p99: 0, p999: 0, max: 0, count: 0 });
  });
});
