/**
 * The one place that turns a driver error into a class. Strategies never compare raw codes.
 * Codes, from the vendors' documentation: PostgreSQL SQLSTATE 55P03 (lock not available, or a
 * lock_timeout), 40P01 (deadlock), 40001 (serialization failure), 57014 (statement timeout);
 * MySQL/MariaDB errno 3572 (NOWAIT), 1205 (lock wait timeout; MariaDB NOWAIT too), 1213
 * (deadlock), 1020 (MariaDB snapshot isolation), 3024 and 1969 (statement timeout).
 */

export type ErrorClass =
  | 'lock-not-available'
  | 'lock-timeout'
  | 'deadlock'
  | 'serialization'
  /** Unique violation on ledger.op_id: the operation was applied already (or concurrently). */
  | 'duplicate'
  /** The database is gone or refuses connections: the server answers 503. */
  | 'connection'
  | 'other';

/** PostgreSQL SQLSTATEs (`err.code` in node-postgres). */
export const PG = {
  /** NOWAIT on a held row, and lock_timeout expiry: told apart by message / routine. */
  LOCK_NOT_AVAILABLE: '55P03',
  DEADLOCK_DETECTED: '40P01',
  SERIALIZATION_FAILURE: '40001',
  UNIQUE_VIOLATION: '23505',
  QUERY_CANCELED: '57014',
  ADMIN_SHUTDOWN: '57P01',
  CRASH_SHUTDOWN: '57P02',
  CANNOT_CONNECT_NOW: '57P03',
  TOO_MANY_CONNECTIONS: '53300',
  /** Class 08: connection exceptions. */
  CONNECTION_EXCEPTION_CLASS: '08',
} as const;

/** MySQL / MariaDB server errnos (`err.errno` in mysql2). */
export const MYSQL = {
  /** innodb_lock_wait_timeout expired; also MariaDB's answer to NOWAIT (after about 3 ms). */
  ER_LOCK_WAIT_TIMEOUT: 1205,
  /** MariaDB reports a NOWAIT / SKIP LOCKED conflict with the lock-wait-timeout errno. */
  MARIADB_NOWAIT: 1205,
  /** MySQL 8 NOWAIT. */
  ER_LOCK_NOWAIT: 3572,
  /** Deadlock; also MySQL's SERIALIZABLE conflict (SQLSTATE 40001). Rolls back the whole transaction. */
  ER_LOCK_DEADLOCK: 1213,
  /** MySQL: deadlock among GET_LOCK user locks. */
  ER_USER_LOCK_DEADLOCK: 3058,
  /** MariaDB innodb_snapshot_isolation=ON: "record has changed since last read". */
  ER_CHECKREAD: 1020,
  ER_DUP_ENTRY: 1062,
  ER_CON_COUNT_ERROR: 1040,
  ER_SERVER_SHUTDOWN: 1053,
  /** MariaDB: the connection was killed (KILL). */
  ER_CONNECTION_KILLED: 1927,
  /** Client-side: server has gone away / lost connection during query. */
  CR_SERVER_GONE_ERROR: 2006,
  CR_SERVER_LOST: 2013,
} as const;

/** Transport-level codes from Node's net layer and mysql2's protocol layer. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_CONNECTION_KILLED',
]);

/** node-postgres and pg-pool raise these without a code. */
const PG_CONNECTION_MESSAGES =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed|connection error/i;

const MYSQL_CONNECTION_ERRNOS = new Set<number>([
  MYSQL.ER_CON_COUNT_ERROR,
  MYSQL.ER_SERVER_SHUTDOWN,
  MYSQL.ER_CONNECTION_KILLED,
  MYSQL.CR_SERVER_GONE_ERROR,
  MYSQL.CR_SERVER_LOST,
]);

export interface ClassifyHint {
  /**
   * The statement used NOWAIT or SKIP LOCKED: on MariaDB errno 1205 then means "lock not
   * available", not a timeout (the errno is shared).
   */
  nowait?: boolean;
}

interface DriverErrorShape {
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
  message?: unknown;
  routine?: unknown;
  table?: unknown;
  constraint?: unknown;
  fatal?: unknown;
}

function classifyPostgres(e: DriverErrorShape, code: string): ErrorClass {
  switch (code) {
    case PG.LOCK_NOT_AVAILABLE: {
      // lock_timeout is raised from ProcessInterrupts with "canceling statement due to lock
      // timeout"; NOWAIT says "could not obtain lock on row ...".
      const msg = typeof e.message === 'string' ? e.message : '';
      return /lock timeout/i.test(msg) || e.routine === 'ProcessInterrupts'
        ? 'lock-timeout'
        : 'lock-not-available';
    }
    case PG.DEADLOCK_DETECTED:
      return 'deadlock';
    case PG.SERIALIZATION_FAILURE:
      return 'serialization';
    case PG.UNIQUE_VIOLATION:
      return e.table === undefined || e.table === 'ledger' ? 'duplicate' : 'other';
    case PG.ADMIN_SHUTDOWN:
    case PG.CRASH_SHUTDOWN:
    case PG.CANNOT_CONNECT_NOW:
    case PG.TOO_MANY_CONNECTIONS:
      return 'connection';
    default:
      return code.startsWith(PG.CONNECTION_EXCEPTION_CLASS) ? 'connection' : 'other';
  }
}

function classifyMysql(e: DriverErrorShape, errno: number, hint: ClassifyHint): ErrorClass {
  switch (errno) {
    case MYSQL.ER_LOCK_WAIT_TIMEOUT:
      return hint.nowait ? 'lock-not-available' : 'lock-timeout';
    case MYSQL.ER_LOCK_NOWAIT:
      return 'lock-not-available';
    case MYSQL.ER_LOCK_DEADLOCK:
    case MYSQL.ER_USER_LOCK_DEADLOCK:
      return 'deadlock';
    case MYSQL.ER_CHECKREAD:
      return 'serialization';
    case MYSQL.ER_DUP_ENTRY: {
      // The ledger is the only table the strategies insert into; its key is PRIMARY (op_id).
      const msg = typeof e.message === 'string' ? e.message : '';
      return /PRIMARY/i.test(msg) ? 'duplicate' : 'other';
    }
    default:
      return MYSQL_CONNECTION_ERRNOS.has(errno) || e.fatal === true ? 'connection' : 'other';
  }
}

/** Classifies an error thrown by node-postgres, pg-pool, mysql2 or the net layer. */
export function classify(err: unknown, hint: ClassifyHint = {}): ErrorClass {
  if (typeof err !== 'object' || err === null) return 'other';
  const e = err as DriverErrorShape;
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return 'connection';
  if (typeof e.errno === 'number' && typeof e.sqlState === 'string') return classifyMysql(e, e.errno, hint);
  // SQLSTATEs are five characters of [0-9A-Z]; Node system errors have E-prefixed names.
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return classifyPostgres(e, e.code);
  if (e.fatal === true) return 'connection';
  if (typeof e.message === 'string' && PG_CONNECTION_MESSAGES.test(e.message)) return 'connection';
  return 'other';
}

/** Classes the retry loop tries again. */
export function isRetryable(
  c: ErrorClass,
): c is 'lock-not-available' | 'lock-timeout' | 'deadlock' | 'serialization' {
  return c === 'lock-not-available' || c === 'lock-timeout' || c === 'deadlock' || c === 'serialization';
}
