import { randomBytes } from 'node:crypto';

/** What the protocol accepts as an opId (servers/protocol.ts). */
export const OP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Longest prefix that leaves room for the counter (11 base-36 digits cover 2^53). */
export const OP_ID_PREFIX_MAX = 52;

/**
 * Fresh operation ids: `<prefix>-<counter in base 36>`. Unique within a generator; unique across
 * hosts and processes when each gets its own prefix (e.g. `<runId>h2`). Without a prefix a random
 * one is drawn, on purpose outside the seeded streams: opIds must never repeat across runs on a
 * table that keeps its ledger.
 */
export function opIdGenerator(prefix?: string): () => string {
  const p = prefix ?? randomBytes(6).toString('base64url');
  if (p.length > OP_ID_PREFIX_MAX || !OP_ID_PATTERN.test(p)) {
    throw new RangeError(
      `opId prefix must be 1..${OP_ID_PREFIX_MAX} chars of [A-Za-z0-9_-], got ${JSON.stringify(p)}`,
    );
  }
  const head = `${p}-`;
  let n = 0;
  return () => head + (n++).toString(36);
}
