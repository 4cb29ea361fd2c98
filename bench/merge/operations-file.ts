import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LockbenchError } from '../../core/errors.ts';
import { writeFileAtomicSync } from '../write-atomic.ts';

/**
 * `operations.json` beside the run.json of a partial or merged run: the operations each cell's
 * client saw acknowledged or never saw the outcome of, by opId. The correctness check of a cell
 * driven from several processes runs once, on the union of these (`npm run check`).
 */
export const OPERATIONS_FILE = 'operations.json';

export const CellOperations = z.strictObject({
  /** The cell's key and repeat in run.json. */
  key: z.string(),
  repeat: z.number().int().nonnegative(),
  /** 2xx seen by a client: each must be in the ledger. */
  acknowledged: z.array(z.string()),
  /** Outcome never seen (in flight, timed out, transport error): in the ledger or not, no violation. */
  indeterminate: z.array(z.string()),
});
export type CellOperations = z.infer<typeof CellOperations>;

export const OperationsFile = z.strictObject({ cells: z.array(CellOperations) });

export function writeOperations(dir: string, cells: readonly CellOperations[]): string {
  const path = join(dir, OPERATIONS_FILE);
  writeFileAtomicSync(path, `${JSON.stringify({ cells })}\n`);
  return path;
}

/** The operations of a run directory; an empty list when it has none (a run without segments). */
export function readOperations(dir: string): CellOperations[] {
  const path = join(dir, OPERATIONS_FILE);
  if (!existsSync(path)) return [];
  const parsed = OperationsFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new LockbenchError('LOCKBENCH_RESULT_INVALID', `${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.cells;
}

/** The operations of the same cell from several parts, one entry per cell. */
export function unionOperations(parts: readonly CellOperations[]): CellOperations[] {
  const byCell = new Map<string, CellOperations>();
  for (const p of parts) {
    const k = JSON.stringify([p.key, p.repeat]);
    const have = byCell.get(k);
    if (!have)
      byCell.set(k, { ...p, acknowledged: [...p.acknowledged], indeterminate: [...p.indeterminate] });
    else {
      have.acknowledged.push(...p.acknowledged);
      have.indeterminate.push(...p.indeterminate);
    }
  }
  return [...byCell.values()];
}
