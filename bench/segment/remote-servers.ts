import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ServerStats } from '../../servers/protocol.ts';

/** Resolves a host name to all its addresses (the shape of node:dns/promises `lookup` with `all`). */
export type LookupAll = (host: string) => Promise<{ address: string; family: number }[]>;

const lookupAll: LookupAll = (host) => lookup(host, { all: true });

/**
 * Each URL once per address its host resolves to: a headless Kubernetes Service resolves to every
 * pod behind it, so the counters of the whole fleet are read, each pod once.
 */
export async function everyAddress(
  urls: readonly string[],
  resolve: LookupAll = lookupAll,
): Promise<string[]> {
  const out = new Set<string>();
  for (const url of urls) {
    const u = new URL(url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
    for (const a of addresses) {
      const v = new URL(u.origin);
      v.hostname = a.family === 6 ? `[${a.address}]` : a.address;
      out.add(v.origin);
    }
  }
  return [...out];
}

/** What GET /health of a strategy server says about what it serves. */
interface Health {
  status: string;
  strategy: string;
  workload: string;
  isolation?: string;
}

/**
 * Strategy servers that run elsewhere (servers/main.ts as a service), seen from the bench: it
 * checks they serve the cell, resets and reads their counters, and never starts or stops them.
 */
export class RemoteServers {
  constructor(readonly urls: readonly string[]) {}

  /**
   * Each server answers and serves this strategy and workload; otherwise why not, naming the URL.
   * Servers check on start that the database supports their strategy (exit 3 if not).
   */
  async mismatch(strategy: string, workload: string): Promise<string | null> {
    for (const url of this.urls) {
      let health: Health;
      try {
        const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
        health = (await r.json()) as Health;
        if (!r.ok) return `${url}/health answered ${r.status} (${health.status})`;
      } catch (e) {
        return `${url} does not answer: ${(e as Error).message}`;
      }
      if (health.strategy !== strategy || health.workload !== workload)
        return `${url} serves ${health.strategy} x ${health.workload}, the cell is ${strategy} x ${workload}`;
    }
    return null;
  }

  async resetStats(): Promise<void> {
    await Promise.all(
      this.urls.map(async (url) => {
        const r = await fetch(`${url}/stats/reset`, { method: 'POST' });
        if (!r.ok) throw new Error(`${url}: POST /stats/reset answered ${r.status}`);
      }),
    );
  }

  /** Every server's counters added up. */
  async stats(): Promise<ServerStats> {
    const all = await Promise.all(
      this.urls.map(async (url) => {
        const r = await fetch(`${url}/stats`);
        if (!r.ok) throw new Error(`${url}: GET /stats answered ${r.status}`);
        return (await r.json()) as ServerStats;
      }),
    );
    return all.reduce(addStats);
  }
}

function addRecords(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export function addStats(a: ServerStats, b: ServerStats): ServerStats {
  return {
    operations: a.operations + b.operations,
    ok: a.ok + b.ok,
    rejected: a.rejected + b.rejected,
    conflict: a.conflict + b.conflict,
    error: a.error + b.error,
    badRequest: a.badRequest + b.badRequest,
    attempts: a.attempts + b.attempts,
    retried: a.retried + b.retried,
    attemptsHistogram: addRecords(a.attemptsHistogram, b.attemptsHistogram),
    errors: addRecords(a.errors, b.errors) as ServerStats['errors'],
    workers: a.workers + b.workers,
  };
}
