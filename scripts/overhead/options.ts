import { z } from 'zod';

/** `npm run bench:overhead` options, parsed once. Every field has a default. */
export const OverheadOptions = z.strictObject({
  /** Interleaved rounds of each comparison (sides alternate AB, BA, ...). At least 2. Default 3. */
  rounds: z.coerce.number().int().min(2).max(20).default(3),
  /** Seconds each database-side run measures (pgbench -T, lockbench's measured window). Default 8. */
  duration: z.coerce.number().int().min(2).max(120).default(8),
  /** Seconds of lockbench load before its measured window, every round. Default 2. */
  warmup: z.coerce.number().int().min(0).max(60).default(2),
  /** pgbench clients = lockbench connections = the server's pool. Default 16. */
  clients: z.coerce.number().int().min(1).max(256).default(16),
  /** Accounts the transactions lock, chosen uniformly (ids 1..n). Default 8. */
  hotRows: z.coerce.number().int().min(1).max(1000).default(8),
  /** pgbench -M. Default prepared: each statement parsed once per connection, as lockbench's pool does. */
  pgbenchMode: z.enum(['prepared', 'extended', 'simple']).default('prepared'),
  /** Seconds of each driver-side run. Default 5. */
  driverDuration: z.coerce.number().int().min(2).max(120).default(5),
  /** Connections of wrk and the closed driver. Default 32. */
  driverConnections: z.coerce.number().int().min(1).max(1024).default(32),
  /** The open driver's rate on the trivial route, requests/s. Default 20,000. */
  openRate: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
  /** Which comparisons: both, the database side or the drivers. Default all. */
  only: z.enum(['all', 'database', 'drivers']).default('all'),
});
export type OverheadOptions = z.infer<typeof OverheadOptions>;

const FLAGS: Record<string, keyof OverheadOptions> = {
  '--rounds': 'rounds',
  '--duration': 'duration',
  '--warmup': 'warmup',
  '--clients': 'clients',
  '--hot-rows': 'hotRows',
  '--pgbench-mode': 'pgbenchMode',
  '--driver-duration': 'driverDuration',
  '--driver-connections': 'driverConnections',
  '--open-rate': 'openRate',
  '--only': 'only',
};

export const USAGE = `npm run bench:overhead -- [options]
  --rounds <n>              interleaved rounds, at least 2 (3)
  --duration <s>            seconds per database-side run (8)
  --warmup <s>              seconds of lockbench load before each measured run (2)
  --clients <n>             pgbench clients = lockbench connections = pool (16)
  --hot-rows <n>            accounts locked, uniformly (8)
  --pgbench-mode <m>        prepared, extended or simple (prepared)
  --driver-duration <s>     seconds per driver run (5)
  --driver-connections <n>  wrk and closed-driver connections (32)
  --open-rate <n>           open driver's rate on the trivial route, requests/s (20000)
  --only <which>            all, database or drivers (all)
`;

/** Flags -> options; a message naming the flag and what it allows when something is wrong. */
export function parseOverheadArgs(
  argv: readonly string[],
): { ok: true; options: OverheadOptions } | { ok: false; message: string } {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const key = FLAGS[flag];
    if (!key) {
      return { ok: false, message: `unknown option ${flag}; allowed: ${Object.keys(FLAGS).join(', ')}` };
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) return { ok: false, message: `${flag} needs a value` };
    raw[key] = value;
    i++;
  }
  const parsed = OverheadOptions.safeParse(raw);
  if (parsed.success) return { ok: true, options: Object.freeze(parsed.data) };
  const issue = parsed.error.issues[0];
  const key = String(issue?.path[0] ?? '');
  const flag = Object.entries(FLAGS).find(([, k]) => k === key)?.[0] ?? key;
  return { ok: false, message: `${flag}: ${issue?.message ?? 'invalid'}` };
}
