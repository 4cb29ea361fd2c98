import type { Dialect } from '../../core/names.ts';

/** A producer's enqueue or a worker's claim (claim, work, complete). */
export type QueueOp = { kind: 'enqueue'; opId: string } | { kind: 'claim'; opId: string };

/** The queue's statements per dialect. Job ids are BIGINT; `status` is pending | running | done. */
interface Statements {
  /** The oldest pending job, plain; strategies append their locking clause. */
  oldest: string;
  oldestVersioned: string;
  /** Some pending job (no lock): tells "all busy" from "empty". */
  anyPending: string;
  /** Up to 16 candidates for advisory try-locks, oldest first. */
  candidates: string;
  /** The job's status now (after its advisory lock is held). */
  status: string;
  enqueue: string;
  complete: string;
  casComplete: string;
  claim: string;
  completeClaimed: string;
  shape: string;
  deleteEnqueued: string;
  putBack: string;
  restartIds: (next: number) => string;
}

export const QUEUE_SQL = {
  postgres: {
    oldest: "SELECT id FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 1",
    oldestVersioned: "SELECT id, version FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 1",
    anyPending: "SELECT 1 AS x FROM jobs WHERE status = 'pending' LIMIT 1",
    candidates: "SELECT id FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 16",
    status: 'SELECT status FROM jobs WHERE id = $1',
    enqueue: "INSERT INTO jobs (status) VALUES ('pending') RETURNING id",
    complete: "UPDATE jobs SET status = 'done', claimed_by = $1, version = version + 1 WHERE id = $2",
    casComplete:
      "UPDATE jobs SET status = 'done', claimed_by = $1, version = version + 1 WHERE id = $2 AND version = $3",
    // The status check sits in the subquery with SKIP LOCKED: a plain subquery would let a waiter
    // re-check only the outer WHERE and aim every worker at the same job.
    claim:
      "UPDATE jobs SET status = 'running', claimed_by = $1, version = version + 1 WHERE id = (SELECT id FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id",
    completeClaimed:
      "UPDATE jobs SET status = 'done', version = version + 1 WHERE id = $1 AND status = 'running' AND claimed_by = $2",
    shape: 'SELECT COUNT(*) AS n, MAX(id) AS top FROM jobs WHERE id <= $1',
    deleteEnqueued: 'DELETE FROM jobs WHERE id > $1',
    putBack:
      "UPDATE jobs SET status = 'pending', claimed_by = NULL, version = 0 WHERE status <> 'pending' OR version <> 0",
    restartIds: (next: number) => `ALTER TABLE jobs ALTER COLUMN id RESTART WITH ${Math.trunc(next)}`,
  },
  mysql: {
    oldest: "SELECT id FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 1",
    oldestVersioned: "SELECT id, version FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 1",
    anyPending: "SELECT 1 AS x FROM jobs WHERE status = 'pending' LIMIT 1",
    candidates: "SELECT id FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 16",
    status: 'SELECT status FROM jobs WHERE id = ?',
    enqueue: "INSERT INTO jobs (status) VALUES ('pending')",
    complete: "UPDATE jobs SET status = 'done', claimed_by = ?, version = version + 1 WHERE id = ?",
    casComplete:
      "UPDATE jobs SET status = 'done', claimed_by = ?, version = version + 1 WHERE id = ? AND version = ?",
    // No UPDATE ... RETURNING on MySQL or MariaDB: LAST_INSERT_ID(id) returns the claimed id in the OK packet.
    claim:
      "UPDATE jobs SET status = 'running', claimed_by = ?, version = version + 1, id = LAST_INSERT_ID(id) WHERE status = 'pending' ORDER BY id LIMIT 1",
    completeClaimed:
      "UPDATE jobs SET status = 'done', version = version + 1 WHERE id = ? AND status = 'running' AND claimed_by = ?",
    shape: 'SELECT COUNT(*) AS n, MAX(id) AS top FROM jobs WHERE id <= ?',
    deleteEnqueued: 'DELETE FROM jobs WHERE id > ?',
    putBack:
      "UPDATE jobs SET status = 'pending', claimed_by = NULL, version = 0 WHERE status <> 'pending' OR version <> 0",
    restartIds: (next: number) => `ALTER TABLE jobs AUTO_INCREMENT = ${Math.trunc(next)}`,
  },
} satisfies Record<Dialect, Statements>;
