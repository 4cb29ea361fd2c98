import { inject } from 'vitest';
import type { ConnectionSpec } from '../../core/connect.ts';
import type { Dialect } from '../../core/names.ts';

/** A spec on the suite's throwaway server of that dialect, in a schema of the test file's own. */
export function specFor(dialect: Dialect, schema: string): ConnectionSpec {
  return { dialect, url: inject(dialect === 'postgres' ? 'pgUrl' : 'mysqlUrl'), schema };
}
