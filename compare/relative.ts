import { meanInterval } from '../bench/stats/interval.ts';
import type { Cell } from '../core/result-schema.ts';
import { type CellGroup, measuredRepeats, metricSpread, peerGroupId } from './cell-groups.ts';
import {
  type Estimate,
  figureEstimate,
  logHalfWidth,
  logStandardError,
  quotientEstimate,
} from './estimate.ts';
import { METRICS, type MetricName } from './metrics.ts';

/** The strategy the other strategies of a peer group are divided by, the same in both runs. */
export interface PeerReference {
  /** See peerGroupId: database/workload/profile and load level. */
  peerGroup: string;
  /** Key of the reference cell. */
  key: string;
  strategy: string;
  /** 'requested': the preferred strategy (default atomic); 'best': highest baseline goodput. */
  chosenBy: 'requested' | 'best';
}

/**
 * Picks one reference per peer group among the cells measured in both runs: the preferred strategy
 * when present, else the one with the highest baseline median goodput (ties: key order). Groups with
 * no cell measured on both sides get no reference.
 */
export function chooseReferences(
  baseline: ReadonlyMap<string, CellGroup>,
  current: ReadonlyMap<string, CellGroup>,
  preferred: string,
): Map<string, PeerReference> {
  const candidates = new Map<string, { group: CellGroup; goodput: number }[]>();
  for (const [key, cur] of current) {
    const base = baseline.get(key);
    if (!base) continue;
    const baseGoodput = metricSpread(base, 'goodput');
    if (!baseGoodput || !metricSpread(cur, 'goodput')) continue;
    const peer = peerGroupId(cur.first);
    const list = candidates.get(peer) ?? [];
    list.push({ group: cur, goodput: baseGoodput.median });
    candidates.set(peer, list);
  }
  const refs = new Map<string, PeerReference>();
  for (const [peer, list] of candidates) {
    const sorted = [...list].sort((a, b) =>
      a.group.key < b.group.key ? -1 : a.group.key > b.group.key ? 1 : 0,
    );
    const requested = sorted.find((c) => c.group.first.strategy === preferred);
    const best = sorted.reduce((a, b) => (b.goodput > a.goodput ? b : a));
    const pick = requested ?? best;
    refs.set(peer, {
      peerGroup: peer,
      key: pick.group.key,
      strategy: pick.group.first.strategy,
      chosenBy: requested ? 'requested' : 'best',
    });
  }
  return refs;
}

/**
 * A metric of `group` divided by the same metric of `reference`, both from one run and raised to
 * the metric's floor first (so a near-zero reference does not blow the ratio up). With two or more
 * repeats paired by repeat number (repeat i of both ran close in time and share the runner's mood),
 * the figure is the mean of the paired ratios with the t-interval over them: figureInterval's rule
 * for repeats, applied to the ratio, so what the pair shares cancels. Otherwise the quotient of
 * the two figures, its interval combining both intervals (quotientEstimate): wider than either,
 * none when either has none.
 */
export function relativeEstimate(
  group: CellGroup,
  reference: CellGroup,
  metric: MetricName,
): Estimate | null {
  const { read, floor } = METRICS[metric];
  // biome-ignore lint/style/noNonNullAssertion: measuredRepeats keeps only cells with metrics
  const value = (c: Cell) => Math.max(read(c.metrics!), floor);
  const refByRepeat = new Map(measuredRepeats(reference).map((c) => [c.repeat, value(c)]));
  const pairs: number[] = [];
  for (const c of measuredRepeats(group)) {
    const ref = refByRepeat.get(c.repeat);
    if (ref !== undefined) pairs.push(value(c) / ref);
  }
  const iv = meanInterval(pairs);
  if (iv) {
    const h = logHalfWidth(iv.estimate, iv.low, iv.high);
    return {
      value: iv.estimate,
      interval: { low: iv.low, high: iv.high },
      method: 'repeats',
      repeats: pairs.length,
      floored: iv.estimate,
      logHalfWidth: h,
      logSe: logStandardError(h, iv.samples),
      withheld: null,
    };
  }
  const own = figureEstimate(group, metric);
  const ref = figureEstimate(reference, metric);
  return own && ref ? quotientEstimate(own, ref) : null;
}
