import type { ConnectionSpec } from '../core/connect.ts';
import type { IsolationLevel, StrategyName } from '../core/names.ts';
import { classify, type ErrorClass, isRetryable } from './classify.ts';
import { findApplied, type OperationIdentity } from './ledger.ts';
import { type AccountView, type EventView, readAccount, readEvent } from './lookups.ts';
import type { AttemptOutcome, ConflictReason, OperationResult, Outcome } from './outcome.ts';
import { type DbPool, openPool, type Session } from './pool.ts';
import { getStrategy } from './registry.ts';
import { retry, type Step } from './retry.ts';
import { type ExecutorSettings, type ExecutorSettingsInput, parseExecutorSettings } from './settings.ts';
import type { AttemptContext, Strategy } from './strategy.ts';
import { beginStatement } from './transaction.ts';

export interface ExecutorOptions {
  /** Where to connect; the executor opens its own pool (settings.pool connections). */
  spec: ConnectionSpec;
  /** A registered strategy by name, or a Strategy object (a deliberately broken one, in tests). */
  strategy: StrategyName | Strategy;
  /** Parsed with ExecutorSettingsSchema; missing fields take their defaults. */
  settings?: ExecutorSettingsInput | Readonly<ExecutorSettings>;
}

/** Runs one strategy's operations in-process, with retries and idempotent opIds, without HTTP. */
export interface Executor {
  readonly strategy: Strategy;
  readonly settings: Readonly<ExecutorSettings>;
  /** The isolation transactions really run at (the serializable strategy forces its own). */
  readonly isolation: IsolationLevel;
  /**
   * Runs one operation of a workload with this strategy: `attempt` is the workload's way for this
   * strategy (workloads/<name>/), `identity` what the ledger keys the opId's parameters by.
   */
  perform<Op extends { opId: string }>(
    attempt: OperationAttempt<Op>,
    op: Op,
    identity: OperationIdentity,
  ): Promise<OperationResult>;
  readAccount(id: number): Promise<AccountView | null>;
  readEvent(id: number): Promise<EventView | null>;
  /** True when a trivial query succeeds. */
  ping(): Promise<boolean>;
  /**
   * Opens every pool connection now (each runs a trivial query; MySQL also its session
   * settings), so that connecting is not part of the first operations' latency. Never throws:
   * what fails to open is opened on demand later.
   */
  connectAll(): Promise<void>;
  /** Ends the pool. */
  close(): Promise<void>;
}

/**
 * A driver error the executor has no answer for: a bug (bad SQL, a missing table) or broken
 * infrastructure that is not a lost connection. Carries what the operation cost so far, so the
 * server's counters stay exact.
 */
export class OperationFailed extends Error {
  readonly attempts: number;
  readonly conflicts: ConflictReason[];
  readonly errorClass: ErrorClass;
  constructor(
    message: string,
    opts: { cause: unknown; attempts: number; conflicts: ConflictReason[]; errorClass: ErrorClass },
  ) {
    super(message, { cause: opts.cause });
    this.name = 'OperationFailed';
    this.attempts = opts.attempts;
    this.conflicts = opts.conflicts;
    this.errorClass = opts.errorClass;
  }
}

const selectOne = (s: Session) => s.query('SELECT 1');

const UNAVAILABLE: Outcome = Object.freeze({ kind: 'error', reason: 'database_unavailable' });

/** What every attempt of one executor shares. */
interface SharedContext {
  readonly dialect: AttemptContext['dialect'];
  readonly settings: Readonly<ExecutorSettings>;
  readonly schema: string;
  readonly begin: string;
}

/** One attempt of one operation on one checked-out connection (a workload's, for one strategy). */
export type OperationAttempt<Op> = (s: Session, op: Op, ctx: AttemptContext) => Promise<AttemptOutcome>;

/**
 * One operation in flight: the AttemptContext its attempts see, and what it has cost so far. One
 * object per operation, with no closures, because it is made for every request.
 */
class Operation<Op> implements AttemptContext {
  readonly dialect: AttemptContext['dialect'];
  readonly settings: Readonly<ExecutorSettings>;
  readonly schema: string;
  readonly begin: string;
  rechecks = 0;
  /** One entry per attempt that ended in a retryable conflict. */
  readonly conflicts: ConflictReason[] = [];
  failedWith: ErrorClass | undefined = undefined;
  constructor(
    shared: SharedContext,
    readonly attempt: OperationAttempt<Op>,
    readonly op: Op,
  ) {
    this.dialect = shared.dialect;
    this.settings = shared.settings;
    this.schema = shared.schema;
    this.begin = shared.begin;
  }
  recheck(): void {
    this.rechecks++;
  }
}

/** Made once: the hot path hands these to the pool instead of a closure per attempt. */
const attemptOn = <Op>(s: Session, o: Operation<Op>) => o.attempt(s, o.op, o);

export function createExecutor(options: ExecutorOptions): Executor {
  const strategy = typeof options.strategy === 'string' ? getStrategy(options.strategy) : options.strategy;
  const settings =
    options.settings !== undefined && Object.isFrozen(options.settings)
      ? (options.settings as Readonly<ExecutorSettings>)
      : parseExecutorSettings(options.settings as ExecutorSettingsInput | undefined);
  const dialect = options.spec.dialect;
  const isolation = strategy.isolation ?? settings.isolation;
  const pool: DbPool = openPool(options.spec, {
    size: settings.pool,
    lockTimeout: settings.lockTimeout,
    isolation,
  });
  const shared: SharedContext = Object.freeze({
    dialect,
    settings,
    schema: options.spec.schema,
    begin: beginStatement(dialect, isolation),
  });
  const policy = {
    maxAttempts: settings.maxAttempts,
    baseMs: settings.backoffBaseMs,
    capMs: settings.backoffCapMs,
  };
  const hint = { nowait: strategy.noWait };

  async function storedOutcome(identity: OperationIdentity): Promise<Outcome | null> {
    try {
      return await pool.use(findApplied, identity);
    } catch {
      // The refusal or conflict already decided stands; the lookup was a courtesy.
      return null;
    }
  }

  async function perform<Op extends { opId: string }>(
    attempt: OperationAttempt<Op>,
    op: Op,
    identity: OperationIdentity,
  ): Promise<OperationResult> {
    const o = new Operation(shared, attempt, op);
    const { opId } = op;
    const conflicts = o.conflicts;
    const result = await retry<Outcome, ConflictReason>(async (n): Promise<Step<Outcome, ConflictReason>> => {
      let out: AttemptOutcome;
      try {
        out = await pool.use(attemptOn, o);
      } catch (e) {
        const cls = classify(e, hint);
        if (isRetryable(cls)) {
          conflicts.push(cls);
          return { done: false, reason: cls };
        }
        if (cls === 'duplicate') {
          // The ledger insert met the opId's earlier (committed) row: this attempt rolled back.
          const stored = await storedOutcome(identity);
          if (stored) return { done: true, value: stored };
        }
        if (cls === 'connection') {
          o.failedWith = cls;
          return { done: true, value: UNAVAILABLE };
        }
        throw new OperationFailed(`operation ${opId} failed: ${(e as Error)?.message ?? String(e)}`, {
          cause: e,
          attempts: n,
          conflicts,
          errorClass: cls,
        });
      }
      if (out.kind === 'retry') {
        conflicts.push(out.reason);
        return { done: false, reason: out.reason };
      }
      return { done: true, value: out };
    }, policy);

    let outcome: Outcome =
      result.kind === 'done' ? result.value : { kind: 'conflict', reason: result.reason };
    if (outcome.kind === 'rejected' || outcome.kind === 'conflict') {
      // A repeated opId whose first application changed the state (spent the money, took the
      // last seat) must get the first outcome back, not a refusal.
      outcome = (await storedOutcome(identity)) ?? outcome;
    }
    const r: OperationResult = { outcome, attempts: result.attempts, conflicts, rechecks: o.rechecks };
    if (o.failedWith) r.failedWith = o.failedWith;
    return r;
  }

  return {
    strategy,
    settings,
    isolation,
    perform,
    readAccount: (id) => pool.use(readAccount, id),
    readEvent: (id) => pool.use(readEvent, id),
    async ping() {
      try {
        await pool.use(selectOne);
        return true;
      } catch {
        return false;
      }
    },
    async connectAll() {
      // All checkouts start before any returns, so the pool opens `pool` distinct connections.
      await Promise.allSettled(Array.from({ length: settings.pool }, () => pool.use(selectOne)));
    },
    close: () => pool.end(),
  };
}
