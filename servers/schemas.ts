/**
 * JSON schemas for the routes (servers/protocol.ts). Fastify compiles them once: ajv validates
 * bodies (with type coercion off, so "10" is not an amount) and fast-json-stringify writes
 * replies (a compiled serializer is several times cheaper per reply than JSON.stringify). Anything
 * a schema rejects is a 400 that changes nothing. A reply schema lists every field the route ever
 * sends: fast-json-stringify drops the others.
 */

/** Largest id the INT columns hold. */
export const MAX_ID = 2_147_483_647;
/** protocol.ts: amount is integer cents, 1..1e9. */
export const MAX_AMOUNT = 1_000_000_000;
export const OP_ID_PATTERN = '^[A-Za-z0-9_-]+$';
/** Request bodies are a few dozen bytes; anything larger is refused with 413 before parsing. */
export const BODY_LIMIT = 1024;

const id = { type: 'integer', minimum: 1, maximum: MAX_ID } as const;
const amount = { type: 'integer', minimum: 1, maximum: MAX_AMOUNT } as const;
const opId = { type: 'string', minLength: 1, maxLength: 64, pattern: OP_ID_PATTERN } as const;

/** Path ids arrive as text: digits only, no sign, no leading zero; the range is checked after. */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' } },
} as const;

export const accountBody = {
  type: 'object',
  required: ['amount', 'opId'],
  additionalProperties: false,
  properties: { amount, opId },
} as const;

export const transferBody = {
  type: 'object',
  required: ['from', 'to', 'amount', 'opId'],
  additionalProperties: false,
  properties: { from: id, to: id, amount, opId },
} as const;

export const reservationBody = {
  type: 'object',
  required: ['opId'],
  additionalProperties: false,
  properties: { opId },
} as const;

/**
 * One reply shape for every status of an operation route: an OperationResponse, or an error
 * body { error, message } for requests that never became operations. All fields optional, so
 * the serializer never throws on the shape it was not given.
 */
export const operationReply = {
  type: 'object',
  properties: {
    outcome: { type: 'string' },
    opId: { type: 'string' },
    attempts: { type: 'integer' },
    reason: { type: 'string' },
    duplicate: { type: 'boolean' },
    seatId: { type: 'integer' },
    balance: { type: 'integer' },
    itemId: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export const operationResponses = {
  '2xx': operationReply,
  '4xx': operationReply,
  '5xx': operationReply,
} as const;

/** The body of every reply that is not an operation's: 4xx and 5xx of every route. */
export const errorReply = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

const integer = { type: 'integer' } as const;

/** GET /accounts/:id (strategies/lookups.ts AccountView). */
export const accountResponses = {
  '2xx': { type: 'object', properties: { id: integer, balance: integer, version: integer } },
  '4xx': errorReply,
  '5xx': errorReply,
} as const;

/** GET /events/:id (strategies/lookups.ts EventView). */
export const eventResponses = {
  '2xx': { type: 'object', properties: { id: integer, capacity: integer, free: integer, sold: integer } },
  '4xx': errorReply,
  '5xx': errorReply,
} as const;
