import type { Sql } from '../core/connect.ts';
import type { Dialect, IsolationLevel, StrategyName } from '../core/names.ts';
import type { AttemptOutcome } from '../strategies/outcome.ts';
import type { Session } from '../strategies/pool.ts';
import type { AttemptContext } from '../strategies/strategy.ts';
import type { SeedSizes } from './seed-sizes.ts';

/**
 * One workload as one module: its tables for both dialects, seeding and the fast reset, its
 * operations (routes and request bodies), the way each strategy performs an operation (or why it
 * cannot), its invariants (the post-run check) and the words reports use. Built-in workloads live
 * in workloads/<name>/ and register in workloads/registry.ts; a user's own module implements the
 * same interface and is loaded with `--workload ./file.ts` (workloads/load-module.ts validates it).
 */
export interface WorkloadModule<Op extends WorkloadOp = WorkloadOp> {
  /** Lower-case name, `[a-z][a-z0-9-]*`, at most 32 characters: the `--workload` value and the cell key part. */
  readonly name: string;
  /** One line for `--list` and the report ("... the lost-update case"). */
  readonly description: string;
  /** Profile used when the run names none. Default `hot`. */
  readonly defaultProfile?: string;
  /**
   * Isolation per dialect when the run's is `default` (the server's default otherwise: PostgreSQL
   * READ COMMITTED, MySQL/MariaDB REPEATABLE READ). A strategy that forces its own (serializable)
   * still wins.
   */
  readonly isolation?: Readonly<Partial<Record<Dialect, IsolationLevel>>>;
  /**
   * CREATE statements for the workload's own tables, idempotent (`IF NOT EXISTS`). They run on a
   * connection whose default schema is the harness's (PostgreSQL search_path, MySQL database), so
   * table names are unqualified. The ledger (one row per applied operation) is the harness's.
   */
  readonly tables: Readonly<Record<Dialect, () => readonly string[]>>;
  /**
   * Brings the workload's tables to their freshly seeded state. Called before every cell; make it
   * fast when the tables are already seeded (put back only what a run changes). May say which it
   * did: 'reset' (put back) or 'seeded' (filled again).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: an async reset that returns nothing must fit.
  reset(sql: Sql, sizes: SeedSizes): Promise<void | 'reset' | 'seeded'>;
  /** The HTTP operations, by name. The strategy server registers one route for each. */
  readonly operations: Readonly<Record<string, OperationRoute<Op>>>;
  /** The load: each call to `next()` of the returned source gives the next request to send. */
  requests(ctx: RequestContext): { next(): WorkloadRequest<Op> };
  /**
   * How each strategy performs one operation (one attempt = one transaction; the harness retries
   * `retry` outcomes and classified lock errors). A strategy missing here is not applicable: the
   * plan shows `notApplicable[strategy]` (or a generic reason) before running.
   */
  readonly perform: Readonly<Partial<Record<StrategyName, Attempt<Op>>>>;
  /** Why a strategy has no entry in `perform`, shown in the plan and the report. */
  readonly notApplicable?: Readonly<Partial<Record<StrategyName, string>>>;
  /** What identifies an operation in the ledger (its idempotency key's parameters). */
  identity(op: Op): LedgerIdentity;
  /**
   * The invariants, checked after each cell with nothing else writing. Returns one finding per
   * kind of violation (count 0 when none): they are data, never exceptions.
   */
  check(sql: Sql, ctx: CheckContext): Promise<readonly Finding[]>;
}

/** Every operation carries its kind (the ledger's `kind`) and the client's idempotency key. */
export interface WorkloadOp {
  kind: string;
  /** 1..64 characters of [A-Za-z0-9_-]. */
  opId: string;
}

/** One attempt of one operation, on one checked-out connection. */
export type Attempt<Op> = (s: Session, op: Op, ctx: AttemptContext) => Promise<AttemptOutcome>;

/** A JSON schema object as Fastify takes it (ajv; type coercion is off). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** One POST route and how a valid request becomes an operation. */
export interface OperationRoute<Op> {
  /** Fastify path, `:name` for path parameters, e.g. `/accounts/:id/deposit`. */
  readonly url: string;
  /** JSON schema of the path parameters (strings), when the url has any. */
  readonly params?: JsonSchema;
  /** JSON schema of the body; it must require `opId`. */
  readonly body: JsonSchema;
  /** A validated request -> the operation, or a 400 message for what a schema cannot say. */
  toOp(
    params: Readonly<Record<string, string>>,
    body: Readonly<Record<string, unknown>>,
  ): Op | { invalid: string };
}

/** One request as the load drivers send it. */
export interface WorkloadRequest<Op extends WorkloadOp = WorkloadOp> {
  method: 'GET' | 'POST';
  /** Path with the ids filled in. */
  path: string;
  /** JSON text; undefined for a read. */
  body: string | undefined;
  /** The operation; null for a read (reads change nothing and carry no opId). */
  op: Op | null;
}

/** What a request source gets: its own random streams and key chooser, so the same seed gives the same requests. */
export interface RequestContext {
  /** The sizes the tables were seeded with (the profile's overrides applied). */
  sizes: SeedSizes;
  /** Picks a key in 1..n by the run's profile (hot, zipf, ...); make one per key space. */
  keys(n: number): { next(): number; readonly n: number };
  /** The operation stream: a float in [0, 1). */
  random(): number;
  /** The key stream (the one `keys` draws from): a float in [0, 1). */
  keyRandom(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** A fresh opId for each operation. */
  opId(): string;
  /** The run's operation mix; a workload uses what applies to it. */
  mix: Readonly<OperationMix>;
}

export interface OperationMix {
  /** Share of deposits among account writes (the rest are withdrawals), 0..1. Default 0.5. */
  depositShare: number;
  /** Smallest amount, cents. Default 100. */
  minAmount: number;
  /** Largest amount, cents. Default 10,000. */
  maxAmount: number;
  /** Share of requests that are reads (a workload's GET route), 0..1. Default 0. */
  readShare: number;
}

/** The ledger row's identifying fields (everything but what the operation produced). */
export interface LedgerIdentity {
  opId: string;
  kind: string;
  accountId?: number;
  counterAccountId?: number;
  /** Signed or unsigned, as the workload defines it; 0 when it has no amount. */
  amount: number;
  eventId?: number;
  /** The row the operation is about (a stock item), when that identifies it. */
  itemId?: number;
}

/** What a workload check gets besides the database. */
export interface CheckContext {
  sizes: SeedSizes;
}

/** One kind of violation and how often it happened. */
export interface Finding {
  /** Kebab-case, e.g. `double-completed`; used as the example kind. */
  kind: string;
  count: number;
  /** Cents or another unit the kind defines (lost amount, money drift); optional. */
  amount?: number;
  /** Report words: singular and plural noun phrase ("job completed twice", "jobs completed twice"). */
  words: readonly [string, string];
  /** At most a few concrete cases. */
  examples?: readonly FindingExample[];
}

export interface FindingExample {
  id: string | number;
  expected: string | number | null;
  actual: string | number | null;
  note?: string;
}

/**
 * A workload of any operation type, as the harness holds them side by side (each module's own
 * operation type is known only inside it; the server and the load pass operations through).
 */
// biome-ignore lint/suspicious/noExplicitAny: operation types differ per workload; see above.
export type AnyWorkload = WorkloadModule<any>;
