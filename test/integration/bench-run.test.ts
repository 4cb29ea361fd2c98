import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cell, RunResult } from '../../core/result-schema.ts';
import { EXPORT_FILES } from '../../report/export/write-exports.ts';
import {
  type BenchExit,
  eventually,
  makeSandbox,
  processesInGroup,
  processesMentioning,
  runBench,
  type Sandbox,
} from '../fixtures/bench-process.ts';

/**
 * `npm run bench` end to end, as a user runs it: throwaway PostgreSQL and MariaDB, real servers,
 * real load, the correctness check, every file a run writes. Cells are short (2 s); nothing here
 * asserts a speed, only counts that must add up and verdicts that must hold.
 */

const STRATEGIES = ['naive', 'for-update', 'optimistic', 'atomic'] as const;
const DATABASES = ['postgres', 'mysql'] as const;

/** Operations the server counted (warm-up included): the attempts histogram sums to them. */
function serverOperations(c: Cell): number {
  return Object.values(c.metrics?.retries.attemptsHistogram ?? {}).reduce((a, b) => a + b, 0);
}

function metricsOf(c: Cell) {
  if (!c.metrics || !c.correctness) throw new Error(`${c.key}: ${c.status} without metrics (${c.reason})`);
  return { m: c.metrics, o: c.metrics.outcomes, k: c.correctness };
}

/** Nothing is left: no server directory, no process in the bench's group, none using the temp root. */
async function expectNothingLeft(s: Sandbox, benchPid: number): Promise<void> {
  await eventually(() => processesInGroup(benchPid).length === 0, 5000);
  expect(processesInGroup(benchPid)).toEqual([]);
  expect(processesMentioning(s.tmp)).toEqual([]);
  expect(readdirSync(s.tmp)).toEqual([]);
}

describe('bench on both databases (account, --json)', () => {
  let s: Sandbox;
  let r: BenchExit & { stdout: string; stderr: string; pid: number };
  let fromStdout: RunResult;
  let dir: string;

  beforeAll(async () => {
    s = makeSandbox();
    // With a warm-up the server's counters are reset when the measured part begins, so they and
    // the client's counts cover the same window, give or take the requests in flight then.
    const args = [
      ...['--db', DATABASES.join(','), '--workload', 'account', '--strategy', STRATEGIES.join(',')],
      ...['--duration', '2s', '--warmup', '500ms', '--connections', '16', '--work-ms', '2'],
      ...['--out', s.out, '--json'],
    ];
    const started = Date.now();
    const res = await runBench(args, s);
    r = { ...res, pid: s.benches[0]?.pid ?? 0 };
    // For the report: how long the whole command took (not asserted).
    console.log(`bench end to end: ${Math.round((Date.now() - started) / 100) / 10} s, exit ${r.code}`);
  }, 300_000);
  afterAll(() => s?.cleanup());

  it('exits 0 and leaves no server, process or temp directory behind', async () => {
    expect(r.code, r.stderr).toBe(0);
    await expectNothingLeft(s, r.pid);
  });

  it('--json: stdout is exactly one run.json that passes the schema; human lines go to stderr', () => {
    const parsed = RunResult.safeParse(JSON.parse(r.stdout));
    expect(parsed.success, parsed.error?.message).toBe(true);
    fromStdout = parsed.data as RunResult;
    expect(r.stdout.trimStart().startsWith('{')).toBe(true);
    expect(r.stderr).toMatch(/^Plan: 8 cells on postgres \(throwaway\), mysql \(throwaway\)/m);
    expect(r.stderr).toMatch(/^\[8\/8\] mysql\/account\/hot atomic \.\.\.$/m);
    expect(r.stderr).toMatch(/^results: /m);
    expect(r.stdout).not.toMatch(/^(Plan:|\[\d+\/\d+\]|results:|Run )/m);
  });

  it('writes run.json (same as stdout), the reports, the exports and the latest link', () => {
    const latest = join(s.out, 'latest');
    dir = join(s.out, readlinkSync(latest));
    expect(basename(dir)).toBe(fromStdout.runId);
    const onDisk = RunResult.parse(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')));
    expect(onDisk).toEqual(RunResult.parse(fromStdout));
    expect(onDisk.interrupted).toBe(false);
    expect(onDisk.databases.map((d) => d.id).sort()).toEqual([...DATABASES].sort());
    expect(onDisk.databases.every((d) => d.kind === 'throwaway')).toBe(true);
    // One warm server per database: the first cell of each starts it, the others reuse it.
    for (const db of DATABASES) {
      const warm = onDisk.cells.filter((c) => c.database === db).map((c) => c.server.warmProcess);
      expect(warm, db).toEqual([false, ...Array(warm.length - 1).fill(true)]);
    }

    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    for (const strategy of STRATEGIES) expect(md).toContain(strategy);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/<html/i);
    expect(readdirSync(dir).filter((f) => f.endsWith('.svg')).length).toBeGreaterThan(0);

    const bigger = JSON.parse(readFileSync(join(dir, EXPORT_FILES.bigger), 'utf8')) as unknown[];
    const smaller = JSON.parse(readFileSync(join(dir, EXPORT_FILES.smaller), 'utf8')) as unknown[];
    for (const entries of [bigger, smaller]) {
      expect(entries.length).toBeGreaterThan(0);
      for (const e of entries)
        expect(e).toMatchObject({
          name: expect.any(String),
          unit: expect.any(String),
          value: expect.any(Number),
        });
    }
    const bencher = JSON.parse(readFileSync(join(dir, EXPORT_FILES.bencher), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(bencher).length).toBeGreaterThan(0);
  });

  it('ran every cell of the matrix, each checked', () => {
    const keys = fromStdout.cells.map((c) => `${c.database}/${c.strategy}`).sort();
    expect(keys).toEqual(DATABASES.flatMap((d) => STRATEGIES.map((st) => `${d}/${st}`)).sort());
    for (const c of fromStdout.cells) {
      expect(c.metrics, `${c.key}: ${c.reason}`).not.toBeNull();
      expect(c.correctness?.checked, c.key).toBe(true);
      expect(c.reason, c.key).toBeNull();
    }
  });

  it('client outcomes add up: sent = ok + rejected + conflict + error + timeout + inFlight', () => {
    for (const c of fromStdout.cells) {
      const { o } = metricsOf(c);
      expect(o.sent, c.key).toBe(o.ok + o.rejected + o.conflict + o.error + o.timeout + o.inFlight);
      expect(o.ok, c.key).toBeGreaterThan(0);
      // Closed model: at most one request per connection is left in flight.
      expect(o.inFlight, c.key).toBeLessThanOrEqual(c.connections);
    }
  });

  it("the server's counters reconcile with the client's within the in-flight margin", () => {
    for (const c of fromStdout.cells) {
      const { m, o, k } = metricsOf(c);
      const ops = serverOperations(c);
      // The reset at the warm-up's end is one request on its own: operations that ended between the
      // start of the measured part and the reset, or that began in the warm-up and ended after it,
      // sit on one side only. Each connection has at most one request at a time: that is the margin.
      const margin = c.connections;
      // Every answer the client classified came from an operation the server counted ...
      expect(ops, c.key).toBeGreaterThanOrEqual(o.ok + o.rejected + o.conflict - margin);
      // ... and the server cannot have counted a request the client never sent; the gap is what the
      // client never saw the end of (in flight, timed out, transport errors).
      expect(ops, c.key).toBeLessThanOrEqual(o.sent + margin);
      expect(m.errors.other, c.key).toBeLessThanOrEqual(o.error + o.timeout + o.inFlight);
      // Ledger entries the client never saw acknowledged are bounded by the same margin.
      expect(k.indeterminate, c.key).toBeLessThanOrEqual(o.inFlight + o.timeout + o.error);
      expect(k.acknowledgedLost, c.key).toBe(0);
    }
  });

  it('naive loses updates on both databases; the safe strategies keep every invariant', () => {
    for (const c of fromStdout.cells) {
      const { k } = metricsOf(c);
      if (c.strategy === 'naive') {
        expect(k.claimsSafe, c.key).toBe(false);
        // No safety claimed: anomalies are the finding, not a failure.
        expect(c.status, c.key).toBe('ok');
        expect(k.violations, `${c.key}: ${JSON.stringify(k.examples)}`).toBeGreaterThan(0);
        expect(k.lostUpdates + Math.abs(k.moneyDrift), c.key).toBeGreaterThan(0);
      } else {
        expect(k.claimsSafe, c.key).toBe(true);
        expect(k.violations, `${c.key}: ${JSON.stringify(k.examples)}`).toBe(0);
        expect(c.status, c.key).toBe('ok');
      }
    }
  });
});

describe('bench tickets/sellout (PostgreSQL)', () => {
  it('naive oversells or double-books; skip-locked sells each seat once', async ({ onTestFinished }) => {
    const s = makeSandbox();
    onTestFinished(() => s.cleanup());
    const r = await runBench(
      [
        ...[
          '--db',
          'postgres',
          '--workload',
          'tickets',
          '--profile',
          'sellout',
          '--strategy',
          'naive,skip-locked',
        ],
        ...['--duration', '2s', '--warmup', '500ms', '--connections', '16', '--work-ms', '2', '--out', s.out],
      ],
      s,
    );
    expect(r.code, r.stderr).toBe(0);
    await expectNothingLeft(s, s.benches[0]?.pid ?? 0);
    expect(existsSync(join(s.out, 'latest', 'report.md'))).toBe(true);
    const result = RunResult.parse(JSON.parse(readFileSync(join(s.out, 'latest', 'run.json'), 'utf8')));
    const byStrategy = Object.fromEntries(result.cells.map((c) => [c.strategy, c]));
    expect(Object.keys(byStrategy).sort()).toEqual(['naive', 'skip-locked']);

    const naive = metricsOf(byStrategy.naive as Cell);
    expect(byStrategy.naive?.status).toBe('ok');
    expect(naive.k.oversold + naive.k.doubleBooked, JSON.stringify(naive.k.examples)).toBeGreaterThan(0);

    const skip = metricsOf(byStrategy['skip-locked'] as Cell);
    expect(byStrategy['skip-locked']?.status).toBe('ok');
    expect(skip.k.claimsSafe).toBe(true);
    expect(skip.k.violations, JSON.stringify(skip.k.examples)).toBe(0);

    for (const c of result.cells) {
      const { o } = metricsOf(c);
      expect(o.sent, c.key).toBe(o.ok + o.rejected + o.conflict + o.error + o.timeout + o.inFlight);
      // The server's counters are reset when the warm-up ends: equal within one request per connection.
      expect(serverOperations(c), c.key).toBeGreaterThanOrEqual(
        o.ok + o.rejected + o.conflict - c.connections,
      );
      expect(serverOperations(c), c.key).toBeLessThanOrEqual(o.sent + c.connections);
    }
  }, 240_000);
});
