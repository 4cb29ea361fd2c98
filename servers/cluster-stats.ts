import type { Cluster, Worker } from 'node:cluster';
import type { ServerStats } from './protocol.ts';
import { type StatsCounter, sumStats } from './stats.ts';
import type { StatsSource } from './stats-source.ts';

/**
 * GET /stats over node:cluster. The request lands on any one worker; that worker asks the
 * primary, the primary asks every worker for its counters (and zeroes them for a reset), sums
 * the replies and answers the asking worker. A worker counts an operation before it sends the
 * response, so once the load has stopped the sum is exact.
 */

const TAG = 'lockbench:stats';

type Message =
  /** worker -> primary: give me the cluster's counters (and reset them). */
  | { tag: typeof TAG; kind: 'ask'; id: number; reset: boolean }
  /** primary -> every worker: your counters, please. */
  | { tag: typeof TAG; kind: 'collect'; id: number; reset: boolean }
  | { tag: typeof TAG; kind: 'collected'; id: number; stats: ServerStats }
  /** primary -> asking worker: the sum. */
  | { tag: typeof TAG; kind: 'answer'; id: number; stats: ServerStats };

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && (m as { tag?: unknown }).tag === TAG;
}

/** Wire the primary: answer workers' questions by asking all of them. */
export function serveClusterStats(cluster: Cluster): void {
  let next = 0;
  const pending = new Map<
    number,
    { asker: Worker; askId: number; waiting: Set<number>; parts: ServerStats[] }
  >();

  const finish = (id: number) => {
    const p = pending.get(id);
    if (!p || p.waiting.size > 0) return;
    pending.delete(id);
    if (p.asker.isConnected()) {
      p.asker.send({ tag: TAG, kind: 'answer', id: p.askId, stats: sumStats(p.parts) } satisfies Message);
    }
  };

  cluster.on('message', (worker: Worker, msg: unknown) => {
    if (!isMessage(msg)) return;
    if (msg.kind === 'ask') {
      const id = ++next;
      const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
      pending.set(id, { asker: worker, askId: msg.id, waiting: new Set(live.map((w) => w.id)), parts: [] });
      for (const w of live) w.send({ tag: TAG, kind: 'collect', id, reset: msg.reset } satisfies Message);
      finish(id);
    } else if (msg.kind === 'collected') {
      const p = pending.get(msg.id);
      if (!p) return;
      p.parts.push(msg.stats);
      p.waiting.delete(worker.id);
      finish(msg.id);
    }
  });

  // A worker that dies mid-question will not answer: stop waiting for it.
  cluster.on('exit', (worker: Worker) => {
    for (const [id, p] of pending) {
      if (p.waiting.delete(worker.id)) finish(id);
    }
  });
}

/** Wire a worker: answer the primary's collections, and ask it for the cluster's sum. */
export function workerStatsSource(counter: StatsCounter, timeoutMs = 10_000): StatsSource {
  let next = 0;
  const waiters = new Map<number, (s: ServerStats) => void>();
  process.on('message', (msg: unknown) => {
    if (!isMessage(msg)) return;
    if (msg.kind === 'collect') {
      const stats = counter.snapshot();
      if (msg.reset) counter.reset();
      process.send?.({ tag: TAG, kind: 'collected', id: msg.id, stats } satisfies Message);
    } else if (msg.kind === 'answer') {
      waiters.get(msg.id)?.(msg.stats);
      waiters.delete(msg.id);
    }
  });

  const ask = (reset: boolean) =>
    new Promise<ServerStats>((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => {
        waiters.delete(id);
        reject(new Error(`the primary did not answer a stats request within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.set(id, (s) => {
        clearTimeout(timer);
        resolve(s);
      });
      process.send?.({ tag: TAG, kind: 'ask', id, reset } satisfies Message);
    });

  return {
    get: () => ask(false),
    reset: async () => {
      await ask(true);
    },
  };
}
