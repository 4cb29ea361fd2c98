import type { Cell } from '../../bench/result-schema.ts';
import { type CellGroup, measuredRepeats, metricSpread, peerGroupId } from './cell-groups.ts';
import { METRICS, type MetricName } from './metrics.ts';
import { median, type Spread, spreadOf } from './spread.ts';

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
 * A metric of `group` divided by the same metric of `reference`, both from one run. Repeats are
 * paired by repeat number (repeat i of both ran close in time, so they share the runner's mood);
 * without any pair, the ratio of the medians. Both sides are raised to the metric's floor first so a
 * near-zero reference does not blow the ratio up.
 */
export function relativeSpread(group: CellGroup, reference: CellGroup, metric: MetricName): Spread | null {
  const { read, floor } = METRICS[metric];
  const value = (c: Cell) => Math.max(read(c.metrics ?? unreachable()), floor);
  const refByRepeat = new Map(measuredRepeats(reference).map((c) => [c.repeat, value(c)]));
  const pairs: number[] = [];
  for (const c of measuredRepeats(group)) {
    const ref = refByRepeat.get(c.repeat);
    if (ref !== undefined) pairs.push(value(c) / ref);
  }
  if (pairs.length > 0) return spreadOf(pairs);
  const own = measuredRepeats(group).map(value);
  const ref = [...refByRepeat.values()];
  if (own.length === 0 || ref.length === 0) return null;
  return spreadOf([median(own) / median(ref)]);
}

function unreachable(): never {
  throw new Error('measured repeat without metrics');
}
