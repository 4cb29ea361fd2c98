/**
 * JSON schemas for the routes (servers/protocol.ts). Fastify compiles them once: ajv validates
 * bodies (with type coercion off, so "10" is not an amount) and fast-json-stringify writes
 * replies (a compiled serializer is several times cheaper per reply than JSON.stringify). Anything
 * a schema rejects is a 400 that changes nothing. A reply schema lists every field the route ever
 * sends: fast-json-stringify drops the others.
 */

/** The JSON-schema atoms every workload's routes use live with the workloads (workloads/http-schemas.ts). */
export { idParams, MAX_AMOUNT, MAX_ID, OP_ID_PATTERN } from '../workloads/http-schemas.ts';

/** Request bodies are a few dozen bytes; anything larger is refused with 413 before parsing. */
export const BODY_LIMIT = 1024;

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
