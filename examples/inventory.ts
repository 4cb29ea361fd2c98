/**
 * Your own workload: stock reservation. Run it with every strategy on both databases:
 *
 *   npm run bench -- --workload ./examples/inventory.ts
 *
 * Buyers reserve 1-5 units of an item; a reservation that would take more than is on hand is
 * refused (`out_of_stock`). Invariant: no item ever has negative stock, and what is on hand is
 * what was stocked minus what the ledger says was reserved (else an update was lost).
 */
import type { Sql } from '../core/connect.ts';
import { recordLedger } from '../strategies/ledger.ts';
import type { Session } from '../strategies/pool.ts';
import { simulateWork } from '../strategies/strategy.ts';
import { inTransaction } from '../strategies/transaction.ts';
import { idParams, pathId } from '../workloads/http-schemas.ts';
import { guarded, lockingRead, rmwPerform } from '../workloads/rmw.ts';
import type { Attempt, Finding, WorkloadModule } from '../workloads/workload.ts';

interface Reserve {
  kind: 'reserve-stock';
  sku: number;
  quantity: number;
  opId: string;
}

const ITEMS = 50;
const STOCKED = 500;

const sql = {
  postgres: {
    read: 'SELECT on_hand FROM stock WHERE sku = $1',
    write: 'UPDATE stock SET on_hand = $1, version = version + 1 WHERE sku = $2',
    readVersioned: 'SELECT on_hand, version FROM stock WHERE sku = $1',
    cas: 'UPDATE stock SET on_hand = $1, version = version + 1 WHERE sku = $2 AND version = $3',
    take: 'UPDATE stock SET on_hand = on_hand - $1, version = version + 1 WHERE sku = $2 AND on_hand >= $1',
  },
  mysql: {
    read: 'SELECT on_hand FROM stock WHERE sku = ?',
    write: 'UPDATE stock SET on_hand = ?, version = version + 1 WHERE sku = ?',
    readVersioned: 'SELECT on_hand, version FROM stock WHERE sku = ?',
    cas: 'UPDATE stock SET on_hand = ?, version = version + 1 WHERE sku = ? AND version = ?',
    take: 'UPDATE stock SET on_hand = on_hand - ?, version = version + 1 WHERE sku = ? AND on_hand >= ?',
  },
};

/** Records the reservation: `itemId` is the sku, `amount` the quantity. */
const ledger = (s: Session, op: Reserve) =>
  recordLedger(s, { opId: op.opId, kind: op.kind, amount: op.quantity, itemId: op.sku });

const outOfStock = { kind: 'rejected', reason: 'out_of_stock' } as const;
const noSuchItem = (sku: number) => ({ kind: 'not_found', entity: 'item', id: sku }) as const;

/** optimistic: read with the version, compare-and-set, retry when someone else wrote first. */
const optimistic: Attempt<Reserve> = (s, op, ctx) =>
  inTransaction(s, ctx.begin, async () => {
    const row = (await s.query<{ on_hand: number; version: number }>(sql[s.dialect].readVersioned, [op.sku]))
      .rows[0];
    if (!row) return noSuchItem(op.sku);
    await simulateWork(ctx.settings.workMs);
    const left = Number(row.on_hand) - op.quantity;
    if (left < 0) return outOfStock;
    const cas = await s.query(sql[s.dialect].cas, [left, op.sku, Number(row.version)]);
    if (cas.changed !== 1) return { kind: 'retry', reason: 'version-conflict' };
    await ledger(s, op);
    return { kind: 'ok', itemId: op.sku };
  });

/** atomic: one conditional UPDATE; zero rows changed is "not enough" (or no such item). */
const atomic: Attempt<Reserve> = (s, op, ctx) =>
  inTransaction(s, ctx.begin, async () => {
    await simulateWork(ctx.settings.workMs);
    const params = s.dialect === 'postgres' ? [op.quantity, op.sku] : [op.quantity, op.sku, op.quantity];
    const r = await s.query(sql[s.dialect].take, params);
    if (r.changed !== 1) {
      const exists = (await s.query(sql[s.dialect].read, [op.sku])).rows.length > 0;
      return exists ? outOfStock : noSuchItem(op.sku);
    }
    await ledger(s, op);
    return { kind: 'ok', itemId: op.sku };
  });

/** Per item: stocked - reserved (from the ledger) must equal on hand, and never be negative. */
async function check(db: Sql): Promise<Finding[]> {
  const { rows } = await db.query<{ sku: number; on_hand: number; reserved: number | string }>(
    `SELECT s.sku, s.on_hand, COALESCE((SELECT SUM(l.amount) FROM ledger l
        WHERE l.kind = 'reserve-stock' AND l.item_id = s.sku), 0) AS reserved
       FROM stock s ORDER BY s.sku`,
  );
  const negative = rows.filter((r) => STOCKED - Number(r.reserved) < 0 || Number(r.on_hand) < 0);
  const drift = rows.filter((r) => Number(r.on_hand) !== STOCKED - Number(r.reserved));
  const example = (r: (typeof rows)[number]) => ({
    id: Number(r.sku),
    expected: STOCKED - Number(r.reserved),
    actual: Number(r.on_hand),
    note: `${r.reserved} reserved of ${STOCKED}`,
  });
  return [
    {
      kind: 'negative-stock',
      count: negative.length,
      words: ['item sold below zero', 'items sold below zero'],
      examples: negative.slice(0, 5).map(example),
    },
    {
      kind: 'stock-drift',
      count: drift.length,
      words: ['item whose stock lost an update', 'items whose stock lost an update'],
      examples: drift.slice(0, 5).map(example),
    },
  ];
}

const inventory: WorkloadModule<Reserve> = {
  name: 'inventory',
  description: 'buyers reserve units of an item; no stock may go below zero',
  defaultProfile: 'hot-set',
  tables: {
    postgres: () => [
      'CREATE TABLE IF NOT EXISTS stock (sku INT PRIMARY KEY, on_hand INT NOT NULL, version BIGINT NOT NULL DEFAULT 0)',
    ],
    mysql: () => [
      'CREATE TABLE IF NOT EXISTS stock (sku INT PRIMARY KEY, on_hand INT NOT NULL, version BIGINT NOT NULL DEFAULT 0) ENGINE=InnoDB',
    ],
  },
  async reset(db) {
    await db.query('DELETE FROM stock');
    const marks = Array.from({ length: ITEMS }, (_, i) =>
      db.dialect === 'postgres' ? `($${2 * i + 1}, $${2 * i + 2})` : '(?, ?)',
    );
    const params = Array.from({ length: ITEMS }, (_, i) => [i + 1, STOCKED]).flat();
    await db.query(`INSERT INTO stock (sku, on_hand) VALUES ${marks.join(', ')}`, params);
  },
  operations: {
    reserve: {
      url: '/stock/:id/reservations',
      params: idParams,
      body: {
        type: 'object',
        required: ['quantity', 'opId'],
        additionalProperties: false,
        properties: {
          quantity: { type: 'integer', minimum: 1, maximum: 100 },
          opId: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' },
        },
      },
      toOp(params, body) {
        const sku = pathId(params);
        if (typeof sku !== 'number') return sku;
        return { kind: 'reserve-stock', sku, quantity: body.quantity as number, opId: body.opId as string };
      },
    },
  },
  requests(ctx) {
    const keys = ctx.keys(ITEMS);
    return {
      next() {
        const sku = keys.next();
        const quantity = ctx.int(1, 5);
        const opId = ctx.opId();
        return {
          method: 'POST',
          path: `/stock/${sku}/reservations`,
          body: `{"quantity":${quantity},"opId":"${opId}"}`,
          op: { kind: 'reserve-stock', sku, quantity, opId },
        };
      },
    };
  },
  perform: {
    // naive, for-update, nowait, serializable, advisory: read with the strategy's clause, decide, write.
    ...rmwPerform<Reserve>(
      (strategy) => {
        const read = lockingRead(strategy, { postgres: sql.postgres.read, mysql: sql.mysql.read });
        return (s, op, ctx) =>
          guarded(read, s, [{ space: 'stock', id: op.sku }], ctx, async () => {
            const row = (await s.query<{ on_hand: number }>(read.sql[s.dialect], [op.sku])).rows[0];
            if (!row) return noSuchItem(op.sku);
            await simulateWork(ctx.settings.workMs);
            const left = Number(row.on_hand) - op.quantity;
            if (left < 0) return outOfStock;
            await s.query(sql[s.dialect].write, [left, op.sku]);
            await ledger(s, op);
            return { kind: 'ok', itemId: op.sku };
          });
      },
      ['naive', 'for-update', 'nowait', 'serializable', 'advisory'],
    ),
    optimistic,
    atomic,
  },
  notApplicable: {
    'skip-locked': 'a reservation names one item: skipping it when busy only turns waits into retries',
  },
  identity: (op) => ({ opId: op.opId, kind: op.kind, amount: op.quantity, itemId: op.sku }),
  check,
};

export default inventory;
