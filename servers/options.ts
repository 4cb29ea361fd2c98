import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_SCHEMA, dialectOfUrl } from '../core/connect.ts';
import { LockbenchError } from '../core/errors.ts';
import { STRATEGY_NAMES } from '../core/names.ts';
import { EXECUTOR_DEFAULTS, ExecutorSettingsSchema } from '../strategies/settings.ts';
import { hasWorkload, workloadNames } from '../workloads/catalog.ts';

/**
 * Everything one server process runs with: a strategy, a workload, a database and the executor
 * settings (strategies/settings.ts, with their defaults). Parsed once at the edge, frozen. The
 * host is 127.0.0.1 unless `--host` says otherwise: the harness itself only ever serves loopback.
 */
export const ServerOptionsSchema = ExecutorSettingsSchema.extend({
  strategy: z.enum(STRATEGY_NAMES),
  /** A built-in workload, or the name of one loaded with --workload-module. */
  workload: z.string().refine(hasWorkload, {
    error: (issue) => `unknown workload ${JSON.stringify(issue.input)}; known: ${workloadNames().join(', ')}`,
  }),
  /** Workload modules to load at start (absolute paths), so `workload` may name them. */
  workloadModule: z.array(z.string().min(1)).default([]),
  /** From LOCKBENCH_DB_URL only, so credentials never show in `ps`. Never logged. */
  dbUrl: z.string().refine((v) => dialectOfUrl(v) !== null, {
    error: 'expected a URL starting with postgres:// or mysql:// (or mariadb://)',
  }),
  /** The PostgreSQL schema or MySQL database holding the seeded tables. Default `lockbench`. */
  schema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, {
      error: 'expected a lower-case identifier ([a-z_][a-z0-9_]*, at most 63)',
    })
    .default(DEFAULT_SCHEMA),
  /** node:cluster worker processes sharing the port. Default 1. */
  workers: z.int().min(1).max(64).default(1),
  /** TCP port; 0 picks a free one (reported in the ready line). Default 0. */
  port: z.int().min(0).max(65535).default(0),
  /**
   * Address to listen on. Default 127.0.0.1: the bench command and the tests serve loopback only;
   * a fleet behind a load balancer (a Kubernetes pod) listens on 0.0.0.0.
   */
  host: z
    .union([z.ipv4(), z.ipv6()], { error: 'expected an IP address such as 127.0.0.1 or 0.0.0.0' })
    .default('127.0.0.1'),
  /**
   * On SIGTERM, milliseconds to keep serving with GET /readyz answering 503 before the listener
   * closes, so a load balancer stops routing here first; then in-flight requests finish, the
   * pools close and the process exits 0. Default 0.
   */
  drainMs: z.int().min(0).max(600_000).default(0),
});

export type ServerOptions = z.infer<typeof ServerOptionsSchema>;
export type ServerOptionsInput = z.input<typeof ServerOptionsSchema>;

export const DB_URL_ENV = 'LOCKBENCH_DB_URL';

type FlagKey = Exclude<keyof ServerOptions, 'dbUrl'>;

/** An option's flag: its name in kebab case (`maxAttempts` -> `--max-attempts`). */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** An option's value type, under its default: what a flag's text is read as. */
function valueKind(schema: z.ZodType): 'number' | 'list' | 'text' {
  let t: z.ZodType = schema;
  while (t.def.type === 'default' || t.def.type === 'optional') t = (t as z.ZodDefault).unwrap() as z.ZodType;
  return t.def.type === 'number' ? 'number' : t.def.type === 'array' ? 'list' : 'text';
}

/**
 * The command-line flag of each option, derived from the schema (the URL has none:
 * LOCKBENCH_DB_URL), so the schema is the one list of what the server takes; the bench builds the
 * server's arguments from these too (serverArgs).
 */
export const SERVER_FLAGS = Object.fromEntries(
  Object.keys(ServerOptionsSchema.shape)
    .filter((k) => k !== 'dbUrl')
    .map((k) => [k, flagOf(k)]),
) as Record<FlagKey, string>;

const KINDS = Object.fromEntries(
  Object.entries(ServerOptionsSchema.shape).map(([k, v]) => [k, valueKind(v as z.ZodType)]),
) as Record<keyof ServerOptions, 'number' | 'list' | 'text'>;

/** Server options -> command-line arguments (lists repeat their flag); the inverse of parseServerArgs. */
export function toServerFlags(options: Partial<Omit<ServerOptionsInput, 'dbUrl'>>): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const flag = SERVER_FLAGS[key as FlagKey];
    if (flag === undefined) throw new Error(`no server option ${key}`);
    for (const v of Array.isArray(value) ? value : [value]) args.push(flag, String(v));
  }
  return args;
}

function nameOf(path: PropertyKey[]): string {
  const key = String(path[0] ?? '');
  if (key === 'dbUrl') return DB_URL_ENV;
  return (SERVER_FLAGS as Record<string, string>)[key] ?? key;
}

/** Parses, validates and freezes; throws LOCKBENCH_USAGE naming the flag (or env var) at fault. */
export function parseServerOptions(input: Record<string, unknown>): Readonly<ServerOptions> {
  const r = ServerOptionsSchema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${nameOf(i.path)}: ${i.message}`);
    throw new LockbenchError('LOCKBENCH_USAGE', lines.join('; '));
  }
  return Object.freeze(r.data);
}

export type ServerCommand = { kind: 'help' } | { kind: 'run'; options: Readonly<ServerOptions> };

/** `servers/main.ts` arguments and environment -> options. Precedence: flags, then env, then defaults. */
export function parseServerArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ServerCommand {
  const flagOptions = Object.fromEntries(
    Object.entries(SERVER_FLAGS).map(([key, f]) => [
      f.slice(2),
      KINDS[key as FlagKey] === 'list'
        ? { type: 'string' as const, multiple: true as const }
        : { type: 'string' as const },
    ]),
  );
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...flagOptions, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new LockbenchError('LOCKBENCH_USAGE', `${(e as Error).message}. Run with --help for the options.`);
  }
  if (values.help) return { kind: 'help' };
  const input: Record<string, unknown> = {};
  for (const [key, flag] of Object.entries(SERVER_FLAGS)) {
    const v = values[flag.slice(2)];
    if (Array.isArray(v)) input[key] = v;
    if (typeof v !== 'string') continue;
    // A flag is text; numbers are read strictly so "12abc" is an error, not 12.
    input[key] = KINDS[key as FlagKey] === 'number' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
  }
  const url = env[DB_URL_ENV];
  if (url === undefined || url === '') {
    throw new LockbenchError(
      'LOCKBENCH_USAGE',
      `${DB_URL_ENV} is not set: the database URL comes from the environment`,
    );
  }
  input.dbUrl = url;
  return { kind: 'run', options: parseServerOptions(input) };
}

/** --help text. */
export function serverUsage(): string {
  const D = EXECUTOR_DEFAULTS;
  return [
    'Usage: LOCKBENCH_DB_URL=<postgres://...|mysql://...> tsx servers/main.ts --strategy <name> --workload <name> [options]',
    '',
    `  --strategy <name>          ${STRATEGY_NAMES.join(', ')}`,
    `  --workload <name>          ${workloadNames().join(', ')}, or a loaded module's name`,
    '  --workload-module <path>   load a workload module from a file first (repeatable)',
    `  --schema <name>            schema (PostgreSQL) or database (MySQL) with the seeded tables (default ${DEFAULT_SCHEMA})`,
    `  --isolation <level>        default, read-committed, repeatable-read, serializable (default: ${D.isolation})`,
    `  --pool <n>                 connections per worker (default ${D.pool})`,
    `  --lock-timeout <ms>        row-lock wait limit (default ${D.lockTimeout}; MySQL rounds up to whole seconds)`,
    `  --max-attempts <n>         attempts per operation, first included (default ${D.maxAttempts})`,
    `  --backoff-base-ms <ms>     full-jitter backoff, first window (default ${D.backoffBaseMs})`,
    `  --backoff-cap-ms <ms>      full-jitter backoff, largest window (default ${D.backoffCapMs})`,
    `  --work-ms <ms>             simulated work between read and write (default ${D.workMs})`,
    `  --lock-order <id|request>  transfer lock order (default ${D.lockOrder})`,
    '  --workers <n>              node:cluster workers sharing the port (default 1)',
    '  --port <n>                 port, 0 = a free one (default 0)',
    '  --host <ip>                address to listen on (default 127.0.0.1; 0.0.0.0 in a pod behind a Service)',
    '  --drain-ms <ms>            on SIGTERM, serve this long with /readyz at 503 before closing (default 0)',
    '',
    'Prints one line {"ready":true,"port":N,"pid":P,"workers":W} on stdout when every worker listens.',
    'GET /livez: 200 while the process runs. GET /readyz: 200 when the database answers, 503 while',
    'it does not or while draining. SIGTERM drains: /readyz 503 for --drain-ms, the listener closes,',
    'in-flight requests finish, the pools close, exit 0.',
    'Exit codes: 0 stopped by SIGTERM/SIGINT, 1 failure (database unreachable or not seeded, listen',
    'failed, a worker died), 2 invalid options, 3 strategy not supported on this database.',
  ].join('\n');
}
