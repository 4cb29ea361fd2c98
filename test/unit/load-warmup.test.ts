import { describe, expect, it } from 'vitest';
import { arrivalSchedule } from '../../bench/load/arrivals.ts';
import type { LoadResult } from '../../bench/load/load-result.ts';
import { Random } from '../../bench/load/random.ts';
import { type Pending, Recorder } from '../../bench/load/recorder.ts';
import { goodputInterval, p99Interval, steadyStateOf } from '../../bench/load/window-figures.ts';

/** Feeds `perSecond[i]` 2xx responses of `latencyMs` into second i (since `fromMs`). */
function feed(rec: Recorder, fromMs: number, perSecond: number[], latencyMs = 0.5): void {
  perSecond.forEach((n, sec) => {
    for (let k = 0; k < n; k++) {
      const t = fromMs + sec * 1000 + (k * 1000) / n;
      const p = rec.start(null, t);
      rec.respond(p as Pending, 'ok', t + latencyMs);
    }
  });
}

describe('adaptive warm-up in the recorder', () => {
  it('counts nothing as measured until beginMeasure, then seconds run from that moment', () => {
    const rec = new Recorder({ startMs: 0, adaptive: true, warmupMaxSec: 10, durationSec: 3 });
    feed(rec, 0, [100, 200, 300]);
    expect(rec.measuring).toBe(false);
    expect(rec.warmupSeries(3000)).toEqual([100, 200, 300]);
    rec.beginMeasure(3000);
    expect(rec.measuring).toBe(true);
    feed(rec, 3000, [400, 400, 400]);
    const r = rec.stop(6000 + 1);
    expect(r.warmupSec).toBe(3);
    expect(r.durationSec).toBeCloseTo(3.001, 6);
    expect(r.warmupOutcomes.sent).toBe(600);
    expect(r.outcomes.sent).toBe(1200);
    expect(r.outcomes.ok).toBe(1200);
    expect(r.timeseries.map((p) => p.ok)).toEqual([400, 400, 400]);
    expect(r.warmupGoodput).toEqual([100, 200, 300]);
    expect(r.histograms.perSecondUs).toHaveLength(3);
  });

  it('a run stopped during an adaptive warm-up has no measured window', () => {
    const rec = new Recorder({ startMs: 0, adaptive: true, warmupMaxSec: 10, durationSec: 3 });
    feed(rec, 0, [50, 50]);
    const r = rec.stop(2500);
    expect(r.durationSec).toBe(0);
    expect(r.outcomes.sent).toBe(0);
    expect(r.warmupOutcomes.sent).toBe(100);
  });

  it('a fixed warm-up files its seconds as warm-up and measures from its end', () => {
    const rec = new Recorder({ startMs: 0, warmupSec: 2, durationSec: 2 });
    feed(rec, 0, [10, 20, 30, 40]);
    const r = rec.stop(4001);
    expect(r.warmupGoodput).toEqual([10, 20]);
    expect(r.timeseries.map((p) => p.ok)).toEqual([30, 40]);
  });
});

describe('the arrival schedule with an open-ended warm-up', () => {
  it('runs the warm-up at the first rate until startStagesAt, then the stages for their time', () => {
    const s = arrivalSchedule({
      rate: 10,
      warmupSec: Number.POSITIVE_INFINITY,
      stages: [{ durationSec: 1, scale: 1, label: 'steady' }],
      process: 'constant',
      rng: new Random(1, 'arrivals'),
    });
    const due: number[] = [];
    for (let i = 0; i < 25; i++) due.push(s.next() as number);
    expect(due[24]).toBeCloseTo(2400, 6);
    s.startStagesAt(2450);
    const rest: number[] = [];
    for (let t = s.next(); t !== null; t = s.next()) rest.push(t);
    // 2500 ... 3400: the stage's second, then the schedule ends.
    expect(rest).toHaveLength(10);
    expect(rest[rest.length - 1]).toBeCloseTo(3400, 6);
  });
});

/** A LoadResult over measured seconds with the given goodput and latency per second. */
function resultOf(perSecond: number[], latencyMs: number[]): LoadResult {
  const rec = new Recorder({ startMs: 0, durationSec: perSecond.length });
  perSecond.forEach((n, sec) => {
    for (let k = 0; k < n; k++) {
      const t = sec * 1000 + (k * 1000) / n;
      rec.respond(rec.start(null, t), 'ok', t + (latencyMs[sec] as number) * (1 + (k % 100) / 100));
    }
  });
  const r = rec.stop(perSecond.length * 1000 + 1);
  return {
    model: 'closed',
    ...r,
    warmupPolicy: 'auto',
    warmupCapped: false,
    driverCpuSec: 0,
    serverCpuSec: null,
    target: { connections: 1, rate: null, stages: [] },
  };
}

describe('window figures', () => {
  it('a level window gets a narrow goodput interval around the figure, and is steady', () => {
    const r = resultOf([1000, 1010, 990, 1000, 1005, 995], [5, 5, 5, 5, 5, 5]);
    const iv = goodputInterval(r, 1000);
    expect(iv).toMatchObject({ estimate: 1000, method: 'batch-means', samples: 6, batchSec: 1 });
    expect((iv?.high ?? 0) - (iv?.low ?? 0)).toBeLessThan(30);
    expect(steadyStateOf(r)).toMatchObject({ steady: true, warmupPolicy: 'auto' });
  });

  it('p99 batches come from the seconds’ own histograms: a slow second widens the interval', () => {
    const level = p99Interval(resultOf([500, 500, 500, 500, 500], [5, 5, 5, 5, 5]), 9.9);
    const spiky = p99Interval(resultOf([500, 500, 500, 500, 500], [5, 5, 50, 5, 5]), 20);
    expect(level?.method).toBe('batch-percentiles');
    expect(level && level.high - level.low).toBeLessThan(0.5);
    expect(spiky && spiky.high - spiky.low).toBeGreaterThan(10);
  });

  it('fewer than five measured seconds give no interval', () => {
    const r = resultOf([1000, 1000, 1000, 1000], [5, 5, 5, 5]);
    expect(goodputInterval(r, 1000)).toBeNull();
    expect(p99Interval(r, 10)).toBeNull();
  });
});
