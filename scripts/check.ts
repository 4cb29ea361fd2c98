import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeArtifacts } from '../bench/artifacts.ts';
import { cellStatus, checkRun } from '../bench/check/index.ts';
import { DB_IDS, type DbId } from '../bench/config.ts';
import { connectExternal } from '../bench/databases/external.ts';
import { readOperations } from '../bench/merge/operations-file.ts';
import { writeRunJson } from '../bench/results-writer.ts';
import { databaseUrl } from '../bench/segment/database-url.ts';
import { isLockbenchError, LockbenchError } from '../core/errors.ts';
import type { RunResult } from '../core/result-schema.ts';
import { loadRunResult, resolveRunFile } from '../report/load-result.ts';
import { getStrategy } from '../strategies/registry.ts';
import { isEntry } from './is-entry.ts';

const USAGE = `usage: npm run check -- <run dir> [--pg-url <url> | --mysql-url <url>]

  The correctness check of a run against servers elsewhere, once every segment has finished:
  the database's ledger, balances and seats against the operations every segment's clients saw
  acknowledged (operations.json of a merged run, npm run merge). Updates run.json and the reports.
  Run it after the load has stopped and before anything else writes to those tables.
  The URL may come from LOCKBENCH_PG_URL or LOCKBENCH_MYSQL_URL instead.

  Exit: 0 checked and safe, 1 a strategy that claims safety broke an invariant, 2 bad input.`;

/** The command's options (a test checks the deploy manifests use no other). */
export const CHECK_OPTIONS = {
  'pg-url': { type: 'string' },
  'mysql-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command; returns the process exit code. */
export async function main(
  argv: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    let values: { 'pg-url'?: string; 'mysql-url'?: string; help?: boolean };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: CHECK_OPTIONS,
      }));
    } catch (e) {
      throw new LockbenchError('LOCKBENCH_USAGE', `${(e as Error).message}\n\n${USAGE}`);
    }
    if (values.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1)
      throw new LockbenchError(
        'LOCKBENCH_USAGE',
        `expected one run directory, got ${positionals.length}\n\n${USAGE}`,
      );
    const file = await resolveRunFile(positionals[0] as string);
    const dir = path.dirname(file);
    const run = await loadRunResult(file);
    const operations = readOperations(dir);
    if (run.segment && run.segment.count > 1)
      throw new LockbenchError(
        'LOCKBENCH_USAGE',
        `${dir} is segment ${run.segment.index}/${run.segment.count}: merge every segment first (npm run merge), then check the merged run`,
      );
    const measured = run.cells.filter((c) => c.metrics !== null);
    if (measured.length !== 1 || operations.length !== 1)
      throw new LockbenchError(
        'LOCKBENCH_USAGE',
        `${dir}: the database holds one cell's data, so check takes a run of one measured cell with its operations.json (this one has ${measured.length} measured cell(s), ${operations.length} with operations)`,
      );
    const cell = measured[0] as RunResult['cells'][number];
    const ops = operations[0] as (typeof operations)[number];
    if (!(DB_IDS as readonly string[]).includes(cell.database))
      throw new LockbenchError('LOCKBENCH_USAGE', `unknown database ${cell.database}`);
    const url = databaseUrl(
      {
        pgUrl: values['pg-url'] ?? env.LOCKBENCH_PG_URL,
        mysqlUrl: values['mysql-url'] ?? env.LOCKBENCH_MYSQL_URL,
      },
      cell.database as DbId,
      'check',
    );
    const target = await connectExternal(cell.database, url);
    const strategy = getStrategy(cell.strategy as Parameters<typeof getStrategy>[0]);
    const correctness = await checkRun(target.spec, {
      workload: cell.workload as Parameters<typeof checkRun>[1]['workload'],
      claimsSafe: strategy.claimsSafe(cell.workload as Parameters<typeof checkRun>[1]['workload']),
      acknowledged: ops.acknowledged,
      indeterminate: ops.indeterminate,
    });
    const checked: RunResult = {
      ...run,
      databases: [...run.databases.filter((d) => d.id !== target.info.id), target.info],
      cells: run.cells.map((c) => (c === cell ? { ...c, status: cellStatus(correctness), correctness } : c)),
    };
    writeRunJson(dir, checked);
    await writeArtifacts(checked, dir);
    const status = cellStatus(correctness);
    io.stdout.write(
      `${cell.key}: checked ${ops.acknowledged.length} acknowledged operation(s), ${correctness.violations} violation(s), ${correctness.indeterminate} indeterminate: ${status}\n`,
    );
    return status === 'unsafe' ? 1 : 0;
  } catch (e) {
    if (isLockbenchError(e)) {
      io.stderr.write(`error ${e.code}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

if (isEntry(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
