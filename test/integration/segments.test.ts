import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrowawayPostgres } from '../../bench/databases/postgres-throwaway.ts';
import type { DatabaseTarget } from '../../bench/databases/target.ts';
import type { Metrics } from '../../core/result-schema.ts';
import { main as seed } from '../../scripts/seed.ts';
import { type CellFlags, p99OfAdded, runSegmented, startServers } from '../../scripts/segments-demo.ts';

/**
 * One cell from 3 segment processes against 2 strategy server processes on loopback, merged and
 * checked once. Its own throwaway PostgreSQL: the bench's default schema must not collide with
 * other files' runs. Figures (goodput against one process) are scripts/segments-demo.ts's job.
 */
const cell: CellFlags = {
  strategy: 'for-update',
  workload: 'account',
  profile: 'hot-set',
  connections: 6,
  duration: '2s',
  warmup: '1s',
};
const quiet = { stdout: process.stderr, stderr: process.stderr };

describe('segments merged into one cell', () => {
  let db: DatabaseTarget;
  let servers: Awaited<ReturnType<typeof startServers>>;
  beforeAll(async () => {
    db = await startThrowawayPostgres();
    const flags = [
      '--db',
      'postgres',
      '--strategy',
      cell.strategy,
      '--workload',
      cell.workload,
      '--profile',
      cell.profile,
    ];
    expect(await seed([...flags, '--pg-url', db.spec.url], quiet)).toBe(0);
    servers = await startServers(db.spec.url, cell, 2);
  }, 60_000);
  afterAll(async () => {
    expect(await servers?.stop()).toEqual([0, 0]);
    await db?.stop();
  }, 30_000);

  it('counts add up, the p99 is that of the parts histograms added, the check runs once and passes', async () => {
    const root = mkdtempSync(join(process.env.LOCKBENCH_TMP ?? tmpdir(), 'segments-'));
    const s = await runSegmented(db.spec.url, cell, servers.urls, 3, root, 30_000);
    expect(s.parts.map((p) => p.segment)).toEqual(
      [1, 2, 3].map((index) => ({ index, count: 3, startAt: expect.any(Number) })),
    );
    const m = s.merged.cells[0]?.metrics;
    if (!m) throw new Error('the merged cell has no metrics');
    const parts = s.parts.map((p) => p.cells[0]?.metrics as Metrics);
    const sum = (pick: (x: Metrics) => number) => parts.reduce((t, p) => t + pick(p), 0);
    expect(m.outcomes).toEqual({
      sent: sum((x) => x.outcomes.sent),
      ok: sum((x) => x.outcomes.ok),
      rejected: sum((x) => x.outcomes.rejected),
      conflict: sum((x) => x.outcomes.conflict),
      error: sum((x) => x.outcomes.error),
      timeout: sum((x) => x.outcomes.timeout),
      inFlight: sum((x) => x.outcomes.inFlight),
      dropped: sum((x) => x.outcomes.dropped),
    });
    expect(m.outcomes.ok).toBeGreaterThan(0);
    expect(m.latencyMs.count).toBe(sum((x) => x.latencyMs.count));
    expect(Math.abs(m.latencyMs.p99 - p99OfAdded(s.parts))).toBeLessThan(1e-9);
    // Each part connected with its share; the cell records the whole.
    expect(s.merged.cells[0]?.connections).toBe(cell.connections);
    // The parts are unchecked; the merged cell was checked once, on every part's operations.
    expect(s.parts.map((p) => p.cells[0]?.correctness)).toEqual([null, null, null]);
    expect(s.checkCode).toBe(0);
    expect(s.merged.cells[0]?.status).toBe('ok');
    expect(s.merged.cells[0]?.correctness).toMatchObject({
      checked: true,
      violations: 0,
      acknowledgedLost: 0,
    });
    expect(s.acknowledged).toBeGreaterThanOrEqual(m.outcomes.ok);
    expect(s.merged.databases.map((d) => d.product)).toEqual(['postgresql']);
  }, 180_000);
});
