import { describe, expect, it } from 'vitest';
import { RunResult } from '../../core/result-schema.ts';
import { FINDINGS, observe } from '../../report/observations.ts';
import { describeViolations, shortViolation } from '../../report/violations.ts';
import { loadFixture } from './report-fixture.ts';

/**
 * The queue in the report: its own invariants in its own words, and the finding that explains
 * why SKIP LOCKED beats FOR UPDATE there. The run is the fixture's PostgreSQL tickets cells
 * relabelled as a queue, with goodputs and findings set here.
 */
function queueRun(goodput: { 'for-update': number; 'skip-locked': number }, doubled: number) {
  const base = loadFixture();
  const cells = base.cells
    .filter(
      (c) =>
        c.database === 'postgres' &&
        c.workload === 'tickets' &&
        ['naive', 'for-update', 'skip-locked'].includes(c.strategy) &&
        c.metrics !== null,
    )
    .map((c) => {
      const copy = structuredClone(c);
      copy.workload = 'queue';
      copy.key = copy.key.replace('/tickets/', '/queue/');
      if (copy.metrics && (copy.strategy === 'for-update' || copy.strategy === 'skip-locked'))
        copy.metrics.goodputPerSec = goodput[copy.strategy];
      if (copy.correctness) {
        const naive = copy.strategy === 'naive';
        Object.assign(copy.correctness, {
          violations: naive ? doubled : 0,
          oversold: 0,
          doubleBooked: 0,
          lostUpdates: 0,
          examples: [],
          findings: [
            {
              kind: 'double-completed',
              count: naive ? doubled : 0,
              words: ['job completed twice', 'jobs completed twice'],
            },
            { kind: 'job-lost', count: 0, words: ['lost job', 'lost jobs'] },
          ],
        });
      }
      return copy;
    });
  return RunResult.parse({ ...base, cells });
}

describe('the queue in the report', () => {
  it("describes naive's double completions in the workload's words", () => {
    const run = queueRun({ 'for-update': 180, 'skip-locked': 1200 }, 37);
    const naive = run.cells.find((c) => c.strategy === 'naive')?.correctness;
    if (!naive) throw new Error('fixture lacks naive');
    expect(describeViolations(naive, 'queue')).toEqual(['37 jobs completed twice']);
    expect(shortViolation(naive)).toBe('jobs completed twice');
  });

  it('explains the SKIP LOCKED finding with the two goodputs and their ratio', () => {
    const found = observe(queueRun({ 'for-update': 180, 'skip-locked': 1200 }, 1)).filter(
      (o) => o.kind === 'queue-skip-locked',
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.figures).toMatch(/skip-locked 1,200 ok\/s against for-update 180 ok\/s \(6\.67x\)/);
    expect(FINDINGS['queue-skip-locked'].explanation).toMatch(/oldest pending job/);
  });

  it('says nothing when SKIP LOCKED did not win', () => {
    const found = observe(queueRun({ 'for-update': 500, 'skip-locked': 400 }, 1));
    expect(found.map((o) => o.kind)).not.toContain('queue-skip-locked');
  });
});
