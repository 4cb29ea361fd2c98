import { inject } from 'vitest';
import type { ConnectionSpec } from '../../bench/databases/connect.ts';
import type { Dialect } from '../../strategies/names.ts';

/** A spec on the suite's throwaway server of that dialect, in a schema of the test file's own. */
export function specFor(dialect: Dialect, schema: string): ConnectionSpec {
  return { dialect, url: inject(dialect === 'postgres' ? 'pgUrl' : 'mysqlUrl'), schema };
}
