import { setTimeout as sleepMs } from 'node:timers/promises';

/** How often and how patiently a conflicting operation is tried again. */
export interface RetryPolicy {
  /** Attempts in all, including the first. Default 10. */
  maxAttempts: number;
  /** Backoff before the second attempt is drawn from [0, baseMs). Default 2 ms. */
  baseMs: number;
  /** Upper bound of the backoff window, ms. Default 200 ms. */
  capMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 10,
  baseMs: 2,
  capMs: 200,
});

/**
 * "Full jitter" (AWS Architecture Blog, Exponential Backoff and Jitter): the wait after failed
 * attempt n (1-based) is uniform in [0, min(cap, base * 2^(n-1))). Spreading retries over the
 * whole window breaks the lock-step that makes contending clients collide again.
 */
export function backoffMs(
  failedAttempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const window = Math.min(policy.capMs, policy.baseMs * 2 ** (failedAttempt - 1));
  return random() * window;
}

/** One attempt's verdict: a final value, or a reason to try again. */
export type Step<T, R> = { done: true; value: T } | { done: false; reason: R };

export type RetryResult<T, R> =
  | { kind: 'done'; value: T; attempts: number }
  /** Every attempt asked for a retry; `reason` is the last one's. */
  | { kind: 'exhausted'; reason: R; attempts: number };

export interface RetryDeps {
  sleep: (ms: number) => Promise<unknown>;
  random: () => number;
}

const realDeps: RetryDeps = {
  sleep: (ms) => (ms > 0 ? sleepMs(ms) : Promise.resolve()),
  random: Math.random,
};

/**
 * The one retry loop. Calls `attempt(1)`, `attempt(2)`, ... until one returns `done` or
 * `maxAttempts` have asked for a retry, sleeping a full-jitter backoff between attempts (never
 * after the last). An exception from `attempt` is not a retry: it propagates at once.
 */
export async function retry<T, R>(
  attempt: (n: number) => Promise<Step<T, R>>,
  policy: RetryPolicy,
  deps: RetryDeps = realDeps,
): Promise<RetryResult<T, R>> {
  for (let n = 1; ; n++) {
    const step = await attempt(n);
    if (step.done) return { kind: 'done', value: step.value, attempts: n };
    if (n >= policy.maxAttempts) return { kind: 'exhausted', reason: step.reason, attempts: n };
    await deps.sleep(backoffMs(n, policy, deps.random));
  }
}
