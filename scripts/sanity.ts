/**
 * A sanity run, not the benchmark: every strategy on every database, one hot account, a fixed
 * number of closed-loop clients for a few seconds, through servers/main.ts as the orchestrator
 * starts it. It answers "is anything pathologically slow or broken?": requests/s, conflicts,
 * retries, and whether the account still balances with its ledger.
 *
 *   tsx scripts/sanity.ts [--seconds 20] [--clients 32] [--strategies a,b] [--databases postgres,mysql]
 *
 * Uses LOCKBENCH_PG_URL / LOCKBENCH_MYSQL_URL when set, else throwaway servers.
 */
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import {
  connectExternal,
  resetAndSeed,
  startThrowawayMysql,
  startThrowawayPostgres,
} from '../bench/databases/index.ts';
import type { DatabaseTarget } from '../bench/databases/target.ts';
import { startServer } from '../bench/server-process.ts';
import { openSql } from '../core/connect.ts';
import { type Dialect, STRATEGY_NAMES, type StrategyName } from '../core/names.ts';
import type { ServerStats } from '../servers/protocol.ts';
import { checkSupport } from '../strategies/registry.ts';

const HOT_ACCOUNT = 1;
const INITIAL = 1_000_000;

interface Row {
  database: string;
  strategy: StrategyName;
  seconds: number;
  requests: number;
  ok: number;
  rejected: number;
  conflict: number;
  error: number;
  /** Server side: attempts beyond the first, per operation. */
  extraAttempts: number;
  p50Ms: number;
  p99Ms: number;
  /** balance - (initial + ledger sum): 0 unless updates were lost. */
  drift: number;
  note: string;
}

/** Closed loop: each client sends its next request when the last one answered. */
async function hammer(port: number, clients: number, seconds: number) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: clients, pipelining: 1 });
  const counts = { ok: 0, rejected: 0, conflict: 0, error: 0 };
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  let seq = 0;
  const client = async (c: number) => {
    while (performance.now() < until) {
      const n = seq++;
      const kind = n % 2 === 0 ? 'deposit' : 'withdraw';
      const t0 = performance.now();
      try {
        const res = await pool.request({
          method: 'POST',
          path: `/accounts/${HOT_ACCOUNT}/${kind}`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ amount: 1, opId: `s${c}-${n}` }),
        });
        await res.body.dump();
        const outcome = res.headers['x-outcome'];
        if (outcome === 'ok' || outcome === 'rejected' || outcome === 'conflict') counts[outcome]++;
        else counts.error++;
      } catch {
        counts.error++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { counts, requests: latencies.length, p50: pct(0.5), p99: pct(0.99) };
}

async function drift(target: DatabaseTarget): Promise<number> {
  const sql = await openSql(target.spec, { max: 1 });
  try {
    const bal = await sql.query<{ balance: unknown }>(
      `SELECT balance FROM accounts WHERE id = ${HOT_ACCOUNT}`,
    );
    const led = await sql.query<{ s: unknown }>(
      `SELECT COALESCE(SUM(amount), 0) AS s FROM ledger WHERE account_id = ${HOT_ACCOUNT}`,
    );
    return Number(bal.rows[0]?.balance) - (INITIAL + Number(led.rows[0]?.s));
  } finally {
    await sql.close();
  }
}

async function runOne(
  target: DatabaseTarget,
  strategy: StrategyName,
  clients: number,
  seconds: number,
): Promise<Row> {
  const base = { database: `${target.info.product} ${target.info.version.split('-')[0]}`, strategy, seconds };
  const empty = {
    requests: 0,
    ok: 0,
    rejected: 0,
    conflict: 0,
    error: 0,
    extraAttempts: 0,
    p50Ms: 0,
    p99Ms: 0,
    drift: 0,
  };
  const support = checkSupport(strategy, target.info, 'account');
  if (!support.ok) return { ...base, ...empty, note: `unsupported: ${support.reason}` };
  await resetAndSeed(target.spec, { accounts: 1000, initialBalance: INITIAL, events: 1, seatsPerEvent: 10 });
  const server = await startServer({
    args: ['--strategy', strategy, '--workload', 'account', '--schema', target.spec.schema],
    dbUrl: target.spec.url,
  });
  try {
    const load = await hammer(server.port, clients, seconds);
    const s: ServerStats = await server.stats();
    return {
      ...base,
      requests: load.requests,
      ...load.counts,
      extraAttempts: s.operations > 0 ? (s.attempts - s.operations) / s.operations : 0,
      p50Ms: load.p50,
      p99Ms: load.p99,
      drift: await drift(target),
      note: '',
    };
  } finally {
    await server.stop();
  }
}

/** Pure: rows -> a markdown table. */
export function renderSanity(rows: readonly Row[]): string {
  const head =
    '| database | strategy | req/s | ok/s | conflict % | rejected | errors | extra attempts/op | p50 ms | p99 ms | drift | note |';
  const sep = `|${'---|'.repeat(12)}`;
  const lines = rows.map((r) => {
    const rps = r.seconds > 0 ? r.requests / r.seconds : 0;
    const okps = r.seconds > 0 ? r.ok / r.seconds : 0;
    const conflictPct = r.requests > 0 ? (100 * r.conflict) / r.requests : 0;
    return `| ${r.database} | ${r.strategy} | ${rps.toFixed(0)} | ${okps.toFixed(0)} | ${conflictPct.toFixed(1)} | ${r.rejected} | ${r.error} | ${r.extraAttempts.toFixed(2)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.drift} | ${r.note} |`;
  });
  return [head, sep, ...lines].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '20' },
      clients: { type: 'string', default: '32' },
      strategies: { type: 'string', default: STRATEGY_NAMES.join(',') },
      databases: { type: 'string', default: 'postgres,mysql' },
    },
  });
  const seconds = Number(values.seconds);
  const clients = Number(values.clients);
  const strategies = String(values.strategies).split(',') as StrategyName[];
  const dialects = String(values.databases).split(',') as Dialect[];
  const targets: DatabaseTarget[] = [];
  try {
    for (const d of dialects) {
      const url = d === 'postgres' ? process.env.LOCKBENCH_PG_URL : process.env.LOCKBENCH_MYSQL_URL;
      targets.push(
        url
          ? await connectExternal(d, url)
          : d === 'postgres'
            ? await startThrowawayPostgres()
            : await startThrowawayMysql(),
      );
    }
    const rows: Row[] = [];
    for (const t of targets) {
      for (const s of strategies) {
        rows.push(await runOne(t, s, clients, seconds));
        process.stderr.write(`${t.id} ${s} done\n`);
      }
    }
    process.stdout.write(`${renderSanity(rows)}\n`);
  } finally {
    await Promise.allSettled(targets.map((t) => t.stop()));
  }
}

await main();
