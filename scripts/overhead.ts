/**
 * Measure the harness, not the database: `npm run bench:overhead`. One run, one machine, two
 * comparisons, each interleaved over --rounds rounds (the side that goes first alternates), since
 * a shared machine drifts:
 *
 * 1. Database side. pgbench and lockbench run the same transaction (lock one of --hot-rows
 *    accounts with SELECT ... FOR UPDATE, write the computed balance, insert a ledger row,
 *    commit) with the same number of clients against the same throwaway PostgreSQL: pgbench tps
 *    vs the for-update strategy server's ok/s under the closed driver. The ratio is what the
 *    harness (HTTP, Node, the server's query layer and the driver, all on the same cores) leaves
 *    of what the database can do.
 * 2. Drivers. wrk, the closed driver and the open driver (at --open-rate) on a trivial route
 *    (scripts/driver-capacity.ts's server): requests/s and each generator's own CPU per request.
 *
 * pgbench and wrk are optional references: a missing one is skipped with a note.
 */

import { startThrowawayPostgres } from '../bench/databases/postgres-throwaway.ts';
import { runClosed } from '../bench/load/closed-driver.ts';
import { runOpen } from '../bench/load/open-driver.ts';
import { createRequestBuilder, type RequestSource } from '../bench/load/request-builder.ts';
import { startServer } from '../bench/server-process.ts';
import { DEFAULT_SEED, resetAndSeed } from '../workloads/schema.ts';
import { hasWrk, runWrk, startTrivialServer } from './driver-capacity.ts';
import { isEntry } from './is-entry.ts';
import { type OverheadOptions, parseOverheadArgs, USAGE } from './overhead/options.ts';
import { findPgbench, runPgbench } from './overhead/pgbench.ts';
import { type DatabaseRound, type DriverRun, renderDatabase, renderDrivers } from './overhead/render.ts';

const INSTALL_PGBENCH =
  'pgbench not found: skipped (Debian/Ubuntu: apt-get install -y postgresql-contrib; macOS: brew install postgresql)';
const INSTALL_WRK = 'wrk not found: skipped (Debian/Ubuntu: apt-get install -y wrk; macOS: brew install wrk)';

type Say = (line: string) => void;

const perUs = (sec: number | null, n: number) => (sec === null || n <= 0 ? null : (sec * 1e6) / n);

/** The database-side comparison. */
export async function measureDatabase(
  o: OverheadOptions,
  say: Say,
): Promise<{ rounds: DatabaseRound[]; note: string | null }> {
  const pgbench = await findPgbench();
  const db = await startThrowawayPostgres({ id: 'overhead' });
  try {
    await resetAndSeed(db.spec, DEFAULT_SEED, { full: true });
    const server = await startServer({
      dbUrl: db.spec.url,
      args: [
        '--strategy',
        'for-update',
        '--workload',
        'account',
        '--schema',
        db.spec.schema,
        '--pool',
        String(o.clients),
        '--workers',
        '1',
        '--port',
        '0',
      ],
    });
    try {
      const rounds: DatabaseRound[] = [];
      for (let round = 1; round <= o.rounds; round++) {
        const first = round % 2 === 1 ? 'pgbench' : 'lockbench';
        let pg: { tps: number; failed: number } | null = null;
        let lb: Omit<DatabaseRound, 'round' | 'first' | 'pgbenchTps' | 'pgbenchFailed'> | null = null;
        for (const side of first === 'pgbench' ? ['pgbench', 'lockbench'] : ['lockbench', 'pgbench']) {
          await resetAndSeed(db.spec);
          if (side === 'pgbench') {
            if (!pgbench) continue;
            say(`round ${round}: pgbench ${o.duration} s`);
            pg = await runPgbench({
              bin: pgbench,
              url: db.spec.url,
              schema: db.spec.schema,
              clients: o.clients,
              hotRows: o.hotRows,
              durationSec: o.duration,
              mode: o.pgbenchMode,
            });
          } else {
            say(`round ${round}: lockbench for-update ${o.warmup} + ${o.duration} s`);
            const r = await runClosed(
              {
                url: server.baseUrl,
                connections: o.clients,
                durationSec: o.duration,
                warmupSec: o.warmup,
                cpuPids: [server.pid],
              },
              depositsOn(o.hotRows),
            );
            const ok = r.outcomes.ok;
            lb = {
              lockbenchOkPerSec: ok / r.durationSec,
              lockbenchNotOk:
                r.outcomes.rejected + r.outcomes.conflict + r.outcomes.error + r.outcomes.timeout,
              serverUsPerOk: perUs(r.serverCpuSec, ok),
              driverUsPerOk: perUs(r.driverCpuSec, ok) ?? Number.NaN,
            };
          }
        }
        if (!lb) throw new Error('lockbench side did not run');
        rounds.push({ round, first, pgbenchTps: pg?.tps ?? null, pgbenchFailed: pg?.failed ?? null, ...lb });
      }
      return {
        rounds,
        note: pgbench
          ? `pgbench -M ${o.pgbenchMode} -c ${o.clients} -j 1; lockbench: for-update, ${o.clients} connections, pool ${o.clients}, 1 worker`
          : INSTALL_PGBENCH,
      };
    } finally {
      await server.stop();
    }
  } finally {
    await db.stop();
  }
}

/** Deposits on accounts 1..hotRows, uniformly: the pgbench script's shape. */
function depositsOn(hotRows: number): RequestSource {
  return createRequestBuilder({
    workload: 'account',
    keys: hotRows === 1 ? { kind: 'hot' } : { kind: 'hot-set', size: hotRows, share: 1 },
    seed: 1,
    sizes: { accounts: DEFAULT_SEED.accounts, events: DEFAULT_SEED.events },
    mix: { depositShare: 1 },
  });
}

/** Any account, deposits only: the trivial route answers without looking. */
function trivialRequests(): RequestSource {
  return createRequestBuilder({
    workload: 'account',
    keys: { kind: 'uniform' },
    seed: 1,
    sizes: { accounts: 1000, events: 1 },
    mix: { depositShare: 1 },
  });
}

/** The driver comparison on the trivial route. */
export async function measureDrivers(
  o: OverheadOptions,
  say: Say,
): Promise<{ runs: DriverRun[]; note: string | null }> {
  const wrk = hasWrk();
  const server = await startTrivialServer();
  try {
    const { url } = server;
    // Warm the server's JIT so that the first generator measured is not penalised.
    await runClosed({ url, connections: o.driverConnections, durationSec: 2 }, trivialRequests());
    const runs: DriverRun[] = [];
    const order = ['wrk', 'closed', 'open'] as const;
    for (let round = 1; round <= o.rounds; round++) {
      // Rotate who goes first, so a slow spell of the machine does not always hit one generator.
      const turn = [...order.slice((round - 1) % 3), ...order.slice(0, (round - 1) % 3)];
      for (const g of turn) {
        if (g === 'wrk') {
          if (!wrk) continue;
          say(`round ${round}: wrk ${o.driverDuration} s`);
          const w = runWrk(url, o.driverConnections, o.driverDuration);
          runs.push({
            round,
            generator: 'wrk',
            requestsPerSec: w.rps,
            cpuUsPerRequest: perUs(w.cpuSec, w.rps * o.driverDuration),
            held: null,
            note: `${o.driverConnections} connections, 1 thread`,
          });
        } else if (g === 'closed') {
          say(`round ${round}: closed driver ${o.driverDuration} s`);
          const r = await runClosed(
            { url, connections: o.driverConnections, durationSec: o.driverDuration, warmupSec: 1 },
            trivialRequests(),
          );
          runs.push({
            round,
            generator: 'closed',
            requestsPerSec: (r.outcomes.sent - r.outcomes.inFlight) / r.durationSec,
            cpuUsPerRequest: perUs(r.driverCpuSec, r.outcomes.sent),
            held: null,
            note: `${o.driverConnections} connections`,
          });
        } else {
          say(`round ${round}: open driver at ${o.openRate}/s ${o.driverDuration} s`);
          const r = await runOpen(
            { url, rate: o.openRate, maxInFlight: 256, durationSec: o.driverDuration, warmupSec: 1 },
            trivialRequests(),
          );
          const due = r.outcomes.sent + r.outcomes.dropped;
          const held =
            r.outcomes.sent >= 0.97 * o.openRate * r.durationSec && r.outcomes.dropped <= 0.01 * due;
          runs.push({
            round,
            generator: 'open',
            requestsPerSec: (r.outcomes.sent - r.outcomes.inFlight) / r.durationSec,
            cpuUsPerRequest: perUs(r.driverCpuSec, r.outcomes.sent),
            held,
            note: `${o.openRate}/s asked, max 256 in flight: ${held ? 'held' : `did not hold (dropped ${r.outcomes.dropped})`}`,
          });
        }
      }
    }
    return { runs, note: wrk ? null : INSTALL_WRK };
  } finally {
    server.stop();
  }
}

if (isEntry(import.meta.url)) {
  const parsed = parseOverheadArgs(process.argv.slice(2));
  if (process.argv.includes('--help')) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (!parsed.ok) {
    process.stderr.write(`LOCKBENCH_USAGE: ${parsed.message}\n\n${USAGE}`);
    process.exit(2);
  }
  const o = parsed.options;
  const say: Say = (line) => process.stderr.write(`${line}\n`);
  say('The machine is shared: the sides of each comparison are interleaved; read the medians.');
  if (o.only !== 'drivers') {
    const d = await measureDatabase(o, say);
    process.stdout.write(
      `\n## Same transaction: pgbench vs lockbench (for-update)\n\n${renderDatabase(d.rounds, d.note)}`,
    );
  }
  if (o.only !== 'database') {
    const d = await measureDrivers(o, say);
    process.stdout.write(`\n## Drivers on a trivial route\n\n${renderDrivers(d.runs, d.note)}`);
  }
}
