import type { BenchConfig, BenchConfigInput, DbId } from '../config.ts';

/**
 * What an A/B run varies: exactly one thing, spelled `--ab <axis>=<a>,<b>` (A first).
 * - `base=<git ref>`: A is the strategy server of that revision, B the working tree's.
 * - `db=<a>,<b>`: two database targets, each `postgres`, `mysql` (throwaway, or the --pg-url /
 *   --mysql-url given) or a URL.
 * - `<setting>=<a>,<b>`: one server or database setting, spelled as its flag without dashes.
 */
export type AbSpec =
  | { axis: 'revision'; ref: string }
  | { axis: 'database'; values: [string, string] }
  | { axis: 'setting'; key: AbSettingKey; flag: string; values: [string, string] };

/** Settings an A/B run may vary, by their flag name (without dashes). */
export const AB_SETTINGS = {
  pool: 'pool',
  workers: 'workers',
  isolation: 'isolation',
  durability: 'durability',
  'work-ms': 'workMs',
  'max-attempts': 'maxAttempts',
  'lock-timeout': 'lockTimeout',
  'lock-order': 'lockOrder',
} as const satisfies Record<string, keyof BenchConfig>;
export type AbSettingKey = (typeof AB_SETTINGS)[keyof typeof AB_SETTINGS];

export const AB_SPELLINGS = `base=<git ref>, db=<a>,<b>, or <setting>=<a>,<b> with setting one of ${Object.keys(AB_SETTINGS).join(', ')}`;

/** Parses `--ab`; a string error names what is wrong. */
export function parseAbSpec(text: string): AbSpec | string {
  const m = /^([a-z-]+)=(.+)$/.exec(text.trim());
  if (!m) return `--ab: expected ${AB_SPELLINGS}; got ${JSON.stringify(text)}`;
  const [, axis, rest] = m as unknown as [string, string, string];
  if (axis === 'base') {
    if (!/^[\w./@^~{}-]+$/.test(rest) || rest.startsWith('-'))
      return `--ab base: not a git ref: ${JSON.stringify(rest)}`;
    return { axis: 'revision', ref: rest };
  }
  const values = rest.split(',').map((v) => v.trim());
  if (values.length !== 2 || values.some((v) => v === '')) {
    return `--ab ${axis}: expected two values, A then B (${axis}=<a>,<b>); got ${JSON.stringify(rest)}`;
  }
  const pair = values as [string, string];
  if (axis === 'db') {
    for (const v of pair) {
      if (!['postgres', 'mysql'].includes(v) && !/^(postgres(ql)?|mysql|mariadb):\/\//i.test(v)) {
        return `--ab db: expected postgres, mysql or a URL; got ${JSON.stringify(v)}`;
      }
    }
    return { axis: 'database', values: pair };
  }
  const key = AB_SETTINGS[axis as keyof typeof AB_SETTINGS];
  if (!key) return `--ab: unknown ${JSON.stringify(axis)}; expected ${AB_SPELLINGS}`;
  return { axis: 'setting', key, flag: `--${axis}`, values: pair };
}

/** The options one side overrides, in the config schema's input form (validated by the caller). */
export function sideOverrides(spec: AbSpec, side: 0 | 1): Partial<BenchConfigInput> {
  if (spec.axis === 'revision') return {};
  const value = spec.values[side];
  if (spec.axis === 'setting') return { [spec.key]: value } as Partial<BenchConfigInput>;
  if (value === 'postgres' || value === 'mysql') return { db: [value as DbId] };
  const db: DbId = /^postgres/i.test(value) ? 'postgres' : 'mysql';
  return db === 'postgres' ? { db: [db], pgUrl: value } : { db: [db], mysqlUrl: value };
}

/** `pool=16` for one side, `base origin/main`, `db postgres`: what a side is, in a few words. */
export function sideLabel(spec: AbSpec, side: 0 | 1, redact: (url: string) => string): string {
  if (spec.axis === 'revision') return side === 0 ? `base ${spec.ref}` : 'working tree';
  const v = spec.values[side];
  if (spec.axis === 'setting') return `${spec.flag.slice(2)}=${v}`;
  return v.includes('://') ? redact(v) : v;
}
