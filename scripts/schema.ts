import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { writeFileAtomic } from '../bench/write-atomic.ts';
import { RunResult, SCHEMA_VERSION } from '../core/result-schema.ts';
import { isEntry } from './is-entry.ts';

/** Where the committed schema lives, relative to the repository root. */
export const SCHEMA_FILE = new URL('../results/schema.json', import.meta.url);

/**
 * The JSON Schema of a run.json file as written to disk. `io: 'input'` describes what a file may
 * contain: fields with a default (interrupted, skippedDatabases, outcomes.dropped, ...) may be absent.
 */
export function runResultJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(RunResult, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    title: `lockbench run.json (schemaVersion ${SCHEMA_VERSION})`,
    description:
      'One benchmark run: its context, every cell measured, and the correctness checks. Generated from core/result-schema.ts by `npm run schema`; do not edit.',
    ...rest,
  };
}

/** The exact text of results/schema.json. */
export function renderSchemaFile(): string {
  return `${JSON.stringify(runResultJsonSchema(), null, 2)}\n`;
}

if (isEntry(import.meta.url)) {
  const file = fileURLToPath(SCHEMA_FILE);
  await writeFileAtomic(file, renderSchemaFile());
  process.stdout.write(`${file}\n`);
}
