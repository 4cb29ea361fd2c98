import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * pgbench as the reference for the database's own ceiling on one transaction shape. The script is
 * the same transaction the for-update strategy runs for a deposit (strategies/for-update.ts,
 * strategies/read-modify-write.ts, strategies/ledger.ts): lock one account with SELECT ... FOR
 * UPDATE, compute the new balance in the client, write it, insert a ledger row, commit. The
 * ledger's op_id is the transaction id, unique within a database.
 */
export function pgbenchScript(schema: string, hotRows: number): string {
  return [
    `\\set id random(1, ${hotRows})`,
    '\\set amount random(100, 10000)',
    'BEGIN;',
    `SELECT balance FROM ${schema}.accounts WHERE id = :id FOR UPDATE \\gset`,
    '\\set next :balance + :amount',
    `UPDATE ${schema}.accounts SET balance = :next, version = version + 1 WHERE id = :id;`,
    `INSERT INTO ${schema}.ledger (op_id, kind, account_id, counter_account_id, amount, event_id, seat_id) VALUES ('pgbench-' || pg_current_xact_id(), 'deposit', :id, NULL, :amount, NULL, NULL);`,
    'COMMIT;',
    '',
  ].join('\n');
}

/** The pgbench binary on PATH or at /usr/bin/pgbench; null when neither runs. */
export async function findPgbench(): Promise<string | null> {
  for (const bin of ['pgbench', '/usr/bin/pgbench']) {
    const ok = await new Promise<boolean>((resolve) =>
      execFile(bin, ['--version'], (err) => resolve(err === null)),
    );
    if (ok) return bin;
  }
  return null;
}

export interface PgbenchRun {
  /** Transactions per second, connection time excluded (pgbench's own figure). */
  tps: number;
  /** Transactions that failed (serialization, deadlock or other), as pgbench counts them. */
  failed: number;
}

/** Reads pgbench's summary. Throws when it has no tps line. */
export function parsePgbench(out: string): PgbenchRun {
  const tps = /tps = ([\d.]+)/.exec(out);
  if (!tps) throw new Error(`pgbench printed no tps line: ${out.slice(-400)}`);
  const failed = /number of failed transactions: (\d+)/.exec(out);
  return { tps: Number(tps[1]), failed: failed ? Number(failed[1]) : 0 };
}

export interface PgbenchOptions {
  bin: string;
  /** postgres://user:password@host:port/db; the password goes to pgbench in its environment. */
  url: string;
  schema: string;
  clients: number;
  hotRows: number;
  durationSec: number;
  /** pgbench -M: `prepared` (parse once per connection, as lockbench's pool does) or `simple`. */
  mode: 'prepared' | 'simple' | 'extended';
}

/** One pgbench run of `durationSec` on one thread (-j 1: the same thread count as a Node server). */
export async function runPgbench(o: PgbenchOptions): Promise<PgbenchRun> {
  const u = new URL(o.url);
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-pgbench-'));
  try {
    const script = join(dir, 'for-update.sql');
    writeFileSync(script, pgbenchScript(o.schema, o.hotRows));
    const args = [
      '-n',
      '-h',
      u.hostname,
      '-p',
      u.port || '5432',
      '-U',
      decodeURIComponent(u.username),
      '-c',
      String(o.clients),
      '-j',
      '1',
      '-T',
      String(o.durationSec),
      '-M',
      o.mode,
      '-f',
      script,
      decodeURIComponent(u.pathname.slice(1)) || 'postgres',
    ];
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        o.bin,
        args,
        { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) }, maxBuffer: 16 << 20 },
        (err, stdout, stderr) =>
          err ? reject(new Error(`pgbench failed: ${stderr.slice(-400)}`)) : resolve(stdout),
      ),
    );
    return parsePgbench(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
