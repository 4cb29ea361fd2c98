import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerProcess } from '../../bench/server-process.ts';

/**
 * Which process serves which cell: the bookkeeping of bench/server-slot.ts alone. Starting a
 * process is replaced by a record (the real servers are driven end to end in the integration
 * tests, which check `server.warmProcess` on real runs).
 */

interface FakeServer extends ServerProcess {
  served: string[];
  stopped: boolean;
}

const started: FakeServer[] = [];

vi.mock('../../bench/server-process.ts', () => ({
  UnsupportedError: class UnsupportedError extends Error {},
  startServer: async () => {
    const s: FakeServer = {
      port: 0,
      pid: started.length + 1,
      baseUrl: '',
      startedAt: Date.now(),
      served: [],
      stopped: false,
      stats: async () => ({}) as never,
      resetStats: async () => {},
      configure: async (body) => {
        s.served.push(`${body.strategy}/${body.workload}`);
      },
      quiesce: async () => {},
      stop: async () => {
        s.stopped = true;
      },
      exited: () => (s.stopped ? { code: 0, signal: null } : null),
      stderrTail: () => '',
    };
    started.push(s);
    return s;
  },
}));

const { ServerSlots, serverKey } = await import('../../bench/server-slot.ts');

type Cell = { database: 'postgres' | 'mysql'; strategy: 'for-update' | 'optimistic'; workload: 'account' };
const cell = (strategy: Cell['strategy'], database: Cell['database'] = 'postgres'): Cell => ({
  database,
  strategy,
  workload: 'account',
});

/** Runs cells in order like the orchestrator: acquire, release, retire when no later cell has the key. */
async function runPlan(slots: InstanceType<typeof ServerSlots>, plan: Cell[]): Promise<number[]> {
  const pids: number[] = [];
  for (const [i, c] of plan.entries()) {
    const slot = slots.for(c);
    const s = await slot.acquire({ args: [], dbUrl: '' }, { strategy: c.strategy, workload: c.workload });
    pids.push(s.pid);
    await slot.release(s, true);
    if (!plan.slice(i + 1).some((d) => serverKey(d) === serverKey(c))) await slots.retire(c);
  }
  return pids;
}

describe('ServerSlots: one warm process per database, strategy and workload', () => {
  beforeEach(() => {
    started.length = 0;
  });

  it('repeats alternating between strategies never put two strategies on one process', async () => {
    const slots = new ServerSlots([{ freshServers: false, workers: 1 }]);
    const plan = [cell('for-update'), cell('optimistic'), cell('for-update'), cell('optimistic')];
    const pids = await runPlan(slots, plan);
    expect(pids).toEqual([1, 2, 1, 2]);
    await slots.discardAll();
    expect(started.every((s) => s.stopped)).toBe(true);
  });

  it('a process whose cells are done is handed on to the next new key of its database', async () => {
    const slots = new ServerSlots([{ freshServers: false, workers: 1 }]);
    const plan = [
      cell('for-update'),
      cell('optimistic'),
      cell('for-update', 'mysql'),
      cell('optimistic', 'mysql'),
    ];
    const pids = await runPlan(slots, plan);
    // One process per database, each meeting each strategy once.
    expect(pids).toEqual([1, 1, 2, 2]);
    expect(started[0]?.served).toEqual(['optimistic/account']);
    await slots.discardAll();
    expect(started.map((s) => s.stopped)).toEqual([true, true]);
  });

  it('A/B sides never share a process', async () => {
    const slots = new ServerSlots([{ freshServers: false, workers: 1 }]);
    const a = slots.for(cell('for-update'), 'A');
    const b = slots.for(cell('for-update'), 'B');
    expect(a).not.toBe(b);
    const sa = await a.acquire({ args: [], dbUrl: '' }, { strategy: 'for-update', workload: 'account' });
    await a.release(sa, true);
    await slots.retire(cell('for-update'), 'A');
    const sb = await slots
      .for(cell('optimistic'), 'B')
      .acquire({ args: [], dbUrl: '' }, { strategy: 'optimistic', workload: 'account' });
    expect(sb.pid).not.toBe(sa.pid);
    await slots.discardAll();
  });

  it('--fresh-servers: a new process for every cell', async () => {
    const slots = new ServerSlots([{ freshServers: true, workers: 1 }]);
    const pids = await runPlan(slots, [cell('for-update'), cell('for-update'), cell('optimistic')]);
    expect(pids).toEqual([1, 2, 3]);
    expect(started.every((s) => s.stopped)).toBe(true);
  });
});
