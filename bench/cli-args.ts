import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { LockbenchError } from '../core/errors.ts';
import { type AbSpec, parseAbSpec, sideOverrides } from './ab/spec.ts';
import { type BenchConfig, BenchConfigSchema, FLAG_OF, PRESET_VALUES, PRESETS } from './config.ts';

/** What the command line asks for. Parsing never starts anything. */
export type Command =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'run'; config: Readonly<BenchConfig>; planOnly: boolean; ab?: AbCommand };

/** A paired A/B run: what varies and each side's full config (the run's `config` is side B's). */
export interface AbCommand {
  spec: AbSpec;
  sides: readonly [Readonly<BenchConfig>, Readonly<BenchConfig>];
}

/**
 * A/B cells measure 3 s unless told otherwise: the pairs, not the window, give the interval.
 * Repeats are the pairs, so --repeat is set to 1 on both sides.
 */
export const AB_DEFAULT_DURATION = '3s';

/** Options that are switches, not values. */
const BOOLEAN_KEYS = new Set(['json', 'freshServers']);

const STRING_FLAGS = Object.entries(FLAG_OF)
  .filter(([key]) => !BOOLEAN_KEYS.has(key))
  .map(([, flag]) => flag.slice(2));

const OPTIONS = {
  ...Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' as const }])),
  config: { type: 'string' as const },
  json: { type: 'boolean' as const },
  'fresh-servers': { type: 'boolean' as const },
  list: { type: 'boolean' as const },
  help: { type: 'boolean' as const, short: 'h' },
  'dry-run': { type: 'boolean' as const },
  // Repeatable: one per strategy server.
  'server-url': { type: 'string' as const, multiple: true as const },
  'stats-url': { type: 'string' as const, multiple: true as const },
};

const KEY_OF_FLAG = Object.fromEntries(Object.entries(FLAG_OF).map(([k, f]) => [f.slice(2), k]));

function usage(message: string): LockbenchError {
  return new LockbenchError('LOCKBENCH_USAGE', `${message}\nRun with --help for the options.`);
}

/** Levenshtein distance, for "did you mean" on a mistyped flag. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

function unknownOption(message: string): LockbenchError {
  const m = /'(-{1,2}[^']+)'/.exec(message);
  const given = m?.[1] ?? '';
  const names = Object.keys(OPTIONS);
  const best = names
    .map((n) => ({ n, d: distance(given.replace(/^-+/, ''), n) }))
    .sort((a, b) => a.d - b.d)[0];
  const hint = best && best.d <= 3 ? ` Did you mean --${best.n}?` : '';
  return usage(
    `unknown option ${given || message}.${hint} Options: ${names.map((n) => `--${n}`).join(', ')}`,
  );
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw usage(
      `--config: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw usage(`--config: ${path} is not a JSON object of options: ${(e as Error).message}`);
  }
}

/** Turns zod's issues into lines that name the option, as the user spelled it. */
function describeIssues(error: z.ZodError, fromFile: string | null): string {
  return error.issues
    .map((iss) => {
      const key = String(iss.path[0] ?? '');
      if (iss.code === 'unrecognized_keys') {
        return `${fromFile ?? 'config'}: unknown option(s) ${iss.keys.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${Object.keys(FLAG_OF).join(', ')}`;
      }
      const flag = FLAG_OF[key as keyof BenchConfig] ?? key;
      return iss.message.startsWith(flag) ? iss.message : `${flag}: ${iss.message}`;
    })
    .join('\n');
}

/**
 * `--connections -1` as `--connections=-1`: parseArgs reads a value that starts with `-` as an
 * option ("argument is ambiguous"), which hides the range message the user needs.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = argv[i + 1];
    if (
      STRING_FLAGS.includes(a.slice(2)) &&
      a.startsWith('--') &&
      next !== undefined &&
      /^-\.?\d/.test(next)
    ) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): Command {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>
  >;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv),
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw unknownOption(err.message);
    if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw usage(
        `unexpected argument: ${err.message.replace(/^.*?'([^']+)'.*$/s, '$1')} (options start with --)`,
      );
    }
    throw usage(err.message);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) return { kind: 'help' };
  if (v.list) return { kind: 'list' };

  const cli: Record<string, unknown> = {};
  for (const [flag, value] of Object.entries(v)) {
    const key = KEY_OF_FLAG[flag];
    if (key !== undefined && value !== undefined) cli[key] = value;
  }
  const configPath = typeof v.config === 'string' ? v.config : null;
  const file = configPath ? readConfigFile(configPath) : {};
  const envValues: Record<string, unknown> = {};
  if (env.LOCKBENCH_PG_URL) envValues.pgUrl = env.LOCKBENCH_PG_URL;
  if (env.LOCKBENCH_MYSQL_URL) envValues.mysqlUrl = env.LOCKBENCH_MYSQL_URL;

  const presetName = (cli.preset ?? file.preset ?? 'default') as string;
  if (!PRESETS.includes(presetName as (typeof PRESETS)[number])) {
    throw usage(`--preset: unknown ${JSON.stringify(presetName)}; allowed: ${PRESETS.join(', ')}`);
  }
  const preset = PRESET_VALUES[presetName as (typeof PRESETS)[number]];
  const merged: Record<string, unknown> = { ...preset, ...envValues, ...file, ...cli };
  const abText = merged.ab;
  if (abText !== undefined) {
    if (cli.duration === undefined && file.duration === undefined) merged.duration = AB_DEFAULT_DURATION;
    merged.repeat = 1;
  }
  const result = BenchConfigSchema.safeParse(merged);
  if (!result.success) throw usage(describeIssues(result.error, configPath));
  const config = result.data;

  if (config.rate && config.workload.length > 0 && config.connections.length > 1) {
    throw usage(
      '--rate with several --connections: an open-model run takes one --connections value (the most requests in flight)',
    );
  }
  if (config.profile?.some((p) => p.startsWith('sellout')) && config.workload.some((w) => w !== 'tickets')) {
    throw usage('--profile sellout applies to --workload tickets only (it is the rush for the last seats)');
  }
  if (config.lockOrder === 'request' && !config.workload.includes('transfer')) {
    throw usage('--lock-order request applies to --workload transfer only (the two-lock case)');
  }
  const remote = remoteProblem(config);
  if (remote) throw usage(remote);
  const planOnly = Boolean(v['dry-run']);
  if (config.ab === undefined) return { kind: 'run', config: Object.freeze(config), planOnly };
  const ab = abCommand(config.ab, merged, configPath);
  return { kind: 'run', config: ab.sides[1], planOnly, ab };
}

/** Each side's config: the merged options with its override, through the same schema. */
function abCommand(text: string, merged: Record<string, unknown>, configPath: string | null): AbCommand {
  const spec = parseAbSpec(text);
  if (typeof spec === 'string') throw usage(spec);
  if (spec.axis === 'database' && merged.db !== undefined) {
    throw usage('--ab db=<a>,<b> names the databases: leave out --db');
  }
  const side = (i: 0 | 1): Readonly<BenchConfig> => {
    const r = BenchConfigSchema.safeParse({ ...merged, ...sideOverrides(spec, i) });
    if (!r.success) throw usage(`--ab side ${i === 0 ? 'A' : 'B'}: ${describeIssues(r.error, configPath)}`);
    return Object.freeze(r.data);
  };
  // Equal sides (pool=16,16) are allowed on purpose: an A/A run shows what noise alone reports.
  return { spec, sides: [side(0), side(1)] };
}

/**
 * What a run against servers elsewhere (--server-url, --segment, --start-at) cannot do: it drives
 * exactly one cell with a fixed warm-up (segments must measure the same seconds), and each
 * segment needs at least one connection and one request/s of its own.
 */
function remoteProblem(config: BenchConfig): string | null {
  const urls = config.serverUrl;
  if (!urls) {
    if (config.segment)
      return '--segment needs --server-url: a segment drives strategy servers that run elsewhere';
    if (config.startAt !== undefined) return '--start-at needs --server-url (and usually --segment)';
    if (config.statsUrl) return '--stats-url needs --server-url: it names where servers elsewhere count';
    return null;
  }
  const count = config.segment?.count ?? 1;
  if (config.ab !== undefined) return '--server-url cannot be combined with --ab';
  if (config.warmup === 'auto')
    return '--server-url: give a fixed --warmup (like 3s): every segment must measure the same seconds';
  if (config.db?.length !== 1)
    return '--server-url: name the one database the servers use with --db postgres or --db mysql';
  const many = (flag: string, n: number) => (n > 1 ? `${flag} has ${n} values` : null);
  const matrix = [
    many('--strategy', config.strategy.length),
    many('--workload', config.workload.length),
    many('--profile', config.profile?.length ?? 1),
    many('--connections', config.connections.length),
    many('--rate', config.rate?.length ?? 1),
    config.repeat > 1 ? `--repeat is ${config.repeat}` : null,
  ].filter((x) => x !== null);
  if (matrix.length)
    return `--server-url drives exactly one cell (the servers run one strategy and workload): ${matrix.join(', ')}`;
  if (urls.length > count)
    return `--server-url given ${urls.length} times for ${count} segment(s): segment k drives server k (round robin), so give at least as many segments as servers, or one URL behind a load balancer`;
  const connections = config.connections[0] ?? 1;
  if (connections < count)
    return `--segment ${config.segment?.index}/${count}: --connections ${connections} cannot give each of ${count} segments a connection`;
  const rate = config.rate?.[0];
  if (rate !== undefined && rate < count)
    return `--segment ${config.segment?.index}/${count}: --rate ${rate} cannot give each of ${count} segments a request/s`;
  return null;
}
