import type { Sql } from '../../core/connect.ts';
import type { Dialect } from '../../core/names.ts';
import type { Finding, FindingExample } from '../workload.ts';

/** At most this many examples per kind. */
const EXAMPLES = 10;

interface Statements {
  doubled: string;
  doubledExamples: string;
  lost: string;
  lostExamples: string;
  doneWithoutLedger: string;
  ledgerNotDone: string;
  mismatchExamples: string;
  running: string;
}

const doubled =
  "FROM ledger WHERE kind = 'claim' AND item_id IS NOT NULL GROUP BY item_id HAVING COUNT(*) > 1";
const common = {
  doubled: `SELECT COUNT(*) AS n FROM (SELECT item_id ${doubled}) d`,
  // An acknowledged (committed) enqueue whose job row is gone, or a job in no known state.
  lost: `SELECT (SELECT COUNT(*) FROM ledger l LEFT JOIN jobs j ON j.id = l.item_id WHERE l.kind = 'enqueue' AND j.id IS NULL)
              + (SELECT COUNT(*) FROM jobs WHERE status NOT IN ('pending', 'running', 'done')) AS n`,
  lostExamples: `SELECT l.item_id AS id, l.op_id FROM ledger l LEFT JOIN jobs j ON j.id = l.item_id
                  WHERE l.kind = 'enqueue' AND j.id IS NULL ORDER BY l.item_id LIMIT ${EXAMPLES}`,
  doneWithoutLedger: `SELECT COUNT(*) AS n FROM jobs j WHERE j.status = 'done'
                        AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.kind = 'claim' AND l.item_id = j.id)`,
  ledgerNotDone: `SELECT COUNT(*) AS n FROM ledger l JOIN jobs j ON j.id = l.item_id WHERE l.kind = 'claim' AND j.status <> 'done'`,
  mismatchExamples: `SELECT j.id, j.status FROM jobs j WHERE j.status = 'done'
                       AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.kind = 'claim' AND l.item_id = j.id) ORDER BY j.id LIMIT ${EXAMPLES}`,
  running: "SELECT COUNT(*) AS n FROM jobs WHERE status = 'running'",
};

const sql = {
  postgres: {
    ...common,
    doubledExamples: `SELECT item_id, COUNT(*) AS n, string_agg(op_id, ',' ORDER BY op_id) AS ops ${doubled} ORDER BY COUNT(*) DESC, item_id LIMIT ${EXAMPLES}`,
  },
  mysql: {
    ...common,
    doubledExamples: `SELECT item_id, COUNT(*) AS n, GROUP_CONCAT(op_id ORDER BY op_id SEPARATOR ',') AS ops ${doubled} ORDER BY COUNT(*) DESC, item_id LIMIT ${EXAMPLES}`,
  },
} satisfies Record<Dialect, Statements>;

type Count = { n: string | number };

/**
 * The queue's invariants, from the ledger (one `claim` row per completion, one `enqueue` row per
 * job a producer added, in the same transaction as the change):
 * - no job completed twice (two `claim` rows naming one job);
 * - none lost (every enqueued job still exists, every job is pending, running or done);
 * - every completion recorded (a `done` job has its claim row, a claim row's job is `done`).
 * Every acknowledged opId having its ledger row is the harness's own check. Jobs left `running`
 * (atomic claims whose worker stopped) are claimed, not lost: not counted.
 */
export async function checkQueue(db: Sql): Promise<Finding[]> {
  const q = sql[db.dialect];
  const count = async (text: string) => Number((await db.query<Count>(text)).rows[0]?.n ?? 0);
  const [doubledJobs, lost, doneWithout, notDone] = await Promise.all([
    count(q.doubled),
    count(q.lost),
    count(q.doneWithoutLedger),
    count(q.ledgerNotDone),
  ]);
  const doubledExamples: FindingExample[] = [];
  if (doubledJobs > 0) {
    const r = await db.query<{ item_id: unknown; n: unknown; ops: unknown }>(q.doubledExamples);
    for (const row of r.rows) {
      const ops = String(row.ops).split(',');
      doubledExamples.push({
        id: Number(row.item_id),
        expected: 1,
        actual: Number(row.n),
        note: `completed by ${ops.slice(0, 5).join(', ')}${ops.length > 5 ? ', ...' : ''}`,
      });
    }
  }
  const lostExamples: FindingExample[] = [];
  if (lost > 0) {
    const r = await db.query<{ id: unknown; op_id: unknown }>(q.lostExamples);
    for (const row of r.rows)
      lostExamples.push({
        id: Number(row.id),
        expected: 'job row',
        actual: null,
        note: `enqueued by ${String(row.op_id)}`,
      });
  }
  const mismatchExamples: FindingExample[] = [];
  if (doneWithout > 0) {
    const r = await db.query<{ id: unknown; status: unknown }>(q.mismatchExamples);
    for (const row of r.rows)
      mismatchExamples.push({ id: Number(row.id), expected: 'claim ledger row', actual: String(row.status) });
  }
  return [
    {
      kind: 'double-completed',
      count: doubledJobs,
      words: ['job completed twice', 'jobs completed twice'],
      examples: doubledExamples,
    },
    { kind: 'job-lost', count: lost, words: ['lost job', 'lost jobs'], examples: lostExamples },
    {
      kind: 'completion-unrecorded',
      count: doneWithout + notDone,
      words: [
        'completion the ledger and the job disagree on',
        'completions the ledger and the jobs disagree on',
      ],
      examples: mismatchExamples,
    },
  ];
}
