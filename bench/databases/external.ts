import { DEFAULT_SCHEMA, dialectOfUrl, hostPort, redactUrl } from '../../core/connect.ts';
import { LockbenchError } from '../../core/errors.ts';
import { probeDatabase } from '../../core/probe.ts';
import type { DatabaseTarget } from './target.ts';

/**
 * A server the user runs (docker compose, a managed service, CockroachDB, TiDB...), named by URL.
 * The harness only creates, empties and drops inside `schema`; stop() leaves the server alone.
 */
export async function connectExternal(
  id: string,
  url: string,
  opts: { schema?: string } = {},
): Promise<DatabaseTarget> {
  const dialect = dialectOfUrl(url);
  if (!dialect) {
    throw new LockbenchError(
      'LOCKBENCH_USAGE',
      `database URL ${redactUrl(url)} must start with postgres://, postgresql://, mysql:// or mariadb://`,
    );
  }
  const spec = { dialect, url, schema: opts.schema ?? DEFAULT_SCHEMA };
  const info = await probeDatabase(spec, { id, kind: 'external', address: hostPort(url) });
  return { id, spec, info, stop: async () => {} };
}
