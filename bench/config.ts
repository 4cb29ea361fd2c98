import { z } from 'zod';
import { ISOLATION_LEVELS, STRATEGY_NAMES } from '../core/names.ts';
import { EXECUTOR_DEFAULTS as SERVER_DEFAULTS } from '../strategies/settings.ts';
import { DEFAULT_WORKLOADS, workloadNames } from '../workloads/catalog.ts';
import { PROFILE_NAMES } from './load/profiles.ts';
import { parseProfileSpec, resolveProfileSpec } from './profile-spec.ts';

/**
 * The bench command's options: one schema for the command line and for `--config <file>`.
 * Precedence (as node-postgres documents its own): command line, then the config file, then the
 * environment (LOCKBENCH_PG_URL, LOCKBENCH_MYSQL_URL), then the preset, then these defaults.
 * Parsed once at the edge, frozen, and passed down.
 */

export { PROFILE_NAMES, type ProfileName } from './load/profiles.ts';
export const DB_IDS = ['postgres', 'mysql'] as const;
export type DbId = (typeof DB_IDS)[number];
export const PRESETS = ['default', 'ci'] as const;

/** `10s`, `2m`, `500ms`, `1.5s`, or a bare number of seconds -> milliseconds. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000);
}

/** `120000` -> `2m`, `1500` -> `1.5s`, `250` -> `250ms`: how a bound is shown in a message. */
const showMs = (ms: number) =>
  ms === 0 ? '0' : ms % 60_000 === 0 ? `${ms / 60_000}m` : ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;

/** A duration from `minMs` to `maxMs` inclusive; the message names the option, the value and the range. */
const duration = (name: string, minMs: number, maxMs: number) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const ms = typeof v === 'number' ? v * 1000 : parseDuration(v);
    const range = `from ${showMs(minMs)} to ${showMs(maxMs)}`;
    if (ms === null || !Number.isFinite(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: `${name}: expected a duration like 10s, 2m or 500ms (${range}), got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    if (ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `${name}: must be ${range}, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return ms;
  });

/** A comma list (or array) of names from `allowed`, with `all` for every one. */
const nameList = <T extends string>(name: string, allowedNames: readonly T[] | (() => readonly T[])) =>
  z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
    const allowed = typeof allowedNames === 'function' ? allowedNames() : allowedNames;
    const items = (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
    if (items.length === 1 && items[0] === 'all') return [...allowed];
    const bad = items.filter((s) => !allowed.includes(s as T));
    if (bad.length > 0 || items.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${name}: unknown ${bad.length ? bad.map((b) => JSON.stringify(b)).join(', ') : 'empty list'}; allowed: ${allowed.join(', ')}, all`,
      });
      return z.NEVER;
    }
    return [...new Set(items)] as T[];
  });

const intList = (name: string, min: number, max: number) =>
  z.union([z.string(), z.number(), z.array(z.number())]).transform((v, ctx) => {
    const items =
      typeof v === 'number' ? [v] : Array.isArray(v) ? v : v.split(',').map((s) => Number(s.trim()));
    const bad = items.filter((n) => !Number.isInteger(n) || n < min || n > max);
    if (bad.length > 0 || items.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${name}: expected integers from ${min} to ${max} (comma-separated), got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return [...new Set(items)];
  });

/** An integer from `min` to `max`; the message names the option, the value and the range. */
const int = (name: string, min: number, max: number) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({
        code: 'custom',
        message: `${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return n;
  });

const oneOf = <T extends string>(name: string, allowed: readonly [T, ...T[]]) =>
  z.enum(allowed, {
    error: (iss) => `${name}: unknown ${JSON.stringify(iss.input)}; allowed: ${allowed.join(', ')}`,
  });

/** A database URL of the one dialect the option is for, with a host; credentials never echoed. */
const url = (name: string, dialect: 'postgres' | 'mysql') =>
  z.string().superRefine((v, ctx) => {
    const schemes = dialect === 'postgres' ? 'postgres:// or postgresql://' : 'mysql:// or mariadb://';
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v)?.[1]?.toLowerCase();
    const ok =
      dialect === 'postgres' ? /^postgres(ql)?$/.test(scheme ?? '') : /^(mysql|mariadb)$/.test(scheme ?? '');
    let host = '';
    try {
      host = new URL(v).hostname;
    } catch {}
    if (!ok || !host) {
      const what = !ok ? (scheme ? `a ${scheme}:// URL` : 'not a URL') : 'a URL without a host';
      ctx.addIssue({
        code: 'custom',
        message: `${name}: expected a URL starting with ${schemes} and naming a host, got ${what} (credentials are never written to results)`,
      });
    }
  });

const WARMUP_DURATION = duration('--warmup', 0, 60 * 60_000);

/** `5%` or `5` -> 0.05: a share given in percent. */
const percent = (name: string, min: number, max: number) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : Number(v.trim().replace(/%$/, ''));
    if (!Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({
        code: 'custom',
        message: `${name}: expected a percentage from ${min}% to ${max}%, like 5%, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return n / 100;
  });

/** What ends the sampling of one A/B cell besides the target: pairs per cell, and/or the run's wall time. */
export interface AbBudget {
  /** Most pairs per cell (default 8). */
  pairs: number;
  /** No new pair starts after this many milliseconds of the run; null: no limit. */
  ms: number | null;
}

/** `8`, `10m`, or `8,10m`: the most pairs per cell, the wall time of the run, or both. */
const abBudget = z.union([z.number(), z.string()]).transform((v, ctx): AbBudget => {
  const parts = String(v)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const out: AbBudget = { pairs: AB_DEFAULT_PAIRS, ms: null };
  for (const part of parts) {
    const pairs = /^\d+$/.test(part) ? Number(part) : null;
    const ms = pairs === null ? parseDuration(part) : null;
    if (pairs !== null && pairs >= AB_MIN_PAIRS && pairs <= 100) out.pairs = pairs;
    else if (ms !== null && ms > 0 && /[a-z]$/.test(part)) out.ms = ms;
    else {
      ctx.addIssue({
        code: 'custom',
        message: `--ab-budget: expected pairs per cell (${AB_MIN_PAIRS} to 100), a wall time like 10m, or both (8,10m); got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
  }
  if (parts.length === 0 || parts.length > 2) {
    ctx.addIssue({
      code: 'custom',
      message: `--ab-budget: expected 8, 10m or 8,10m; got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return out;
});

/** `2/3`: segment 2 of 3 (1-based). */
const segmentSpec = z.string().transform((v, ctx) => {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > 1000 || index < 1 || index > count) {
    ctx.addIssue({
      code: 'custom',
      message: `--segment: expected k/n with 1 <= k <= n <= 1000, like 2/3, got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return { index, count };
});

/** Strategy servers that run elsewhere: http(s) base URLs, repeatable. */
const serverUrls = (flag: string) =>
  z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
    const items = Array.isArray(v) ? v : [v];
    const out: string[] = [];
    for (const item of items) {
      let u: URL | null = null;
      try {
        u = new URL(item);
      } catch {}
      if (!u || !/^https?:$/.test(u.protocol) || u.username || u.password) {
        ctx.addIssue({
          code: 'custom',
          message: `${flag}: expected an http:// or https:// base URL of a strategy server without credentials, like http://10.0.0.7:3000, got ${JSON.stringify(item)}`,
        });
        return z.NEVER;
      }
      out.push(u.origin);
    }
    return out;
  });

/** Pairs every A/B cell gets before the stopping rule may end it: below 3 the t quantile (4.3 at 2) is too wide to help. */
export const AB_MIN_PAIRS = 3;
export const AB_DEFAULT_PAIRS = 8;

export const BenchConfigSchema = z.strictObject({
  preset: oneOf('--preset', PRESETS).default('default'),
  strategy: nameList('--strategy', STRATEGY_NAMES).default([...STRATEGY_NAMES]),
  db: nameList('--db', DB_IDS).optional(),
  /**
   * Built-in workloads and any loaded from a file (`--workload ./file.ts`, loaded before parsing:
   * bench/workload-files.ts). Default: account, transfer, tickets; `all` adds queue and loaded ones.
   */
  workload: nameList('--workload', workloadNames).default([...DEFAULT_WORKLOADS]),
  /** Default: each workload's own (`hot` for account and tickets, `hot-set` for transfer, `uniform` for queue). */
  /** Profile labels, `name[:key=value...]` (bench/profile-spec.ts), validated with their parameters. */
  profile: z
    .union([z.string(), z.array(z.string())])
    .transform((v, ctx) => {
      const items = (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
      const expanded = items.length === 1 && items[0] === 'all' ? [...PROFILE_NAMES] : items;
      const labels: string[] = [];
      for (const item of expanded) {
        try {
          labels.push(parseProfileSpec(item).label);
          resolveProfileSpec(item);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
          return z.NEVER;
        }
      }
      if (labels.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `--profile: empty list; allowed: ${PROFILE_NAMES.join(', ')}, all`,
        });
        return z.NEVER;
      }
      return [...new Set(labels)];
    })
    .optional(),
  connections: intList('--connections', 1, 1000).default([32]),
  /** Open model target rates (requests/s); absent = closed model. */
  rate: intList('--rate', 1, 1_000_000).optional(),
  duration: duration('--duration', 100, 24 * 60 * 60_000).default(5000),
  /**
   * `auto` (default): load until per-second goodput has settled (no trend over the last 3 s,
   * little variation), at most --warmup-max; a duration: exactly that long.
   */
  warmup: z
    .union([z.number(), z.string()])
    .transform((v, ctx) => {
      if (v === 'auto') return 'auto' as const;
      const fixed = WARMUP_DURATION.safeParse(v);
      if (fixed.success) return fixed.data;
      ctx.addIssue({
        code: 'custom',
        message: `--warmup: expected auto or a duration from 0 to 60m like 2s or 500ms, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    })
    .default('auto'),
  /** The longest an auto warm-up may run before the cell is measured anyway (flagged unsteady). */
  warmupMax: duration('--warmup-max', 1000, 60 * 60_000).default(10_000),
  repeat: int('--repeat', 1, 100).default(1),
  isolation: oneOf('--isolation', ISOLATION_LEVELS).default(SERVER_DEFAULTS.isolation),
  workMs: z
    .union([z.number(), z.string()])
    .transform((v, ctx) => {
      const n = typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 10_000) {
        ctx.addIssue({
          code: 'custom',
          message: `--work-ms: expected a number from 0 to 10000, got ${JSON.stringify(v)}`,
        });
        return z.NEVER;
      }
      return n;
    })
    .default(SERVER_DEFAULTS.workMs),
  pool: int('--pool', 1, 1000).default(SERVER_DEFAULTS.pool),
  workers: int('--workers', 1, 64).default(1),
  maxAttempts: int('--max-attempts', 1, 1000).default(SERVER_DEFAULTS.maxAttempts),
  lockTimeout: duration('--lock-timeout', 1, 60 * 60_000).default(SERVER_DEFAULTS.lockTimeout),
  lockOrder: oneOf('--lock-order', ['id', 'request']).default(SERVER_DEFAULTS.lockOrder),
  durability: oneOf('--durability', ['relaxed', 'strict']).default('relaxed'),
  seed: int('--seed', 0, 2 ** 31 - 1).default(1),
  pgUrl: url('--pg-url', 'postgres').optional(),
  mysqlUrl: url('--mysql-url', 'mysql').optional(),
  out: z.string().min(1).default('results'),
  json: z.boolean().default(false),
  /**
   * Start a new strategy server process for every cell instead of reconfiguring one warm process
   * per database between cells. A new process climbs for seconds while its JIT warms up; a warm
   * one carries JIT state from the cells before it (ordering effects are small next to that climb).
   */
  freshServers: z.boolean().default(false),
  /**
   * Paired A/B run (bench/ab/spec.ts): `base=<git ref>` (the server of that revision vs the working
   * tree), `db=<a>,<b>` (two targets), or `<setting>=<a>,<b>` (pool, workers, isolation, ...).
   * Absent: a plain run.
   */
  ab: z.string().min(1, { error: '--ab: expected base=<ref>, db=<a>,<b> or <setting>=<a>,<b>' }).optional(),
  /** A/B: a cell stops once the 95% intervals of its B/A ratios are within ± this (default 5%). */
  abTarget: percent('--ab-target', 0.5, 50).default(0.05),
  /** A/B: B is a regression when its goodput ratio's whole interval lies below 1 - this (default 5%). */
  abThreshold: percent('--ab-threshold', 0.5, 90).default(0.05),
  /** A/B: at most this many pairs per cell, and/or no new pair after this wall time (default 8 pairs). */
  abBudget: abBudget.default({ pairs: AB_DEFAULT_PAIRS, ms: null }),
  /**
   * Strategy servers that run elsewhere (servers/main.ts as a service), instead of one the bench
   * starts. The bench then only drives load: the database is seeded by `npm run seed` and checked
   * by `npm run check`, and the result is partial (bench/segment/).
   */
  serverUrl: serverUrls('--server-url').optional(),
  /**
   * Where segment 1 resets and reads the servers' counters, when not the --server-url list: each
   * host is resolved to all its addresses, so a headless Kubernetes Service names every pod (one
   * behind a load-balanced Service would answer from one pod at a time). Default: --server-url.
   */
  statsUrl: serverUrls('--stats-url').optional(),
  /**
   * Drive segment k of n of the cell's load: 1/n of its connections (or of its rate), its own key
   * stream and opIds, against server k of --server-url (round robin). Default: the whole load, 1/1.
   */
  segment: segmentSpec.optional(),
  /** Epoch milliseconds every segment starts its load at, agreed in advance. Default: at once. */
  startAt: int('--start-at', 0, Number.MAX_SAFE_INTEGER).optional(),
});

export type BenchConfig = z.output<typeof BenchConfigSchema>;
export type BenchConfigInput = z.input<typeof BenchConfigSchema>;

/** Keys of the config as they are spelled on the command line. */
export const FLAG_OF: Record<keyof BenchConfig, string> = {
  preset: '--preset',
  strategy: '--strategy',
  db: '--db',
  workload: '--workload',
  profile: '--profile',
  connections: '--connections',
  rate: '--rate',
  duration: '--duration',
  warmup: '--warmup',
  warmupMax: '--warmup-max',
  repeat: '--repeat',
  isolation: '--isolation',
  workMs: '--work-ms',
  pool: '--pool',
  workers: '--workers',
  maxAttempts: '--max-attempts',
  lockTimeout: '--lock-timeout',
  lockOrder: '--lock-order',
  durability: '--durability',
  seed: '--seed',
  pgUrl: '--pg-url',
  mysqlUrl: '--mysql-url',
  out: '--out',
  json: '--json',
  freshServers: '--fresh-servers',
  ab: '--ab',
  abTarget: '--ab-target',
  abThreshold: '--ab-threshold',
  abBudget: '--ab-budget',
  serverUrl: '--server-url',
  statsUrl: '--stats-url',
  segment: '--segment',
  startAt: '--start-at',
};

/**
 * The fixed CI preset (issue: performance tracking): both databases where available, the classic
 * strategies plus atomic, one contended and one uncontended profile, 3 repeats, short cells.
 */
export const PRESET_VALUES: Record<(typeof PRESETS)[number], Partial<BenchConfigInput>> = {
  default: {},
  ci: {
    strategy: ['naive', 'for-update', 'nowait', 'skip-locked', 'optimistic', 'atomic'],
    workload: ['account'],
    profile: ['hot', 'uniform'],
    connections: [16],
    duration: '4s',
    warmup: 'auto',
    repeat: 3,
  },
};

/** The warm-up as the load drivers take it: a fixed one has minSec = maxSec. Seconds. */
export function warmupPlan(config: Pick<BenchConfig, 'warmup' | 'warmupMax'>): {
  minSec: number;
  maxSec: number;
} {
  if (config.warmup === 'auto') return { minSec: 0, maxSec: config.warmupMax / 1000 };
  return { minSec: config.warmup / 1000, maxSec: config.warmup / 1000 };
}
