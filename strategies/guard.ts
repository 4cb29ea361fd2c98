import type { AttemptOutcome } from './outcome.ts';
import type { Session } from './pool.ts';
import type { AttemptContext } from './strategy.ts';

/** A named lock: a key space (`account`, `event`, a workload's own) and an id in it. */
export interface LockKey {
  space: string;
  id: number;
}

/** Locks taken before a workload's reads (advisory locks). `keys` are in lock order. */
export interface Guard {
  /** Runs first inside the transaction (pg_advisory_xact_lock). Returns a retry to give up. */
  inside?: (s: Session, keys: readonly LockKey[], ctx: AttemptContext) => Promise<AttemptOutcome | null>;
  /** Wraps the whole transaction (MySQL GET_LOCK ... RELEASE_LOCK, session-scoped). */
  around?: (
    s: Session,
    keys: readonly LockKey[],
    ctx: AttemptContext,
    run: () => Promise<AttemptOutcome>,
  ) => Promise<AttemptOutcome>;
}
