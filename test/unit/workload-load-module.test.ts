import { describe, expect, it } from 'vitest';
import { requestContext } from '../../bench/load/request-builder.ts';
import { loadWorkloadModule, WorkloadModuleError } from '../../workloads/load-module.ts';
import { BUILTIN_WORKLOADS } from '../../workloads/registry.ts';
import { DEFAULT_SEED } from '../../workloads/schema.ts';

const ctx = () =>
  requestContext({ keys: { kind: 'uniform' }, seed: 1, sizes: DEFAULT_SEED, opIdPrefix: 't' });
const refusal = async (path: string) => {
  const e = await loadWorkloadModule(path, ctx()).catch((err: unknown) => err);
  expect(e).toBeInstanceOf(WorkloadModuleError);
  return (e as Error).message;
};

describe('a workload module from a file', () => {
  it('loads the README example: the same interface as the built-in ones', async () => {
    const { module, path } = await loadWorkloadModule('examples/inventory.ts', ctx());
    expect(module.name).toBe('inventory');
    expect(path.endsWith('/examples/inventory.ts')).toBe(true);
    expect(Object.keys(module.perform).sort()).toEqual(
      ['advisory', 'atomic', 'for-update', 'naive', 'nowait', 'optimistic', 'serializable'].sort(),
    );
    expect(module.notApplicable?.['skip-locked']).toMatch(/one item/);
  });

  it('passes its own validation for every built-in workload', async () => {
    const { WorkloadShape } = await import('../../workloads/load-module.ts');
    for (const [name, w] of Object.entries(BUILTIN_WORKLOADS))
      expect(WorkloadShape.safeParse(w).success, name).toBe(true);
  });

  it('refuses a module without its invariant check, naming what is missing', async () => {
    const message = await refusal('test/fixtures/workloads/missing-check.ts');
    expect(message).toContain('test/fixtures/workloads/missing-check.ts');
    expect(message).toMatch(/check: missing: check\(sql, ctx\)/);
  });

  it('refuses DDL of the wrong type, naming the function and what it returned', async () => {
    const message = await refusal('test/fixtures/workloads/wrong-return.ts');
    expect(message).toMatch(
      /tables\.postgres\(\) must return an array of SQL strings; it returned the string/,
    );
    expect(message).not.toMatch(/tables\.mysql/);
  });

  it('refuses requests without an opId, naming the field', async () => {
    const message = await refusal('test/fixtures/workloads/bad-request.ts');
    expect(message).toMatch(/requests\(ctx\)\.next\(\)\.op\.opId/);
  });

  it('refuses a file that is not there, or exports no workload', async () => {
    expect(await refusal('test/fixtures/workloads/nope.ts')).toMatch(/no such file/);
    expect(await refusal('test/fixtures/workloads/../../helpers/db.ts')).toMatch(/exports no workload/);
  });
});
