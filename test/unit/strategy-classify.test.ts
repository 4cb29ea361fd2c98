import { describe, expect, it } from 'vitest';
import { classify, isRetryable, MYSQL, PG } from '../../strategies/classify.ts';

/**
 * Error shapes as node-postgres and mysql2 raise them (fields copied from real errors seen on
 * PostgreSQL 18 and MariaDB 10.11; the integration suite produces the real ones).
 */
const pgError = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, severity: 'ERROR', ...extra });
const mysqlError = (errno: number, code: string, sqlState: string, message: string) =>
  Object.assign(new Error(message), { errno, code, sqlState, sqlMessage: message });

describe('classify: PostgreSQL', () => {
  it('splits 55P03 into NOWAIT and lock_timeout by message and routine', () => {
    expect(
      classify(pgError(PG.LOCK_NOT_AVAILABLE, 'could not obtain lock on row in relation "accounts"')),
    ).toBe('lock-not-available');
    expect(classify(pgError(PG.LOCK_NOT_AVAILABLE, 'canceling statement due to lock timeout'))).toBe(
      'lock-timeout',
    );
    expect(classify(pgError(PG.LOCK_NOT_AVAILABLE, 'something else', { routine: 'ProcessInterrupts' }))).toBe(
      'lock-timeout',
    );
  });

  it('names deadlocks, serialization failures and ledger duplicates', () => {
    expect(classify(pgError(PG.DEADLOCK_DETECTED, 'deadlock detected'))).toBe('deadlock');
    expect(
      classify(pgError(PG.SERIALIZATION_FAILURE, 'could not serialize access due to concurrent update')),
    ).toBe('serialization');
    expect(
      classify(pgError(PG.UNIQUE_VIOLATION, 'duplicate key', { table: 'ledger', constraint: 'ledger_pkey' })),
    ).toBe('duplicate');
    expect(classify(pgError(PG.UNIQUE_VIOLATION, 'duplicate key', { table: 'seats' }))).toBe('other');
  });

  it('treats a terminated backend and connection exceptions as the database being gone', () => {
    expect(classify(pgError(PG.ADMIN_SHUTDOWN, 'terminating connection due to administrator command'))).toBe(
      'connection',
    );
    expect(classify(pgError('08006', 'connection failure'))).toBe('connection');
    expect(classify(new Error('Connection terminated unexpectedly'))).toBe('connection');
    expect(classify(new Error('Client has encountered a connection error and is not queryable'))).toBe(
      'connection',
    );
  });

  it('leaves syntax errors and statement timeouts as other', () => {
    expect(classify(pgError('42601', 'syntax error'))).toBe('other');
    expect(classify(pgError(PG.QUERY_CANCELED, 'canceling statement due to statement timeout'))).toBe(
      'other',
    );
  });
});

describe('classify: MySQL and MariaDB', () => {
  const timeout = () =>
    mysqlError(MYSQL.ER_LOCK_WAIT_TIMEOUT, 'ER_LOCK_WAIT_TIMEOUT', 'HY000', 'Lock wait timeout exceeded');

  it('reads 1205 as a timeout, or as MariaDB NOWAIT when the statement did not wait', () => {
    expect(classify(timeout())).toBe('lock-timeout');
    expect(classify(timeout(), { nowait: true })).toBe('lock-not-available');
    expect(MYSQL.MARIADB_NOWAIT).toBe(1205);
  });

  it('names MySQL 8 NOWAIT, deadlocks (also user-lock deadlocks) and MariaDB snapshot conflicts', () => {
    expect(classify(mysqlError(MYSQL.ER_LOCK_NOWAIT, 'ER_LOCK_NOWAIT', 'HY000', 'NOWAIT is set'))).toBe(
      'lock-not-available',
    );
    expect(classify(mysqlError(MYSQL.ER_LOCK_DEADLOCK, 'ER_LOCK_DEADLOCK', '40001', 'Deadlock found'))).toBe(
      'deadlock',
    );
    expect(
      classify(mysqlError(MYSQL.ER_USER_LOCK_DEADLOCK, 'ER_USER_LOCK_DEADLOCK', 'HY000', 'Deadlock')),
    ).toBe('deadlock');
    expect(classify(mysqlError(MYSQL.ER_CHECKREAD, 'ER_CHECKREAD', 'HY000', 'Record has changed'))).toBe(
      'serialization',
    );
  });

  it('calls a duplicate PRIMARY key a duplicate operation', () => {
    const dup = mysqlError(
      MYSQL.ER_DUP_ENTRY,
      'ER_DUP_ENTRY',
      '23000',
      "Duplicate entry 'op-1' for key 'PRIMARY'",
    );
    expect(classify(dup)).toBe('duplicate');
    const mysql8 = mysqlError(
      MYSQL.ER_DUP_ENTRY,
      'ER_DUP_ENTRY',
      '23000',
      "Duplicate entry 'op-1' for key 'ledger.PRIMARY'",
    );
    expect(classify(mysql8)).toBe('duplicate');
  });

  it('treats lost and killed connections as the database being gone', () => {
    const lost = Object.assign(new Error('Connection lost: The server closed the connection.'), {
      code: 'PROTOCOL_CONNECTION_LOST',
      fatal: true,
    });
    expect(classify(lost)).toBe('connection');
    expect(
      classify(
        mysqlError(MYSQL.ER_CONNECTION_KILLED, 'ER_CONNECTION_KILLED', '70100', 'Connection was killed'),
      ),
    ).toBe('connection');
  });
});

describe('classify: transport and non-errors', () => {
  it('maps socket errors to connection', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE']) {
      expect(classify(Object.assign(new Error(code), { code }))).toBe('connection');
    }
  });

  it('never throws on odd values', () => {
    expect(classify(undefined)).toBe('other');
    expect(classify('boom')).toBe('other');
    expect(classify(new TypeError('x is not a function'))).toBe('other');
  });

  it('retries exactly the four lock classes', () => {
    const all = [
      'lock-not-available',
      'lock-timeout',
      'deadlock',
      'serialization',
      'duplicate',
      'connection',
      'other',
    ] as const;
    expect(all.filter(isRetryable)).toEqual([
      'lock-not-available',
      'lock-timeout',
      'deadlock',
      'serialization',
    ]);
  });
});
