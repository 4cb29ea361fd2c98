import type { Interval, Metrics, SteadyState } from '../../core/result-schema.ts';
import { batchMeansInterval, chooseBatchSize, MIN_BATCHES, meanInterval } from '../stats/interval.ts';
import { judgeSteadiness, MEASURED_RULE } from '../stats/steady-state.ts';
import { decodeHistogram } from './histogram.ts';

/**
 * The figures a measured window supports beyond its totals: 95% intervals of goodput and p99 from
 * its seconds, and whether it was steady. Pure: a driver's result (a LoadResult) in, schema values
 * out.
 */

/** The parts of a driver's result these figures read (a LoadResult has them all). */
export interface MeasuredWindow {
  /** One point per full measured second. */
  timeseries: readonly Metrics['timeseries'][number][];
  /** One encoded latency histogram per full measured second. */
  histograms: { perSecondUs: readonly string[] };
  warmupPolicy: SteadyState['warmupPolicy'];
  warmupSec: number;
  warmupCapped: boolean;
  warmupGoodput: number[];
}

/**
 * Goodput: batch means over the measured seconds' 2xx counts. The interval's half-width is the
 * batch means' (their mean is the window's mean rate up to the unfinished last second, which the
 * timeline leaves out), centred on the cell's goodput.
 */
export function goodputInterval(r: MeasuredWindow, goodputPerSec: number): Interval | null {
  const iv = batchMeansInterval(r.timeseries.map((p) => p.ok));
  if (!iv) return null;
  return centred(goodputPerSec, iv, 'batch-means', iv.batchSize);
}

/** The batches' interval half-width, centred on the window's own figure (never below 0). */
function centred(
  estimate: number,
  iv: { low: number; high: number; samples: number },
  method: Interval['method'],
  batchSec: number,
): Interval {
  const half = (iv.high - iv.low) / 2;
  return {
    estimate,
    low: Math.max(0, estimate - half),
    high: estimate + half,
    level: 0.95,
    method,
    samples: iv.samples,
    batchSec,
  };
}

/**
 * p99: the measured seconds' histograms merged into consecutive batches (the batch size chosen on
 * the per-second p99 series, as for goodput), the p99 of each batch, and the t-interval of their
 * mean; its half-width is centred on the whole window's p99. Batch p99s of a second or two rest on
 * about a thousand responses each here, so their spread is an honest, slightly generous measure
 * of how much the window's p99 would move on a rerun.
 */
export function p99Interval(r: MeasuredWindow, p99Ms: number): Interval | null {
  const seconds = r.histograms.perSecondUs;
  if (seconds.length < MIN_BATCHES) return null;
  const hists = seconds.map(decodeHistogram);
  try {
    const perSecond = hists.map((h) => (h.totalCount ? h.getValueAtPercentile(99) / 1000 : 0));
    const size = chooseBatchSize(perSecond);
    const batchP99s: number[] = [];
    for (let i = 0; i + size <= hists.length; i += size) {
      const batch = hists[i] as (typeof hists)[number];
      for (let j = i + 1; j < i + size; j++) batch.add(hists[j] as (typeof hists)[number]);
      if (batch.totalCount > 0) batchP99s.push(batch.getValueAtPercentile(99) / 1000);
    }
    const iv = meanInterval(batchP99s);
    if (!iv || batchP99s.length < MIN_BATCHES) return null;
    return centred(p99Ms, iv, 'batch-percentiles', size);
  } finally {
    for (const h of hists) h.destroy();
  }
}

/** The warm-up the driver ran and the steady-state verdict on the measured seconds' goodput. */
export function steadyStateOf(r: MeasuredWindow): SteadyState {
  const j = judgeSteadiness(
    r.timeseries.map((p) => p.ok),
    MEASURED_RULE,
  );
  return {
    steady: j.steady,
    warmupPolicy: r.warmupPolicy,
    warmupSec: r.warmupSec,
    warmupCapped: r.warmupCapped,
    warmupGoodput: r.warmupGoodput,
    trendPctPerSec: j.trendPctPerSec,
    trendT: Number.isFinite(j.trendT) ? j.trendT : Math.sign(j.trendT) * 1e6,
    cov: j.cov,
    lastToMean: j.lastToMean,
    monotoneClimb: j.monotoneClimb,
    rule: { ...MEASURED_RULE, trendMustBeSignificant: true },
  };
}
