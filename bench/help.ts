import { STRATEGIES } from '../core/names.ts';
import { getWorkload, workloadNames } from '../workloads/catalog.ts';
import { PROFILES } from './load/profiles.ts';

/** `--help`: what a user types, with examples. Pure: returns the text. */
export function helpText(): string {
  return `lockbench: which locking strategy keeps your concurrent writes correct, and how fast?

Usage: npm run bench -- [options]        (or: npx lockbench [options])

With no options: every strategy on the account, transfer and tickets workloads, against a throwaway
PostgreSQL and (when installed) a throwaway MariaDB, 32 connections, 5 s measured per cell after a
warm-up that lasts until goodput is steady (48 cells, about 8 minutes on 2 cores).
Prints the planned matrix and an estimate first. Results go to results/<runId>/ (run.json,
report.md, report.html, charts) and results/latest points at the newest run.

What to run
  --strategy <list|all>     ${Object.keys(STRATEGIES).join(', ')} (default all)
  --workload <list|all>     ${workloadNames().join(', ')} (default account, transfer, tickets),
                            or ./your-workload.ts: your own module (see the README, examples/inventory.ts)
  --profile <list|all>      ${Object.keys(PROFILES).join(', ')}
                            (default hot for account/tickets, hot-set for transfer); parameters
                            after colons, e.g. zipf:theta=0.8, hot-set:size=4:share=0.95, spike:factor=5
  --db <list|all>           postgres, mysql (default: postgres, plus mysql when available)
  --preset <name>           default, ci (the fixed CI matrix; see npm run bench:ci)

Load
  --connections <n[,n...]>  closed model: concurrent connections; a list is a sweep (default 32)
  --rate <n[,n...]>         open model: requests/s on a schedule; a list is a sweep
  --duration <time>         measured time per cell: 10s, 2m, 500ms (default 5s; 5s or more gives intervals)
  --warmup <auto|time>      auto: load until goodput is steady, then measure; or a fixed time (default auto)
  --warmup-max <time>       the longest an auto warm-up runs before measuring anyway, flagged (default 10s)
  --repeat <n>              run every cell n times, spread over the run (default 1)
  --seed <n>                seeds key choice, amounts and arrivals (default 1)

Server and database
  --isolation <level>       default, read-committed, repeatable-read, serializable
  --work-ms <ms>            app work between read and write (a remote call); holds locks longer (default 0)
  --pool <n>                database connections per server worker (default 16)
  --workers <n>             server processes sharing the port (node:cluster, default 1)
  --max-attempts <n>        server-side retries for conflicts (default 10)
  --lock-timeout <time>     bound on lock waits (default 5s)
  --lock-order <id|request> transfer: lock rows in id order, or in request order to show deadlocks
  --durability <mode>       relaxed (default for throwaway servers) or strict (flush every commit)
  --pg-url <url>            use your PostgreSQL instead of a throwaway one (or LOCKBENCH_PG_URL)
  --mysql-url <url>         use your MySQL/MariaDB (or LOCKBENCH_MYSQL_URL)

A/B (paired: A and B interleaved, AB, BA, ..., on the same machine at the same time)
  --ab <axis>=<a>,<b>       base=<git ref> (that revision's server vs the working tree), db=<a>,<b>
                            (postgres, mysql or URLs), or a setting: pool, workers, isolation,
                            durability, work-ms, max-attempts, lock-timeout, lock-order
  --ab-target <pct>         stop a cell once the B/A intervals are within ± this, after 3 pairs (default 5%)
  --ab-threshold <pct>      a regression: goodput B/A entirely below 1 - this (default 5%); a cell
                            also stops once its goodput interval is wholly below, above or within ± this
  --ab-budget <n[,time]>    most pairs per cell, and/or no new pair after this wall time (default 8)

Servers elsewhere (load only: seed with npm run seed, merge with npm run merge, check with npm run check)
  --server-url <url>        a strategy server already running (servers/main.ts); repeatable, one per segment
  --segment <k/n>           drive segment k of n: 1/n of the connections or rate, its own keys and opIds
  --start-at <epoch ms>     start the load at this agreed time (every segment the same)
  --stats-url <url>         where segment 1 reads the servers' counters: every address of the host

Output
  --out <dir>               where run directories go (default results)
  --json                    print run.json on stdout; everything else goes to stderr
  --fresh-servers           a new strategy server process per cell (default: warm processes, never
                            going back to a strategy after serving another)
  --config <file>           the same options as a JSON object, e.g. {"strategy": ["atomic"], "duration": "10s"}
  --dry-run                 print the plan and estimate, run nothing
  --list                    strategies, workloads and profiles with one-line descriptions
  --help                    this text

Examples
  npm run bench -- --strategy optimistic
  npm run bench -- --strategy for-update,optimistic,atomic --workload account --connections 4,16,64
  npm run bench -- --workload tickets --profile sellout --strategy naive,skip-locked
  npm run bench -- --profile zipf:theta=0.5,zipf:theta=0.99 --strategy optimistic,for-update
  npm run bench -- --workload transfer --lock-order request --strategy for-update
  npm run bench -- --rate 500,1000,2000 --strategy atomic,for-update --duration 10s
  npm run bench -- --ab base=origin/main --preset ci --profile hot
  npm run bench -- --ab pool=16,64 --strategy for-update,atomic
  npm run bench -- --db mysql --mysql-url mysql://root:secret@127.0.0.1:3306/lockbench

Exit codes: 0 every cell ran and every strategy that claims safety kept its invariants; 1 a cell
failed or a safe-claiming strategy broke an invariant; 2 usage error; 130 interrupted (Ctrl-C).
`;
}

/** `--list`: the names users pick from, with one line each. */
export function listText(): string {
  const section = (title: string, entries: [string, string][]) => {
    const w = Math.max(...entries.map(([n]) => n.length));
    return `${title}\n${entries.map(([n, d]) => `  ${n.padEnd(w)}  ${d}`).join('\n')}`;
  };
  return [
    section('Strategies', Object.entries(STRATEGIES)),
    section(
      'Workloads',
      workloadNames().map((n) => [n, getWorkload(n).description] as [string, string]),
    ),
    section(
      'Profiles (parameters after colons: zipf:theta=0.8)',
      Object.entries(PROFILES).map(([n, p]) => {
        const params = Object.entries(p.params)
          .map(([k, meaning]) => `\n      ${k}=${p.defaults[k]}  ${meaning}`)
          .join('');
        return [n, `${p.description}${params}`] as [string, string];
      }),
    ),
  ].join('\n\n');
}
