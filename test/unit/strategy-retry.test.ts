import { describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_RETRY_POLICY, retry, type Step } from '../../strategies/retry.ts';

const policy = { maxAttempts: 4, baseMs: 10, capMs: 50 };

describe('backoffMs (full jitter)', () => {
  it('draws from [0, min(cap, base * 2^(n-1)))', () => {
    expect(backoffMs(1, policy, () => 0.999)).toBeCloseTo(9.99);
    expect(backoffMs(2, policy, () => 0.5)).toBe(10);
    expect(backoffMs(3, policy, () => 0.5)).toBe(20);
    expect(backoffMs(4, policy, () => 0.5)).toBe(25); // capped window of 50
    expect(backoffMs(30, policy, () => 0.999)).toBeLessThan(50);
    expect(backoffMs(5, policy, () => 0)).toBe(0);
  });

  it('defaults to 10 attempts', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(10);
  });
});

describe('retry', () => {
  const recordingDeps = () => {
    const sleeps: number[] = [];
    return { sleeps, deps: { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5 } };
  };

  it('returns the first final value with the attempts it took', async () => {
    const { sleeps, deps } = recordingDeps();
    const r = await retry<string, string>(
      async (n): Promise<Step<string, string>> =>
        n < 3 ? { done: false, reason: `busy${n}` } : { done: true, value: 'ok' },
      policy,
      deps,
    );
    expect(r).toEqual({ kind: 'done', value: 'ok', attempts: 3 });
    expect(sleeps).toEqual([5, 10]);
  });

  it('gives up after maxAttempts with the last reason and never sleeps after the last attempt', async () => {
    const { sleeps, deps } = recordingDeps();
    let calls = 0;
    const r = await retry<string, string>(
      async (n) => {
        calls++;
        return { done: false, reason: `busy${n}` };
      },
      policy,
      deps,
    );
    expect(r).toEqual({ kind: 'exhausted', reason: 'busy4', attempts: 4 });
    expect(calls).toBe(4);
    expect(sleeps).toHaveLength(3);
  });

  it('lets an exception through at once', async () => {
    const { sleeps, deps } = recordingDeps();
    await expect(
      retry(
        async () => {
          throw new Error('bug');
        },
        policy,
        deps,
      ),
    ).rejects.toThrow('bug');
    expect(sleeps).toEqual([]);
  });

  it('with maxAttempts 1 makes exactly one attempt', async () => {
    const { deps } = recordingDeps();
    const r = await retry(
      async () => ({ done: false, reason: 'x' }) as const,
      { ...policy, maxAttempts: 1 },
      deps,
    );
    expect(r.attempts).toBe(1);
    expect(r.kind).toBe('exhausted');
  });
});
