import { parseCommandLine } from '../bench/cli-args.ts';
import { connectExternal } from '../bench/databases/external.ts';
import { resolveProfileSpec } from '../bench/profile-spec.ts';
import { runSeedSizes } from '../bench/run-cell.ts';
import { databaseUrl } from '../bench/segment/database-url.ts';
import { remoteCell } from '../bench/segment/run-remote.ts';
import { isLockbenchError, LockbenchError } from '../core/errors.ts';
import { redactUrl } from '../core/redact.ts';
import { resetAndSeed } from '../workloads/schema.ts';
import { isEntry } from './is-entry.ts';

const USAGE = `usage: npm run seed -- <the bench options of the run> --pg-url <url> | --mysql-url <url>

  Resets and seeds the tables of the one cell a run against servers elsewhere drives
  (npm run bench -- --server-url ...), with the sizes that run expects. Takes the same options
  as those runs (--server-url, --segment and --start-at are ignored); run it before the segments
  start. The URL may come from LOCKBENCH_PG_URL or LOCKBENCH_MYSQL_URL instead.`;

/** Runs the command; returns the process exit code. */
export async function main(
  argv: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    const command = parseCommandLine([...argv], env);
    if (command.kind !== 'run') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const { config } = command;
    if (config.db?.length !== 1)
      throw new LockbenchError(
        'LOCKBENCH_USAGE',
        'seed: name the one database with --db postgres or --db mysql',
      );
    let cell: ReturnType<typeof remoteCell>;
    try {
      cell = remoteCell(config);
    } catch {
      throw new LockbenchError(
        'LOCKBENCH_USAGE',
        'seed: the options must name exactly one cell (one strategy, workload, profile, level)',
      );
    }
    const url = databaseUrl(config, cell.database, 'seed');
    const target = await connectExternal(cell.database, url);
    const profile = resolveProfileSpec(cell.profile, cell.workload);
    const how = await resetAndSeed(target.spec, { ...runSeedSizes(config), ...profile.seed });
    io.stdout.write(`${how} ${cell.workload} tables for ${cell.key} on ${redactUrl(url)}\n`);
    return 0;
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
