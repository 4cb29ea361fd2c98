import type { ConnectionSpec } from '../../core/connect.ts';
import type { DatabaseInfo } from '../../core/result-schema.ts';

/**
 * A database the harness can run against: a throwaway server it started itself, or an external
 * one named by URL. One interface for all, so the orchestrator never cares which.
 */
export interface DatabaseTarget {
  /** `postgres` or `mysql`: unique within a run. */
  readonly id: string;
  /** How to connect; `spec.url` carries credentials and is never logged. */
  readonly spec: ConnectionSpec;
  /** Product, exact version and the settings that shape results. */
  readonly info: DatabaseInfo;
  /** Stops a throwaway server and removes its directory; closes nothing for external ones. Idempotent. */
  stop(): Promise<void>;
  /** Throwaway servers: the last lines of the server's log, while its directory exists. */
  logTail?(): string;
}
