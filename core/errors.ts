/**
 * The closed catalogue of errors the harness reports to users. Each has a stable code a user can
 * search for, a message template and the process exit code it maps to. Add new errors here, never
 * ad hoc: test/unit/errors.test.ts checks the catalogue against the README.
 */
export const ERRORS = {
  LOCKBENCH_USAGE: { exit: 2, summary: 'a command-line option or config value is invalid' },
  LOCKBENCH_DB_UNREACHABLE: { exit: 1, summary: 'a database could not be reached at its host and port' },
  LOCKBENCH_DB_START_FAILED: {
    exit: 1,
    summary: 'a throwaway database server did not start (log tail included)',
  },
  LOCKBENCH_DB_UNAVAILABLE: {
    exit: 1,
    summary: 'a database the user asked for is not installed and no URL was given',
  },
  LOCKBENCH_SERVER_START_FAILED: { exit: 1, summary: 'the benchmark HTTP server did not become ready' },
  LOCKBENCH_TMP_UNSAFE: {
    exit: 1,
    summary: 'temp root is a symlink, not ours, or writable by others',
  },
  LOCKBENCH_OUTPUT_FAILED: {
    exit: 1,
    summary: 'results could not be written; the run was saved elsewhere',
  },
  LOCKBENCH_RESULT_INVALID: { exit: 1, summary: 'a run.json does not match the result schema' },
  // A wrong path is a mistake in the command line, as a usage error is: the same exit code.
  LOCKBENCH_RESULT_MISSING: { exit: 2, summary: 'no run.json at the path given to report or compare' },
  LOCKBENCH_MERGE_MISMATCH: {
    exit: 2,
    summary: 'runs given to merge differ in matrix, options, tool version or segments',
  },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class LockbenchError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LockbenchError';
    this.code = code;
    this.exitCode = ERRORS[code].exit;
  }
}

export function isLockbenchError(e: unknown): e is LockbenchError {
  return e instanceof LockbenchError;
}
