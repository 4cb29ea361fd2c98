import type { BenchConfig } from './config.ts';
import { type ServerLaunch, type ServerProcess, startServer, UnsupportedError } from './server-process.ts';

/**
 * The strategy server a run's cells share on one database. A fresh Node process runs its hot
 * paths unoptimised for its first seconds: measured here, a new server process on one hot row
 * climbed from about 800 to 1,300 ok/s over 4 s, while the same process, driven again after a
 * table reset or after its database sessions were ended, started at its plateau. So a warm
 * process is reconfigured between cells (a new pool and new database sessions each time, counters
 * reset) instead of started anew; `policy.fresh` (the --fresh-servers option, and any run with more
 * than one worker) starts one per cell as before.
 *
 * Between cells the server's pool is ended (`release`), so nothing writes while a cell's data is
 * checked or the next cell's tables are reset.
 */
export class ServerSlot {
  private server: ServerProcess | null = null;

  /**
   * `policy.fresh`: a new process per cell. Slots that must treat their cells alike (the two sides
   * of an A/B run) share one policy: when a warm server cannot be reconfigured (an A/B base
   * revision older than reconfiguration), every slot sharing the policy goes fresh from then on, so
   * one side never runs warm against the other's cold processes.
   */
  constructor(private readonly policy: { fresh: boolean }) {}

  /**
   * A server for the next cell: the warm one, reconfigured, or a new one. Throws UnsupportedError
   * when the database cannot run the cell's combination.
   */
  async acquire(launch: ServerLaunch, body: Record<string, string | number>): Promise<ServerProcess> {
    const warm = this.server;
    if (!this.policy.fresh && warm && !warm.exited()) {
      try {
        await warm.configure(body);
        return warm;
      } catch (e) {
        if (e instanceof UnsupportedError) throw e;
        this.policy.fresh = true;
      }
    }
    await this.discard();
    const started = await startServer(launch);
    if (!this.policy.fresh) this.server = started;
    return started;
  }

  /**
   * The cell is done with `server`: a kept server ends its database sessions and waits for the
   * next cell; any other is stopped. A server that failed is stopped too.
   */
  async release(server: ServerProcess, healthy: boolean): Promise<void> {
    if (server === this.server && healthy && !server.exited()) {
      try {
        await server.quiesce();
        return;
      } catch {
        // Fall through: a server that cannot quiesce is not reused.
      }
    }
    if (server === this.server) this.server = null;
    await server.stop();
  }

  /** Stops the kept server, if any. Idempotent. */
  async discard(): Promise<void> {
    const s = this.server;
    this.server = null;
    await s?.stop();
  }
}

/**
 * The slots of one run, one per key (a database; in an A/B run, a side and a database), sharing
 * one policy. Several workers cannot be reconfigured together, so they get a new server per cell,
 * as does --fresh-servers; `configs` are the run's (both sides' in an A/B run).
 */
export class ServerSlots {
  private readonly slots = new Map<string, ServerSlot>();
  private readonly policy: { fresh: boolean };

  constructor(configs: readonly Pick<BenchConfig, 'freshServers' | 'workers'>[]) {
    this.policy = { fresh: configs.some((c) => c.freshServers || c.workers > 1) };
  }

  for(key: string): ServerSlot {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = new ServerSlot(this.policy);
      this.slots.set(key, slot);
    }
    return slot;
  }

  /** Stops every kept server. */
  async discardAll(): Promise<void> {
    await Promise.allSettled([...this.slots.values()].map((s) => s.discard()));
  }
}
