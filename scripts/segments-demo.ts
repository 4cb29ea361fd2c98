/**
 * One cell driven from several processes, as a fleet would: N strategy servers (servers/main.ts)
 * and K segment processes (`npm run bench -- --server-url ... --segment k/K --start-at T`), all on
 * loopback against a throwaway PostgreSQL; the parts merged (`npm run merge`) and checked once
 * (`npm run check`). Then the same cell from one process, interleaved round by round, to compare
 * goodput with the run-to-run noise. Prints figures; asserts nothing about timing.
 *
 *   LOCKBENCH_TMP=/tmp/lb npx tsx scripts/segments-demo.ts [--rounds 3] [--segments 3] [--servers 2]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { readOperations } from '../bench/merge/operations-file.ts';
import type { RunResult } from '../core/result-schema.ts';
import { loadRunResult } from '../report/load-result.ts';
import { main as check } from './check.ts';
import { isEntry } from './is-entry.ts';
import { main as merge } from './merge.ts';
import { main as seed } from './seed.ts';

const quiet = { stdout: process.stderr, stderr: process.stderr };

/** The cell every part drives: its options as the bench takes them. */
export interface CellFlags {
  strategy: string;
  workload: string;
  profile: string;
  connections: number;
  /** `5s` */
  duration: string;
  /** A fixed warm-up: segments must measure the same seconds. */
  warmup: string;
}

const flagsOf = (c: CellFlags) => [
  ...['--db', 'postgres', '--strategy', c.strategy, '--workload', c.workload, '--profile', c.profile],
  ...['--connections', String(c.connections), '--duration', c.duration, '--warmup', c.warmup],
];

/** Strategy servers as a fleet would run them: one process each, loopback, their own port. */
export async function startServers(
  dbUrl: string,
  cell: CellFlags,
  count: number,
): Promise<{ urls: string[]; stop: () => Promise<number[]> }> {
  const children: ChildProcess[] = [];
  const urls = await Promise.all(
    Array.from({ length: count }, () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'servers/main.ts', '--strategy', cell.strategy, '--workload', cell.workload],
        { env: { ...process.env, LOCKBENCH_DB_URL: dbUrl }, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(child);
      return new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout?.setEncoding('utf8').on('data', (c: string) => {
          out += c;
          if (out.includes('\n'))
            resolve(
              `http://127.0.0.1:${(JSON.parse(out.split('\n')[0] as string) as { port: number }).port}`,
            );
        });
        child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
      });
    }),
  );
  const stop = () =>
    Promise.all(
      children.map(
        (c) =>
          new Promise<number>((resolve) => {
            if (c.exitCode !== null) return resolve(c.exitCode);
            c.once('exit', (code) => resolve(code ?? -1));
            c.kill('SIGTERM');
          }),
      ),
    );
  return { urls, stop };
}

/** One bench process against servers elsewhere; resolves to its run directory. */
function bench(args: string[], out: string): Promise<string> {
  mkdirSync(out, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/main.ts', ...args, '--out', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench exited ${code}: ${err.slice(-600)}`));
      const runs = readdirSync(out).filter((d) => d !== 'latest');
      resolve(join(out, runs[0] as string));
    });
  });
}

export interface SegmentedRun {
  parts: RunResult[];
  merged: RunResult;
  mergedDir: string;
  checkCode: number;
  /** Acknowledged operations the check took, over every part. */
  acknowledged: number;
}

/** Seeds, drives the cell as `segments` processes starting together, merges and checks once. */
export async function runSegmented(
  dbUrl: string,
  cell: CellFlags,
  urls: readonly string[],
  segments: number,
  root: string,
  startDelayMs = 20_000,
): Promise<SegmentedRun> {
  const flags = flagsOf(cell);
  if ((await seed([...flags, '--pg-url', dbUrl], quiet)) !== 0) throw new Error('seed failed');
  // Agreed in advance, with time for every process to load (several seconds each on a busy
  // 2-core machine) and check its server.
  const startAt = Date.now() + startDelayMs;
  const dirs = await Promise.all(
    Array.from({ length: segments }, (_, i) =>
      bench(
        [
          ...flags,
          ...urls.flatMap((u) => ['--server-url', u]),
          ...['--segment', `${i + 1}/${segments}`, '--start-at', String(startAt)],
        ],
        join(root, `seg${i + 1}`),
      ),
    ),
  );
  const parts = await Promise.all(dirs.map((d) => loadRunResult(join(d, 'run.json'))));
  let mergedDir = '';
  const out = {
    stdout: {
      write: (s: string) => {
        mergedDir += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    stderr: process.stderr,
  };
  if ((await merge([...dirs, '--out', join(root, 'merged')], out)) !== 0) throw new Error('merge failed');
  mergedDir = mergedDir.trim();
  const checkCode = await check([mergedDir, '--pg-url', dbUrl], quiet);
  const merged = await loadRunResult(join(mergedDir, 'run.json'));
  const acknowledged = readOperations(mergedDir).reduce((s, o) => s + o.acknowledged.length, 0);
  return { parts, merged, mergedDir, checkCode, acknowledged };
}

/** The same cell from one process against one server. */
export async function runSingle(
  dbUrl: string,
  cell: CellFlags,
  url: string,
  root: string,
): Promise<RunResult> {
  const flags = flagsOf(cell);
  if ((await seed([...flags, '--pg-url', dbUrl], quiet)) !== 0) throw new Error('seed failed');
  const dir = await bench([...flags, '--server-url', url], root);
  return loadRunResult(join(dir, 'run.json'));
}

/** p99 (ms) of the parts' all-response histograms decoded and added: what the merged p99 must equal. */
export function p99OfAdded(parts: readonly RunResult[]): number {
  const hists = parts.map((p) =>
    decodeFromCompressedBase64(p.cells[0]?.metrics?.histograms?.latencyUs as string),
  );
  const [sum, ...rest] = hists;
  if (!sum) throw new RangeError('no parts');
  for (const h of rest) sum.add(h);
  const p99 = sum.getValueAtPercentile(99) / 1000;
  for (const h of hists) h.destroy();
  return p99;
}

if (isEntry(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      segments: { type: 'string', default: '3' },
      servers: { type: 'string', default: '2' },
    },
  });
  const { startThrowawayPostgres } = await import('../bench/databases/postgres-throwaway.ts');
  const cell: CellFlags = {
    strategy: 'for-update',
    workload: 'account',
    profile: 'uniform',
    connections: 24,
    duration: '6s',
    warmup: '3s',
  };
  const root = mkdtempSync(join(process.env.LOCKBENCH_TMP ?? tmpdir(), 'segments-demo-'));
  const db = await startThrowawayPostgres();
  const line = (s: string) => process.stdout.write(`${s}\n`);
  // The servers refuse to start on tables that were never seeded.
  if ((await seed([...flagsOf(cell), '--pg-url', db.spec.url], quiet)) !== 0) throw new Error('seed failed');
  const servers = await startServers(db.spec.url, cell, Number(values.servers)).catch(async (e) => {
    await db.stop();
    throw e;
  });
  try {
    line(
      `cell ${cell.strategy} x ${cell.workload}/${cell.profile}, ${cell.connections} connections, ${cell.warmup} warm-up + ${cell.duration}; PostgreSQL ${db.info.version} throwaway; ${values.servers} servers, ${values.segments} segments`,
    );
    // A new server process climbs for seconds while its JIT warms: one discarded segmented round
    // warms every server before anything is compared.
    await runSegmented(db.spec.url, cell, servers.urls, Number(values.segments), join(root, 'warm'));
    line('warm-up round done (discarded)');
    const seg: number[] = [];
    const one: number[] = [];
    for (let r = 0; r < Number(values.rounds); r++) {
      // Interleaved, order alternating, so a slow minute of the shared machine hits both sides.
      const order = r % 2 === 0 ? ['segmented', 'single'] : ['single', 'segmented'];
      for (const side of order) {
        if (side === 'segmented') {
          const s = await runSegmented(
            db.spec.url,
            cell,
            servers.urls,
            Number(values.segments),
            join(root, `r${r}`),
          );
          const m = s.merged.cells[0]?.metrics;
          const sum = (pick: (x: NonNullable<typeof m>) => number) =>
            s.parts.reduce((t, p) => t + pick(p.cells[0]?.metrics as NonNullable<typeof m>), 0);
          if (!m) throw new Error('merged cell has no metrics');
          seg.push(m.goodputPerSec);
          line(
            `round ${r + 1} segmented: goodput ${m.goodputPerSec.toFixed(0)} ok/s; ok ${m.outcomes.ok} = sum of parts ${sum((x) => x.outcomes.ok)}; sent ${m.outcomes.sent} = ${sum((x) => x.outcomes.sent)}; parts ${s.parts.map((p) => p.cells[0]?.metrics?.outcomes.ok).join(' + ')}`,
          );
          line(
            `  merged p99 ${m.latencyMs.p99.toFixed(3)} ms = p99 of the 3 histograms added ${p99OfAdded(s.parts).toFixed(3)} ms (parts' p99s ${s.parts.map((p) => p.cells[0]?.metrics?.latencyMs.p99.toFixed(1)).join(', ')})`,
          );
          line(
            `  check: exit ${s.checkCode}, ${s.acknowledged} acknowledged operations, status ${s.merged.cells[0]?.status}, violations ${s.merged.cells[0]?.correctness?.violations}; merged run ${s.mergedDir}`,
          );
        } else {
          const run = await runSingle(
            db.spec.url,
            cell,
            servers.urls[0] as string,
            join(root, `r${r}-single`),
          );
          const m = run.cells[0]?.metrics;
          one.push(m?.goodputPerSec ?? 0);
          line(
            `round ${r + 1} one process: goodput ${(m?.goodputPerSec ?? 0).toFixed(0)} ok/s, p99 ${(m?.latencyMs.p99 ?? 0).toFixed(1)} ms`,
          );
        }
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
    line(
      `segmented goodput mean ${mean(seg).toFixed(0)} ok/s (${range(seg)}); one process ${mean(one).toFixed(0)} ok/s (${range(one)}); ratio ${(mean(seg) / mean(one)).toFixed(3)}`,
    );
  } finally {
    line(`servers stopped with ${(await servers.stop()).join(', ')}`);
    await db.stop();
  }
}
