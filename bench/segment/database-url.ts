import { LockbenchError } from '../../core/errors.ts';
import type { BenchConfig, DbId } from '../config.ts';

/** The URL of the database a run against servers elsewhere uses: --pg-url/--mysql-url or their environment variables. */
export function databaseUrl(config: Pick<BenchConfig, 'pgUrl' | 'mysqlUrl'>, db: DbId, step: string): string {
  const url = db === 'postgres' ? config.pgUrl : config.mysqlUrl;
  if (!url) {
    const flag =
      db === 'postgres' ? '--pg-url (or LOCKBENCH_PG_URL)' : '--mysql-url (or LOCKBENCH_MYSQL_URL)';
    throw new LockbenchError('LOCKBENCH_USAGE', `${step} needs the database the servers use: ${flag}`);
  }
  return url;
}
