import type { Workload } from '../../strategies/names.ts';
import type { SeedSizes } from '../databases/schema.ts';
import { createKeyChooser, type KeySpec } from './keys.ts';
import { opIdGenerator } from './op-id.ts';
import { Random } from './random.ts';

/** One business operation as sent; the correctness checks match these against the ledger. */
export type LoadOp =
  | { kind: 'deposit'; opId: string; account: number /** Cents, > 0. */; amount: number }
  | { kind: 'withdraw'; opId: string; account: number /** Cents, > 0. */; amount: number }
  | { kind: 'transfer'; opId: string; from: number; to: number /** Cents, > 0. */; amount: number }
  | { kind: 'reserve'; opId: string; event: number };

/** One HTTP request, ready to send (servers/protocol.ts). */
export interface LoadRequest {
  method: 'GET' | 'POST';
  /** Path with the ids filled in, e.g. `/accounts/17/deposit`. */
  path: string;
  /** JSON text; undefined for a read. */
  body: string | undefined;
  /** The operation; null for a read (reads change nothing and carry no opId). */
  op: LoadOp | null;
}

/** What the drivers pull requests from. */
export interface RequestSource {
  next(): LoadRequest;
}

export interface OperationMix {
  /** account: share of deposits among writes (the rest are withdrawals), 0..1. Default 0.5. */
  depositShare: number;
  /** Smallest amount, cents. Default 100. */
  minAmount: number;
  /** Largest amount, cents. Default 10,000. */
  maxAmount: number;
  /** Share of requests that are reads (GET /accounts/:id, GET /events/:id), 0..1. Default 0. */
  readShare: number;
}

export const DEFAULT_MIX: OperationMix = {
  depositShare: 0.5,
  minAmount: 100,
  maxAmount: 10_000,
  readShare: 0,
};

export interface RequestBuilderOptions {
  workload: Workload;
  /** From the resolved profile. */
  keys: KeySpec;
  /** The user seed; key choice and the operation mix draw from separate streams of it. */
  seed: number;
  /** accounts: the key space of account and transfer; events: the key space of tickets. */
  sizes: Pick<SeedSizes, 'accounts' | 'events'>;
  mix?: Partial<OperationMix>;
  /** See opIdGenerator; give each host or process its own. Default: random. */
  opIdPrefix?: string;
}

/**
 * Builds the request sequence of a workload. The same seed gives the same sequence of methods,
 * paths, amounts and keys (opIds too, when the prefix is given). Bodies are built by string
 * concatenation: all values are integers or opIds of a JSON-safe alphabet.
 */
export function createRequestBuilder(o: RequestBuilderOptions): RequestSource {
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
  const nextOpId = opIdGenerator(o.opIdPrefix);
  const amount = () => opRng.int(mix.minAmount, mix.maxAmount);
  const readShare = mix.readShare;

  switch (o.workload) {
    case 'account': {
      const keys = createKeyChooser(o.keys, o.sizes.accounts, keyRng);
      return {
        next() {
          const account = keys.next();
          if (readShare > 0 && opRng.float() < readShare) return read(`/accounts/${account}`);
          const opId = nextOpId();
          const value = amount();
          const kind = opRng.float() < mix.depositShare ? 'deposit' : 'withdraw';
          return {
            method: 'POST',
            path: `/accounts/${account}/${kind}`,
            body: `{"amount":${value},"opId":"${opId}"}`,
            op: { kind, opId, account, amount: value },
          };
        },
      };
    }
    case 'transfer': {
      const keys = createKeyChooser(o.keys, o.sizes.accounts, keyRng);
      if (keys.n < 2) throw new RangeError('transfer needs at least 2 accounts');
      return {
        next() {
          let from = keys.next();
          if (readShare > 0 && opRng.float() < readShare) return read(`/accounts/${from}`);
          let to = from;
          for (let i = 0; i < 8 && to === from; i++) to = keys.next();
          if (to === from) {
            // A chooser that keeps returning one row (the hot profile): pair it with its
            // neighbour in a random order, so hot transfers still lock two rows in both orders.
            to = from === keys.n ? 1 : from + 1;
            if (keyRng.float() < 0.5) [from, to] = [to, from];
          }
          const opId = nextOpId();
          const value = amount();
          return {
            method: 'POST',
            path: '/transfers',
            body: `{"from":${from},"to":${to},"amount":${value},"opId":"${opId}"}`,
            op: { kind: 'transfer', opId, from, to, amount: value },
          };
        },
      };
    }
    case 'tickets': {
      const keys = createKeyChooser(o.keys, o.sizes.events, keyRng);
      return {
        next() {
          const event = keys.next();
          if (readShare > 0 && opRng.float() < readShare) return read(`/events/${event}`);
          const opId = nextOpId();
          return {
            method: 'POST',
            path: `/events/${event}/reservations`,
            body: `{"opId":"${opId}"}`,
            op: { kind: 'reserve', opId, event },
          };
        },
      };
    }
  }
}

function read(path: string): LoadRequest {
  return { method: 'GET', path, body: undefined, op: null };
}
