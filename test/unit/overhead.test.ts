import { describe, expect, it } from 'vitest';
import { parseOverheadArgs } from '../../scripts/overhead/options.ts';
import { parsePgbench, pgbenchScript } from '../../scripts/overhead/pgbench.ts';
import {
  type DatabaseRound,
  dbRatios,
  median,
  renderDatabase,
  renderDrivers,
} from '../../scripts/overhead/render.ts';

describe('bench:overhead options', () => {
  it('defaults, and flags override them', () => {
    const d = parseOverheadArgs([]);
    expect(d).toMatchObject({ ok: true, options: { rounds: 3, clients: 16, hotRows: 8, openRate: 20_000 } });
    const o = parseOverheadArgs(['--rounds', '4', '--only', 'drivers', '--pgbench-mode', 'simple']);
    expect(o).toMatchObject({ ok: true, options: { rounds: 4, only: 'drivers', pgbenchMode: 'simple' } });
  });

  it('names the flag and what it allows when a value is wrong', () => {
    const one = parseOverheadArgs(['--rounds', '1']);
    expect(one.ok).toBe(false);
    expect(!one.ok && one.message).toMatch(/^--rounds: /);
    const mode = parseOverheadArgs(['--pgbench-mode', 'fast']);
    expect(!mode.ok && mode.message).toMatch(/^--pgbench-mode: .*prepared/);
    const unknown = parseOverheadArgs(['--round', '3']);
    expect(!unknown.ok && unknown.message).toMatch(/unknown option --round; allowed: --rounds/);
    expect(parseOverheadArgs(['--duration']).ok).toBe(false);
  });
});

describe('the pgbench side', () => {
  it('runs the for-update deposit: lock one of the hot rows, write the computed balance, ledger row, commit', () => {
    const script = pgbenchScript('lockbench', 8);
    expect(script).toContain('\\set id random(1, 8)');
    expect(script).toMatch(/SELECT balance FROM lockbench\.accounts WHERE id = :id FOR UPDATE \\gset/);
    expect(script).toMatch(/UPDATE lockbench\.accounts SET balance = :next/);
    expect(script).toMatch(/INSERT INTO lockbench\.ledger/);
    expect(script.indexOf('BEGIN;')).toBeLessThan(script.indexOf('COMMIT;'));
  });

  it('reads tps and failed transactions from pgbench output', () => {
    const out =
      'number of failed transactions: 3 (0.010%)\nlatency average = 2.1 ms\ntps = 7612.345678 (without initial connection time)\n';
    expect(parsePgbench(out)).toEqual({ tps: 7612.345678, failed: 3 });
    expect(() => parsePgbench('connection refused')).toThrow(/no tps line/);
  });
});

describe('bench:overhead rendering', () => {
  const round = (n: number, pg: number | null, lb: number): DatabaseRound => ({
    round: n,
    first: n % 2 ? 'pgbench' : 'lockbench',
    pgbenchTps: pg,
    pgbenchFailed: 0,
    lockbenchOkPerSec: lb,
    lockbenchNotOk: 0,
    serverUsPerOk: 100,
    driverUsPerOk: 20,
  });

  it('the median ratio over rounds that have both sides', () => {
    const rounds = [round(1, 1000, 800), round(2, 2000, 1000), round(3, 1000, 700), round(4, null, 900)];
    expect(dbRatios(rounds)).toEqual([0.8, 0.5, 0.7]);
    expect(median(dbRatios(rounds))).toBe(0.7);
    expect(renderDatabase(rounds, null)).toContain('median ratio lockbench ok/s ÷ pgbench tps: 0.70');
  });

  it('driver medians as multiples of wrk, and a missing wrk as a note', () => {
    const text = renderDrivers(
      [
        { round: 1, generator: 'wrk', requestsPerSec: 20_000, cpuUsPerRequest: 10, held: null, note: '' },
        { round: 1, generator: 'closed', requestsPerSec: 15_000, cpuUsPerRequest: 20, held: null, note: '' },
        { round: 1, generator: 'open', requestsPerSec: 19_000, cpuUsPerRequest: 25, held: true, note: '' },
      ],
      null,
    );
    expect(text).toContain(
      "closed driver (median): 15,000 requests/s at 20.0 µs/request; ×0.75 wrk's requests/s, ×2.00 wrk's CPU per request",
    );
    expect(text).toContain('held its rate in 1 of 1 rounds');
    const noWrk = renderDrivers([], 'wrk not found: skipped');
    expect(noWrk).toContain('wrk not found: skipped');
    expect(noWrk).not.toContain("wrk's");
  });
});
