import { LockbenchError } from '../core/errors.ts';
import { registerWorkload } from '../workloads/catalog.ts';
import { loadWorkloadModule } from '../workloads/load-module.ts';
import { DEFAULT_SEED } from '../workloads/schema.ts';
import { requestContext } from './load/request-builder.ts';

/** A `--workload` item that names a file rather than a workload: it has a slash or a script extension. */
export function isWorkloadPath(item: string): boolean {
  return item.includes('/') || /\.(c|m)?(ts|js)$/.test(item);
}

/**
 * Loads and validates every workload module named by path in `--workload` (command line only),
 * registers it under its own name, and returns the arguments with each path replaced by that
 * name, so the options are then parsed once like any other run. A module that does not load or
 * lacks a part is a LOCKBENCH_USAGE error (exit 2) before anything starts.
 */
export async function loadWorkloadFiles(argv: readonly string[]): Promise<string[]> {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    const arg = out[i] as string;
    let valueAt = -1;
    let prefix = '';
    if (arg === '--workload' && i + 1 < out.length) valueAt = i + 1;
    else if (arg.startsWith('--workload=')) {
      valueAt = i;
      prefix = '--workload=';
    }
    if (valueAt < 0) continue;
    const items = (out[valueAt] as string).slice(prefix.length).split(',');
    const names: string[] = [];
    for (const raw of items) {
      const item = raw.trim();
      if (!isWorkloadPath(item)) {
        names.push(item);
        continue;
      }
      try {
        const ctx = requestContext({
          keys: { kind: 'uniform' },
          seed: 1,
          sizes: DEFAULT_SEED,
          opIdPrefix: 'probe',
        });
        const { module, path } = await loadWorkloadModule(item, ctx);
        registerWorkload(module, path);
        names.push(module.name);
      } catch (e) {
        throw new LockbenchError('LOCKBENCH_USAGE', (e as Error).message);
      }
    }
    out[valueAt] = prefix + names.join(',');
    i = valueAt;
  }
  return out;
}
