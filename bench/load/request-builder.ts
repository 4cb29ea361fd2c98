import { getWorkload } from '../../workloads/catalog.ts';
import { DEFAULT_SEED, type SeedSizes } from '../../workloads/schema.ts';
import type { OperationMix, RequestContext, WorkloadOp, WorkloadRequest } from '../../workloads/workload.ts';
import { createKeyChooser, type KeySpec } from './keys.ts';
import { opIdGenerator } from './op-id.ts';
import { Random } from './random.ts';

export type { OperationMix } from '../../workloads/workload.ts';

/** One business operation as sent (the workload's own shape); the correctness checks match opIds against the ledger. */
export type LoadOp = WorkloadOp & Readonly<Record<string, unknown>>;

/** One HTTP request, ready to send (the workload's routes). */
export type LoadRequest = WorkloadRequest<LoadOp>;

/** What the drivers pull requests from. */
export interface RequestSource {
  next(): LoadRequest;
}

export const DEFAULT_MIX: OperationMix = {
  depositShare: 0.5,
  minAmount: 100,
  maxAmount: 10_000,
  readShare: 0,
};

export interface RequestBuilderOptions {
  /** A known workload's name (workloads/catalog.ts). */
  workload: string;
  /** From the resolved profile. */
  keys: KeySpec;
  /** The user seed; key choice and the operation mix draw from separate streams of it. */
  seed: number;
  /** The sizes the tables were seeded with; missing ones are the defaults. */
  sizes: Partial<SeedSizes>;
  mix?: Partial<OperationMix>;
  /** See opIdGenerator; give each host or process its own. Default: random. */
  opIdPrefix?: string;
}

/**
 * What a workload's request source draws from: key choice and the operation mix on separate
 * streams of the user seed, so the same seed gives the same sequence of methods, paths, amounts
 * and keys (opIds too, when the prefix is given).
 */
export function requestContext(o: Omit<RequestBuilderOptions, 'workload'>): RequestContext {
  const mix = { ...DEFAULT_MIX, ...o.mix };
  if (!(mix.depositShare >= 0 && mix.depositShare <= 1))
    throw new RangeError('depositShare must be in [0, 1]');
  if (!(mix.readShare >= 0 && mix.readShare <= 1)) throw new RangeError('readShare must be in [0, 1]');
  if (!Number.isInteger(mix.minAmount) || !Number.isInteger(mix.maxAmount) || mix.minAmount < 1) {
    throw new RangeError('amounts must be positive integers (cents)');
  }
  if (mix.maxAmount < mix.minAmount || mix.maxAmount > 1e9)
    throw new RangeError('need minAmount <= maxAmount <= 1e9');
  const keyRng = new Random(o.seed, 'keys');
  const opRng = new Random(o.seed, 'ops');
  return {
    sizes: { ...DEFAULT_SEED, ...o.sizes },
    keys: (n) => createKeyChooser(o.keys, n, keyRng),
    random: () => opRng.float(),
    keyRandom: () => keyRng.float(),
    int: (min, max) => opRng.int(min, max),
    opId: opIdGenerator(o.opIdPrefix),
    mix: Object.freeze(mix),
  };
}

/** Builds the request sequence of a workload: the workload's own `requests`, fed its context. */
export function createRequestBuilder(o: RequestBuilderOptions): RequestSource {
  return getWorkload(o.workload).requests(requestContext(o));
}
