import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BenchConfig, type BenchConfigInput, BenchConfigSchema } from '../../bench/config.ts';
import { attachConsole, planText, summaryText } from '../../bench/console.ts';
import { makePlan, type RunEvents, redactConfig } from '../../bench/orchestrator.ts';
import { CELL_OVERHEAD_SEC, RUN_OVERHEAD_SEC, TYPICAL_AUTO_WARMUP_SEC } from '../../bench/plan.ts';
import { LockbenchError } from '../../core/errors.ts';
import { type Cell, RunResult } from '../../core/result-schema.ts';

/** The bench command's pure parts: the plan it runs, what it records, what it prints. */

const config = (input: BenchConfigInput): BenchConfig => BenchConfigSchema.parse(input);
const fixture = RunResult.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'run-small.json'), 'utf8')),
);

describe('makePlan', () => {
  it('orders cells repeat-major, then database-major: every postgres cell of a repeat before mysql', () => {
    const plan = makePlan(
      config({ strategy: ['naive', 'atomic'], workload: ['account'], db: ['postgres', 'mysql'], repeat: 2 }),
      '/usr/sbin/mariadbd',
    );
    expect(plan.cells.map((c) => `${c.repeat}:${c.database}/${c.strategy}`)).toEqual([
      '0:postgres/naive',
      '0:postgres/atomic',
      '0:mysql/naive',
      '0:mysql/atomic',
      '1:postgres/naive',
      '1:postgres/atomic',
      '1:mysql/naive',
      '1:mysql/atomic',
    ]);
    // Repeats of one cell share its key: comparisons join on it.
    expect(new Set(plan.cells.map((c) => c.key)).size).toBe(4);
    expect(plan.databases).toEqual([
      { id: 'postgres', source: 'throwaway' },
      { id: 'mysql', source: 'throwaway' },
    ]);
    // Auto warm-up: a typical 4 s is assumed, then 5 s measured.
    expect(plan.estimateSec).toBe(
      Math.round(RUN_OVERHEAD_SEC + 8 * (TYPICAL_AUTO_WARMUP_SEC + 5 + CELL_OVERHEAD_SEC)),
    );
  });

  it('a sweep of connections or rates is one cell per level, with the level in the key', () => {
    const closed = makePlan(
      config({ strategy: ['atomic'], workload: ['account'], db: ['postgres'], connections: '4,16' }),
      null,
    );
    expect(closed.cells.map((c) => c.key)).toEqual([
      'postgres/account/hot/atomic/closed/c4',
      'postgres/account/hot/atomic/closed/c16',
    ]);
    const open = makePlan(
      config({
        strategy: ['atomic'],
        workload: ['account'],
        db: ['postgres'],
        rate: '100,200',
        connections: 8,
      }),
      null,
    );
    expect(open.cells.map((c) => [c.model, c.rate, c.connections, c.key])).toEqual([
      ['open', 100, 8, 'postgres/account/hot/atomic/open/r100'],
      ['open', 200, 8, 'postgres/account/hot/atomic/open/r200'],
    ]);
  });

  it('uses each workload its default profile (transfers a hot set: one hot pair cannot deadlock)', () => {
    const plan = makePlan(config({ strategy: ['for-update'], db: ['postgres'] }), null);
    expect(plan.cells.map((c) => `${c.workload}/${c.profile}`)).toEqual([
      'account/hot',
      'transfer/hot-set',
      'tickets/hot',
    ]);
  });

  it('skips MySQL with the fix when none is installed and none was asked for', () => {
    const plan = makePlan(config({ strategy: ['naive'], workload: ['account'] }), null);
    expect(plan.databases.map((d) => d.id)).toEqual(['postgres']);
    expect(plan.skipped).toEqual([
      { id: 'mysql', reason: expect.stringMatching(/--mysql-url/), code: 'LOCKBENCH_DB_UNAVAILABLE' },
    ]);
    expect(plan.cells.every((c) => c.database === 'postgres')).toBe(true);
    expect(planText(plan, config({ strategy: ['naive'], workload: ['account'] }))).toMatch(
      /^ {2}skipped {5}mysql: LOCKBENCH_DB_UNAVAILABLE: no MySQL-family server installed/m,
    );
  });

  it('refuses, before anything starts, a MySQL the user asked for but cannot have', () => {
    const ask = () => makePlan(config({ strategy: ['naive'], workload: ['account'], db: ['mysql'] }), null);
    expect(ask).toThrow(LockbenchError);
    expect(ask).toThrow(/--db mysql: no mariadbd or mysqld found/);
  });

  it('uses a URL given for a database instead of a throwaway server', () => {
    const plan = makePlan(
      config({ strategy: ['naive'], workload: ['account'], mysqlUrl: 'mysql://u:p@127.0.0.1:3306/x' }),
      null,
    );
    expect(plan.databases).toEqual([
      { id: 'postgres', source: 'throwaway' },
      { id: 'mysql', source: 'external', url: 'mysql://u:p@127.0.0.1:3306/x' },
    ]);
  });
});

describe('redactConfig', () => {
  it('keeps the URLs but never their passwords', () => {
    const c = config({
      pgUrl: 'postgres://bench:s3cret@127.0.0.1:5432/db',
      mysqlUrl: 'mysql://root:hunter2@127.0.0.1:3306/x',
    });
    const r = redactConfig(c);
    expect(JSON.stringify(r)).not.toMatch(/s3cret|hunter2/);
    expect(r.pgUrl).toBe('postgres://bench:***@127.0.0.1:5432/db');
    expect(r.mysqlUrl).toBe('mysql://root:***@127.0.0.1:3306/x');
    expect(r.strategy).toEqual(c.strategy);
  });
});

describe('console lines', () => {
  const cfg = config({ strategy: ['naive'], workload: ['account'] });

  it('one line per finished cell: figures and the verdict, or the status and its reason', () => {
    const events = new EventEmitter<RunEvents>();
    const lines: string[] = [];
    const out = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const detach = attachConsole(events, { out, config: cfg });
    const naive = fixture.cells.find((c) => c.strategy === 'naive') as Cell;
    const safe = fixture.cells.find((c) => c.strategy === 'for-update') as Cell;
    const failed = fixture.cells.find((c) => c.status === 'failed') as Cell;
    events.emit('cell-end', naive, { index: 0, total: 3 });
    events.emit('cell-end', safe, { index: 1, total: 3 });
    events.emit('cell-end', failed, { index: 2, total: 3 });
    detach();
    detach();
    events.emit('cell-end', safe, { index: 1, total: 3 });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^ {2}postgres\/account\/hot naive c=32: [\d,]+ ok\/s, p99 [\d.,]+ ms, [\d.]+ extra attempts\/op, 38 anomalies \(expected: no safety claimed\)\n$/,
    );
    expect(lines[1]).toMatch(/^ {2}postgres\/account\/hot for-update c=8: .*, correct\n$/);
    expect(lines[2]).toBe(`  ${failed.database}/account/hot advisory c=32: failed (${failed.reason})\n`);
  });

  it('a skipped database and a failed cell print their LOCKBENCH_* code before the reason', () => {
    const events = new EventEmitter<RunEvents>();
    const lines: string[] = [];
    const out = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const detach = attachConsole(events, { out, config: cfg });
    const failed = fixture.cells.find((c) => c.status === 'failed') as Cell;
    const reason = 'database mysql unavailable: cannot start mariadbd';
    events.emit('database-skipped', {
      id: 'mysql',
      reason: 'cannot start',
      code: 'LOCKBENCH_DB_START_FAILED',
    });
    events.emit('cell-end', { ...failed, reason, code: 'LOCKBENCH_DB_START_FAILED' }, { index: 0, total: 1 });
    detach();
    expect(lines).toEqual([
      'database mysql skipped: LOCKBENCH_DB_START_FAILED: cannot start\n',
      `  ${failed.database}/account/hot advisory c=32: failed (LOCKBENCH_DB_START_FAILED: ${reason})\n`,
    ]);
  });

  it('the summary names unsafe and failed cells and where the report is', () => {
    const unsafe: Cell = { ...(fixture.cells[2] as Cell), status: 'unsafe' };
    const result: RunResult = { ...fixture, interrupted: true, cells: [unsafe, ...fixture.cells.slice(3)] };
    const text = summaryText(result, 'results/x');
    expect(text).toMatch(/\(interrupted: only finished cells are kept\)/);
    expect(text).toMatch(/^UNSAFE: postgres\/account\/for-update broke invariants they claim to keep$/m);
    expect(text).toMatch(/^1 cell\(s\) failed; see reasons above$/m);
    expect(text).toMatch(/Report: results\/x\/report\.md/);
  });
});
