import { z } from 'zod';
import { ISOLATION_LEVELS } from '../core/names.ts';
import { DEFAULT_RETRY_POLICY } from './retry.ts';

/**
 * How an executor runs its strategy. One schema, parsed once at the edge (the server's options
 * extend it), then frozen and passed down.
 */
export const ExecutorSettingsSchema = z.strictObject({
  /**
   * Transaction isolation. `default` leaves the server's default (PostgreSQL READ COMMITTED,
   * MySQL/MariaDB REPEATABLE READ). The `serializable` strategy always runs SERIALIZABLE.
   */
  isolation: z.enum(ISOLATION_LEVELS).default('default'),
  /** Connections in the pool (per server worker). Default 16. */
  pool: z.int().min(1).max(1000).default(16),
  /**
   * Longest wait for a row lock, ms. Default 5000. PostgreSQL: `lock_timeout` of every pooled
   * session (a startup option). MySQL/MariaDB: `innodb_lock_wait_timeout` per session, whole seconds rounded up,
   * at least 1 s (900 ms waits 1 s; 1500 ms waits 2 s); GET_LOCK gets the same rounded value.
   */
  lockTimeout: z.int().min(1).max(3_600_000).default(5000),
  /** Attempts in all, including the first. Default 10. */
  maxAttempts: z.int().min(1).max(1000).default(DEFAULT_RETRY_POLICY.maxAttempts),
  /** Full-jitter backoff: first window, ms. Default 2. */
  backoffBaseMs: z.number().min(0).max(60_000).default(DEFAULT_RETRY_POLICY.baseMs),
  /** Full-jitter backoff: largest window, ms. Default 200. */
  backoffCapMs: z.number().min(0).max(600_000).default(DEFAULT_RETRY_POLICY.capMs),
  /**
   * Simulated application work between the read and the write, ms (inside the transaction, so
   * it lengthens lock hold times the way a slow computation or a remote call does). Default 0.
   * The atomic strategy has no read: it does the work before its single statement.
   */
  workMs: z.number().min(0).max(60_000).default(0),
  /**
   * Transfer lock order: `id` (ascending ids, deadlock-free) or `request` (from, then to), which
   * lets opposite transfers deadlock. Default `id`.
   */
  lockOrder: z.enum(['id', 'request']).default('id'),
});

export type ExecutorSettings = z.infer<typeof ExecutorSettingsSchema>;

/** The defaults, from the schema: the server's and the bench's options both start here. */
export const EXECUTOR_DEFAULTS: Readonly<ExecutorSettings> = Object.freeze(ExecutorSettingsSchema.parse({}));
export type ExecutorSettingsInput = z.input<typeof ExecutorSettingsSchema>;

/** Parses and freezes; throws a ZodError on invalid input (the edges turn it into a usage error). */
export function parseExecutorSettings(input: ExecutorSettingsInput = {}): Readonly<ExecutorSettings> {
  return Object.freeze(ExecutorSettingsSchema.parse(input));
}

/** innodb_lock_wait_timeout and GET_LOCK take seconds: round up, at least 1. */
export function mysqlLockWaitSeconds(lockTimeout: number): number {
  return Math.max(1, Math.ceil(lockTimeout / 1000));
}
