import type { FastifyInstance, FastifyRequest } from 'fastify';

type Done = (err: Error | null, body?: unknown) => void;
/** Fastify's default JSON parser, in its callback form (its type is a union with a promise form). */
type CallbackParser = (req: FastifyRequest, body: string, done: Done) => void;

/**
 * Where a parsed JSON value holds a key that could poison a prototype: `__proto__` anywhere, or
 * `constructor` holding a `prototype` (the two Fastify's parser refuses). A path such as
 * `body/a/__proto__`, or null.
 */
export function poisonedKeyPath(value: unknown, path = 'body'): string | null {
  if (value === null || typeof value !== 'object') return null;
  for (const [key, child] of Object.entries(value)) {
    const here = `${path}/${key}`;
    if (key === '__proto__') return here;
    if (
      key === 'constructor' &&
      child !== null &&
      typeof child === 'object' &&
      Object.hasOwn(child, 'prototype')
    )
      return here;
    const deeper = poisonedKeyPath(child, here);
    if (deeper) return deeper;
  }
  return null;
}

function parsesAsJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Keeps Fastify's own JSON parser (secure-json-parse: a body with `__proto__`, or `constructor`
 * with `prototype`, is refused) but says why: it reports every refusal as "not valid JSON", which
 * is wrong for valid JSON refused for such a key. Only the refused body is parsed a second time.
 */
export function useJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error') as CallbackParser;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    parse(req, body as string, (err: Error | null, value?: unknown) => {
      if (err && (err as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        const reparsed = parsesAsJson(body as string);
        const at = reparsed.ok ? poisonedKeyPath(reparsed.value) : null;
        if (at) {
          const refused = Object.assign(
            new Error(`"__proto__" and "constructor" keys are not allowed in a JSON body (found ${at})`),
            { statusCode: 400 },
          );
          done(refused, undefined);
          return;
        }
      }
      done(err, value);
    });
  });
}
