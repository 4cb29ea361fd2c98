import type { BenchConfig } from './config.ts';
import type { PlannedCell } from './plan.ts';
import { type ServerLaunch, type ServerProcess, startServer, UnsupportedError } from './server-process.ts';

/**
 * The strategy server that a run's cells of one database, strategy and workload share. A fresh
 * Node process runs its hot paths unoptimised for its first seconds: measured here, a new server
 * process on one hot row climbed from about 800 to 1,300 ok/s over 4 s, while the same process,
 * driven again after a table reset or after its database sessions were ended, started at its
 * plateau. So a warm process is reconfigured between cells (a new pool and new database sessions
 * each time, counters reset) instead of started anew; `policy.fresh` (the --fresh-servers option,
 * and any run with more than one worker) starts one per cell as before.
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
   * one side never runs warm against the other's cold processes. `adopt`: a warm process whose
   * own cells are all done, taken before starting a new one.
   */
  constructor(
    private readonly policy: { fresh: boolean },
    private readonly adopt: () => ServerProcess | null = () => null,
  ) {}

  /**
   * A server for the next cell: the warm one, reconfigured, or a new one. Throws UnsupportedError
   * when the database cannot run the cell's combination.
   */
  async acquire(launch: ServerLaunch, body: Record<string, string | number>): Promise<ServerProcess> {
    if (!this.policy.fresh && !this.server) this.server = this.adopt();
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

  /** The kept server, given up by this slot (its cells are done); null when none. */
  handOff(): ServerProcess | null {
    const s = this.server;
    this.server = null;
    return s && !s.exited() ? s : null;
  }

  /** Stops the kept server, if any. Idempotent. */
  async discard(): Promise<void> {
    const s = this.server;
    this.server = null;
    await s?.stop();
  }
}

type ServerCell = Pick<PlannedCell, 'database' | 'strategy' | 'workload'>;

/** Cells with the same key share a warm server process. */
export const serverKey = (cell: ServerCell, side = ''): string =>
  `${side}|${cell.database}|${cell.strategy}|${cell.workload}`;

/**
 * The slots of one run, one per database, strategy and workload (and, in an A/B run, side),
 * sharing one policy. A process never goes back to a strategy and workload after serving another:
 * V8 optimises a server's hot functions for the shapes it has seen, and a process that alternates
 * between strategies keeps deoptimising them. Measured on a 2-core machine, account/hot on
 * PostgreSQL, eight rounds of for-update then optimistic: on one process alternating between them,
 * server CPU per operation rose from 218 to 333 µs (for-update) and from 545 to 810 µs
 * (optimistic), goodput fell from 2,231 to 1,162 ok/s and the rounds spread by 28-31% (coefficient
 * of variation); on one process per strategy, 207-227 µs, 2,159-2,463 ok/s, 6-10%. Alternating
 * workloads under one strategy did the same to tickets (19% against 7% on its own process).
 *
 * A process whose key has no cell left (`retire`) is handed on to the next key of its side and
 * database that needs a new one, so a run that visits each key once (the default matrix) still
 * measures every cell but the first on a warm process: such a process meets each strategy once,
 * and its CPU per operation stayed within the spread of new processes' (0.85-1.16 of it, no trend
 * over the 24 cells). Several workers cannot be reconfigured together, so they get a new server
 * per cell, as does --fresh-servers; `configs` are the run's (both sides' in an A/B run).
 */
export class ServerSlots {
  private readonly slots = new Map<string, ServerSlot>();
  /** Per side and database: a warm process whose own cells are done. */
  private readonly spares = new Map<string, ServerProcess>();
  private readonly policy: { fresh: boolean };

  constructor(configs: readonly Pick<BenchConfig, 'freshServers' | 'workers'>[]) {
    this.policy = { fresh: configs.some((c) => c.freshServers || c.workers > 1) };
  }

  /** The slot of `cell`'s database, strategy and workload; `side` tells an A/B run's sides apart. */
  for(cell: ServerCell, side = ''): ServerSlot {
    const key = serverKey(cell, side);
    let slot = this.slots.get(key);
    if (!slot) {
      const spareKey = `${side}|${cell.database}`;
      slot = new ServerSlot(this.policy, () => {
        const s = this.spares.get(spareKey) ?? null;
        this.spares.delete(spareKey);
        return s && !s.exited() ? s : null;
      });
      this.slots.set(key, slot);
    }
    return slot;
  }

  /** No later cell of the run has `cell`'s key: its process may serve the next new key instead. */
  async retire(cell: ServerCell, side = ''): Promise<void> {
    const slot = this.slots.get(serverKey(cell, side));
    this.slots.delete(serverKey(cell, side));
    const s = slot?.handOff();
    if (!s) return;
    const spareKey = `${side}|${cell.database}`;
    const older = this.spares.get(spareKey);
    this.spares.set(spareKey, s);
    await older?.stop();
  }

  /** Stops every kept server. */
  async discardAll(): Promise<void> {
    const spares = [...this.spares.values()];
    this.spares.clear();
    await Promise.allSettled([
      ...[...this.slots.values()].map((s) => s.discard()),
      ...spares.map((s) => s.stop()),
    ]);
  }
}
