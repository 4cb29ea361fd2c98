import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { DIALECTS, STRATEGY_NAMES } from '../core/names.ts';
import { BUILTIN_WORKLOADS } from './registry.ts';
import type { AnyWorkload, RequestContext } from './workload.ts';

/**
 * Loads a user's workload module from a file and validates it before anything starts: every part
 * of the WorkloadModule interface (workloads/workload.ts) must be there with the right shape, and
 * what can be called without a database is called once (the tables' DDL, a few requests, their
 * ledger identity) to check what it returns. A refusal names each missing or wrong part.
 */

/** Thrown for a module that cannot be used; the message names the file and every problem. */
export class WorkloadModuleError extends Error {
  override name = 'WorkloadModuleError';
}

const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', {
    error: (issue) =>
      issue.input === undefined
        ? `missing: ${what}`
        : `must be a function (${what}); got ${describe(issue.input)}`,
  });

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 40))}` : typeof v;
}

const jsonSchema = z.record(z.string(), z.unknown(), { error: 'must be a JSON schema object' });

const RouteShape = z.object({
  url: z
    .string({ error: 'missing: the route path, e.g. "/items/:id/reserve"' })
    .regex(/^\/[A-Za-z0-9_/:.-]*$/, {
      error: 'must be a path starting with "/"',
    }),
  params: jsonSchema.optional(),
  body: jsonSchema.refine((b) => Array.isArray(b.required) && (b.required as unknown[]).includes('opId'), {
    error:
      'must be a JSON schema whose `required` includes "opId" (every operation carries its idempotency key)',
  }),
  toOp: fn('toOp(params, body) -> the operation, or { invalid: message }'),
});

const StrategyName = z.enum(STRATEGY_NAMES);

export const WorkloadShape = z.object({
  name: z
    .string({ error: 'missing: name, the --workload value (lower-case, e.g. "inventory")' })
    .regex(/^[a-z][a-z0-9-]{0,31}$/, {
      error: 'must be lower-case letters, digits and "-", at most 32, starting with a letter',
    }),
  description: z.string({ error: 'missing: description, one line for --list and the report' }).min(1),
  defaultProfile: z.string().optional(),
  tables: z.object(
    Object.fromEntries(DIALECTS.map((d) => [d, fn(`tables.${d}() -> CREATE statements for ${d}`)])) as Record<
      (typeof DIALECTS)[number],
      ReturnType<typeof fn>
    >,
    { error: 'missing: tables, { postgres: () => [...DDL], mysql: () => [...DDL] }' },
  ),
  reset: fn('reset(sql, sizes): brings the tables to their seeded state'),
  operations: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/), RouteShape, {
      error: 'missing: operations, { name: { url, body, toOp } }',
    })
    .refine((o) => Object.keys(o).length > 0, { error: 'must name at least one operation' }),
  requests: fn('requests(ctx) -> { next() } giving the requests to send'),
  perform: z
    .partialRecord(StrategyName, fn('an attempt (s, op, ctx) -> outcome'), {
      error: `missing: perform, { <strategy>: (s, op, ctx) => outcome } for some of ${STRATEGY_NAMES.join(', ')}`,
    })
    .refine((p) => Object.keys(p).length > 0, {
      error: 'must perform the operation for at least one strategy',
    }),
  notApplicable: z.partialRecord(StrategyName, z.string().min(1)).optional(),
  identity: fn('identity(op) -> the ledger fields that identify the operation'),
  check: fn('check(sql, ctx) -> the invariants, as findings [{ kind, count, words }]'),
});

const Statements = z.array(z.string().min(1), { error: 'must return an array of SQL strings' }).min(1);

const RequestShape = z.object({
  method: z.enum(['GET', 'POST']),
  path: z.string().startsWith('/'),
  body: z.string().optional(),
  op: z
    .object({ kind: z.string().min(1), opId: z.string().min(1) })
    .loose()
    .nullable(),
});

const IdentityShape = z.object({
  opId: z.string(),
  kind: z.string(),
  amount: z.number(),
  accountId: z.number().optional(),
  counterAccountId: z.number().optional(),
  eventId: z.number().optional(),
  itemId: z.number().optional(),
});

/** What a module's `check` must return; validated after every cell. */
export const FindingsShape = z.array(
  z.object({
    kind: z.string().regex(/^[a-z][a-z0-9-]*$/),
    count: z.number().int().nonnegative(),
    amount: z.number().optional(),
    words: z.tuple([z.string().min(1), z.string().min(1)]),
    examples: z
      .array(
        z.object({
          id: z.union([z.string(), z.number()]),
          expected: z.union([z.string(), z.number(), z.null()]),
          actual: z.union([z.string(), z.number(), z.null()]),
          note: z.string().optional(),
        }),
      )
      .optional(),
  }),
);

function issues(prefix: string, error: z.ZodError): string[] {
  return error.issues.map(
    (i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.')}: ${i.message}`,
  );
}

/** Calls what needs no database once and checks the shapes it returns (the requests only with a context). */
function probe(m: AnyWorkload, ctx: RequestContext | null): string[] {
  const problems: string[] = [];
  const taken = new Set(
    Object.values(BUILTIN_WORKLOADS).flatMap((w) => Object.values(w.operations).map((o) => o.url)),
  );
  for (const [name, route] of Object.entries(m.operations)) {
    if (taken.has(route.url))
      problems.push(
        `operations.${name}.url: ${route.url} is a built-in workload's route; choose another path`,
      );
  }
  const attempt = (what: string, run: () => void) => {
    try {
      run();
    } catch (e) {
      problems.push(`${what} threw: ${(e as Error)?.message ?? String(e)}`);
    }
  };
  for (const d of DIALECTS) {
    attempt(`tables.${d}()`, () => {
      const out = m.tables[d]();
      const r = Statements.safeParse(out);
      if (!r.success)
        problems.push(`tables.${d}() must return an array of SQL strings; it returned ${describe(out)}`);
    });
  }
  attempt('requests(ctx)', () => {
    if (!ctx) return;
    const source = m.requests(ctx);
    if (typeof source?.next !== 'function') {
      problems.push(`requests(ctx) must return an object with next(); it returned ${describe(source)}`);
      return;
    }
    for (let i = 0; i < 20; i++) {
      const req = source.next();
      const r = RequestShape.safeParse(req);
      if (!r.success) {
        problems.push(...issues('requests(ctx).next()', r.error));
        return;
      }
      if (req.body !== undefined) JSON.parse(req.body);
      if (req.op) {
        const id = IdentityShape.safeParse(m.identity(req.op));
        if (!id.success) {
          problems.push(...issues('identity(op)', id.error));
          return;
        }
      }
    }
  });
  return problems;
}

/**
 * Imports `path` (TypeScript or JavaScript; its default export, or an export named `workload`) and
 * validates it. `ctx` feeds one trial of its request source (null: not tried). Throws WorkloadModuleError.
 */
export async function loadWorkloadModule(
  path: string,
  ctx: RequestContext | null,
): Promise<{ module: AnyWorkload; path: string }> {
  const abs = isAbsolute(path) ? path : resolve(process.cwd(), path);
  if (!existsSync(abs)) throw new WorkloadModuleError(`--workload ${path}: no such file (${abs})`);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new WorkloadModuleError(
      `--workload ${path}: the module does not load: ${(e as Error)?.message ?? String(e)}`,
    );
  }
  const candidate = exports.default ?? exports.workload;
  if (candidate === undefined) {
    throw new WorkloadModuleError(
      `--workload ${path}: the module exports no workload (export default { name, tables, reset, operations, requests, perform, identity, check, ... })`,
    );
  }
  const shape = WorkloadShape.safeParse(candidate);
  const problems = shape.success ? probe(candidate as AnyWorkload, ctx) : issues('', shape.error);
  if (problems.length > 0) {
    throw new WorkloadModuleError(
      `--workload ${path}: not a valid workload module:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return { module: candidate as AnyWorkload, path: abs };
}
