import type { RunResult } from '../core/result-schema.ts';

/** The run itself, normalised by the schema (defaults filled in), pretty-printed. Pure. */
export function renderJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
