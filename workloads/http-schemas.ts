/**
 * JSON-schema atoms for workload routes. Fastify compiles them once (ajv, type coercion off, so
 * "10" is not an amount). Anything a schema rejects is a 400 that changes nothing.
 */

/** Largest id the INT columns hold. */
export const MAX_ID = 2_147_483_647;
/** Amounts are integer cents, 1..1e9. */
export const MAX_AMOUNT = 1_000_000_000;
export const OP_ID_PATTERN = '^[A-Za-z0-9_-]+$';

export const id = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;
export const amount = { type: 'integer', minimum: 1, maximum: MAX_AMOUNT } as const;
export const opId = { type: 'string', minLength: 1, maxLength: 64, pattern: OP_ID_PATTERN } as const;

/** Path ids arrive as text: digits only, no sign, no leading zero; the range is checked after (pathId). */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
} as const;

/** A body that is only the idempotency key. */
export const opIdBody = {
  type: 'object',
  required: ['opId'],
  additionalProperties: false,
  properties: { opId },
} as const;

/** A path id as a number, or a 400 message when it is beyond the INT range. */
export function pathId(params: Readonly<Record<string, string>>, name = 'id'): number | { invalid: string } {
  const value = Number(params[name]);
  if (!(value <= MAX_ID)) return { invalid: `params/${name} must be at most ${MAX_ID}` };
  return value;
}
