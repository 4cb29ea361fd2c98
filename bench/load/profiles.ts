import { z } from 'zod';
import { LockbenchError } from '../../core/errors.ts';
import type { Workload } from '../../core/names.ts';
import type { SeedSizes } from '../../workloads/schema.ts';
import type { KeySpec } from './keys.ts';

/**
 * Contention profiles: how keys are chosen and how load varies over a run. Each has a name, a
 * description and settable parameters with defaults (`PROFILES`, shown by `--list`);
 * `resolveProfile` validates user parameters once and returns plain data.
 */

/** A part of the measured run at a constant load level. */
export interface LoadStage {
  /** Seconds. */
  durationSec: number;
  /** Multiplier of the base load: connections (closed model) or rate (open model). */
  scale: number;
  label: 'steady' | 'before' | 'spike' | 'after';
}

export interface ResolvedProfile {
  name: ProfileName;
  /** The resolved parameters, defaults filled in; recorded with the result. */
  params: Record<string, number | string>;
  keys: KeySpec;
  /** A burst of load in the middle of the run; null for a steady load. */
  spike: {
    /** Seconds after the measured part begins; null centres the spike. */
    atSec: number | null;
    /** Seconds. */
    forSec: number;
    /** Load multiplier during the spike. */
    factor: number;
  } | null;
  /** Seed sizes the profile needs (merged over the run's sizes by the orchestrator). */
  seed: Partial<SeedSizes>;
  /** Workloads the profile makes sense for. */
  workloads: readonly Workload[];
}

/** A profile that only chooses keys fits every workload, built-in or loaded from a file. */
const ALL_WORKLOADS: readonly Workload[] = Object.freeze(['account', 'transfer', 'tickets', 'queue']);
const num = (def: number) => z.coerce.number().default(def);
const keyKind = z.enum(['hot', 'hot-set', 'zipf', 'uniform']);

const hotSetParams = {
  size: num(8).pipe(z.number().int().positive()),
  share: num(0.9).pipe(z.number().min(0).max(1)),
};
const zipfParams = { theta: num(0.99).pipe(z.number().min(0).lt(1)) };

interface ProfileDef<S extends z.ZodObject> {
  description: string;
  /** Parameter -> what it means (units, range). */
  params: Record<keyof z.infer<S> & string, string>;
  schema: S;
  workloads: readonly Workload[];
  resolve(p: z.infer<S>): Omit<ResolvedProfile, 'name' | 'params' | 'workloads'>;
}

function def<S extends z.ZodObject>(d: ProfileDef<S>): ProfileDef<S> {
  return d;
}

function keySpec(kind: z.infer<typeof keyKind>, p: { size: number; share: number; theta: number }): KeySpec {
  if (kind === 'hot-set') return { kind, size: p.size, share: p.share };
  if (kind === 'zipf') return { kind, theta: p.theta };
  return { kind };
}

const DEFINITIONS = {
  hot: def({
    description: 'every request on row 1 (event 1): one row lock, all requests queue on it',
    params: {},
    schema: z.strictObject({}),
    workloads: ALL_WORKLOADS,
    resolve: () => ({ keys: { kind: 'hot' }, spike: null, seed: {} }),
  }),
  'hot-set': def({
    description: 'a few hot rows take most requests, the rest are spread over the other rows',
    params: { size: 'number of hot rows, ids 1..size', share: 'share of requests on the hot rows, 0..1' },
    schema: z.strictObject(hotSetParams),
    workloads: ALL_WORKLOADS,
    resolve: (p) => ({ keys: { kind: 'hot-set', size: p.size, share: p.share }, spike: null, seed: {} }),
  }),
  zipf: def({
    description: "scrambled Zipfian over all rows (YCSB's request distribution): a long tail of cold rows",
    params: { theta: 'skew in [0, 1); 0 is uniform' },
    schema: z.strictObject(zipfParams),
    workloads: ALL_WORKLOADS,
    resolve: (p) => ({ keys: { kind: 'zipf', theta: p.theta }, spike: null, seed: {} }),
  }),
  uniform: def({
    description: 'every row equally likely: the least contention for the table size',
    params: {},
    schema: z.strictObject({}),
    workloads: ALL_WORKLOADS,
    resolve: () => ({ keys: { kind: 'uniform' }, spike: null, seed: {} }),
  }),
  spike: def({
    description:
      'low load, then factor x the load for a few seconds, then low again (closed model: connections, open model: rate)',
    params: {
      factor: 'load multiplier during the spike',
      forSec: 'spike length, seconds',
      atSec: 'spike start, seconds after the measured part begins; -1 centres it',
      keys: 'key chooser: hot, hot-set, zipf or uniform',
      size: 'hot-set: number of hot rows',
      share: 'hot-set: share of requests on the hot rows',
      theta: 'zipf: skew',
    },
    schema: z.strictObject({
      factor: num(10).pipe(z.number().min(1)),
      forSec: num(3).pipe(z.number().positive()),
      atSec: num(-1).pipe(z.number().min(-1)),
      keys: keyKind.default('hot-set'),
      ...hotSetParams,
      ...zipfParams,
    }),
    workloads: ALL_WORKLOADS,
    resolve: (p) => ({
      keys: keySpec(p.keys, p),
      spike: { atSec: p.atSec < 0 ? null : p.atSec, forSec: p.forSec, factor: p.factor },
      seed: {},
    }),
  }),
  sellout: def({
    description:
      'tickets: one event with a few hundred seats and many more buyers; it sells out during the run',
    params: { seats: 'seats of the event', events: 'number of events; buyers pick one uniformly' },
    schema: z.strictObject({
      seats: num(300).pipe(z.number().int().positive()),
      events: num(1).pipe(z.number().int().positive()),
    }),
    workloads: ['tickets'],
    resolve: (p) => ({
      keys: p.events === 1 ? { kind: 'hot' } : { kind: 'uniform' },
      spike: null,
      seed: { events: p.events, seatsPerEvent: p.seats },
    }),
  }),
};

export type ProfileName = keyof typeof DEFINITIONS;
export const PROFILE_NAMES = Object.keys(DEFINITIONS) as ProfileName[];

export interface ProfileInfo {
  description: string;
  /** Parameter -> default value. */
  defaults: Record<string, number | string>;
  /** Parameter -> meaning. */
  params: Record<string, string>;
  workloads: readonly Workload[];
}

/** The catalogue for `--list`: name -> description, parameters and defaults. */
export const PROFILES: Record<ProfileName, ProfileInfo> = Object.fromEntries(
  PROFILE_NAMES.map((name) => {
    const d = DEFINITIONS[name];
    return [
      name,
      {
        description: d.description,
        defaults: d.schema.parse({}) as Record<string, number | string>,
        params: d.params as Record<string, string>,
        workloads: d.workloads,
      },
    ];
  }),
) as Record<ProfileName, ProfileInfo>;

/**
 * Validates a profile name and its parameters (numbers may come as strings from a command line).
 * Unknown names, unknown parameters, bad values and a workload the profile does not fit are
 * LOCKBENCH_USAGE errors.
 */
export function resolveProfile(
  name: string,
  params: Record<string, string | number> = {},
  workload?: Workload,
): ResolvedProfile {
  if (!Object.hasOwn(DEFINITIONS, name)) {
    throw new LockbenchError(
      'LOCKBENCH_USAGE',
      `unknown profile ${JSON.stringify(name)}; known: ${PROFILE_NAMES.join(', ')}`,
    );
  }
  const profileName = name as ProfileName;
  const d = DEFINITIONS[profileName] as ProfileDef<z.ZodObject>;
  if (workload && d.workloads !== ALL_WORKLOADS && !d.workloads.includes(workload)) {
    throw new LockbenchError(
      'LOCKBENCH_USAGE',
      `profile ${name} does not apply to workload ${workload} (only ${d.workloads.join(', ')})`,
    );
  }
  const parsed = d.schema.safeParse(params);
  if (!parsed.success) {
    throw new LockbenchError('LOCKBENCH_USAGE', `profile ${name}: ${z.prettifyError(parsed.error)}`);
  }
  const values = parsed.data as Record<string, number | string>;
  return { name: profileName, params: values, workloads: d.workloads, ...d.resolve(values) };
}

/**
 * Splits the measured run into stages of constant load. A steady profile is one stage; a spike
 * is before / spike / after (a stage of zero length is left out).
 */
export function stagesFor(profile: Pick<ResolvedProfile, 'spike'>, durationSec: number): LoadStage[] {
  if (!(durationSec > 0)) throw new RangeError(`duration must be positive, got ${durationSec}`);
  const s = profile.spike;
  if (!s) return [{ durationSec, scale: 1, label: 'steady' }];
  const forSec = Math.min(s.forSec, durationSec);
  const atSec = Math.min(s.atSec ?? (durationSec - forSec) / 2, durationSec - forSec);
  const stages: LoadStage[] = [
    { durationSec: atSec, scale: 1, label: 'before' },
    { durationSec: forSec, scale: s.factor, label: 'spike' },
    { durationSec: durationSec - atSec - forSec, scale: 1, label: 'after' },
  ];
  return stages.filter((st) => st.durationSec > 0);
}
