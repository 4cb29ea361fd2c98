/** Pure renderers of `npm run bench:overhead`'s figures. */

/** One database-side round: the same transaction by pgbench and by lockbench, back to back. */
export interface DatabaseRound {
  round: number;
  /** Which side ran first this round. */
  first: 'pgbench' | 'lockbench';
  /** null when pgbench is not installed. */
  pgbenchTps: number | null;
  pgbenchFailed: number | null;
  lockbenchOkPerSec: number;
  /** Responses other than ok (there should be none: deposits are never refused). */
  lockbenchNotOk: number;
  /** Strategy server CPU (process tree) per ok operation, µs. */
  serverUsPerOk: number | null;
  /** Load driver CPU per ok operation, µs. */
  driverUsPerOk: number;
}

/** One driver run on the trivial route. */
export interface DriverRun {
  round: number;
  generator: 'wrk' | 'closed' | 'open';
  requestsPerSec: number;
  /** The generator's own CPU per request, µs; null when it could not be read. */
  cpuUsPerRequest: number | null;
  /** Open driver: it started at least 97% of the due requests and dropped at most 1%. */
  held: boolean | null;
  note: string;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const f = (n: number | null, d = 0) =>
  n === null || !Number.isFinite(n)
    ? '-'
    : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Per-round ratios lockbench ok/s ÷ pgbench tps (rounds with both sides). */
export function dbRatios(rounds: readonly DatabaseRound[]): number[] {
  return rounds.flatMap((r) => (r.pgbenchTps ? [r.lockbenchOkPerSec / r.pgbenchTps] : []));
}

export function renderDatabase(rounds: readonly DatabaseRound[], note: string | null): string {
  const lines = [
    '| round | first | pgbench tps | lockbench ok/s | ratio | server CPU µs/op | driver CPU µs/op |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rounds.map(
      (r) =>
        `| ${r.round} | ${r.first} | ${f(r.pgbenchTps)} | ${f(r.lockbenchOkPerSec)}${r.lockbenchNotOk ? ` (${r.lockbenchNotOk} not ok)` : ''} | ${r.pgbenchTps ? f(r.lockbenchOkPerSec / r.pgbenchTps, 2) : '-'} | ${f(r.serverUsPerOk, 1)} | ${f(r.driverUsPerOk, 1)} |`,
    ),
  ];
  const ratios = dbRatios(rounds);
  lines.push('');
  lines.push(
    ratios.length > 0
      ? `median ratio lockbench ok/s ÷ pgbench tps: ${f(median(ratios), 2)} (rounds: ${ratios.map((x) => f(x, 2)).join(', ')})`
      : `median lockbench ok/s: ${f(median(rounds.map((r) => r.lockbenchOkPerSec)))}`,
  );
  if (note) lines.push(note);
  return `${lines.join('\n')}\n`;
}

export function renderDrivers(runs: readonly DriverRun[], note: string | null): string {
  const lines = [
    '| round | generator | requests/s | generator CPU µs/req | note |',
    '| ---: | --- | ---: | ---: | --- |',
    ...runs.map(
      (r) =>
        `| ${r.round} | ${r.generator} | ${f(r.requestsPerSec)} | ${f(r.cpuUsPerRequest, 1)} | ${r.note} |`,
    ),
  ];
  const med = (g: DriverRun['generator'], k: 'requestsPerSec' | 'cpuUsPerRequest') =>
    median(runs.filter((r) => r.generator === g && r[k] !== null).map((r) => r[k] as number));
  lines.push('');
  const wrkRps = med('wrk', 'requestsPerSec');
  const wrkCpu = med('wrk', 'cpuUsPerRequest');
  for (const g of ['closed', 'open'] as const) {
    const rps = med(g, 'requestsPerSec');
    const cpu = med(g, 'cpuUsPerRequest');
    const vsWrk = Number.isFinite(wrkRps)
      ? `; ×${f(rps / wrkRps, 2)} wrk's requests/s, ×${f(cpu / wrkCpu, 2)} wrk's CPU per request`
      : '';
    const held =
      g === 'open'
        ? `; held its rate in ${runs.filter((r) => r.generator === 'open' && r.held).length} of ${runs.filter((r) => r.generator === 'open').length} rounds`
        : '';
    lines.push(`${g} driver (median): ${f(rps)} requests/s at ${f(cpu, 1)} µs/request${vsWrk}${held}`);
  }
  if (Number.isFinite(wrkRps))
    lines.push(`wrk (median): ${f(wrkRps)} requests/s at ${f(wrkCpu, 1)} µs/request`);
  if (note) lines.push(note);
  return `${lines.join('\n')}\n`;
}
