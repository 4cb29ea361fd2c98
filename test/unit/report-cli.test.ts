import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RunResult } from '../../core/result-schema.ts';
import { main, parseReportArgs } from '../../scripts/report.ts';
import { renderSchemaFile, SCHEMA_FILE } from '../../scripts/schema.ts';
import { FIXTURE_PATH, loadFixture } from './report-fixture.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'lockbench-report-'));
  dirs.push(d);
  return d;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('report CLI', () => {
  it('rejects a run.json that does not match the schema, naming the file and the issue (exit 1)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'run.json');
    const bad = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8'));
    bad.cells[0].metrics.goodputPerSec = 'fast';
    writeFileSync(file, JSON.stringify(bad));
    const r = await run([file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('LOCKBENCH_RESULT_INVALID');
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('cells[0].metrics.goodputPerSec');
    expect(readdirSync(dir)).toEqual(['run.json']);
  });

  it('rejects a file that is not JSON, naming it (exit 1, from the real process)', () => {
    const dir = tempDir();
    const file = path.join(dir, 'run.json');
    writeFileSync(file, '{ "schemaVersion": 1, ');
    const p = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/report.ts', dir], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(p.status).toBe(1);
    expect(p.stderr).toContain(`error LOCKBENCH_RESULT_INVALID: ${file} is not valid JSON`);
  });

  it('round-trips the run with --format json', async () => {
    const r = await run([fileURLToPath(FIXTURE_PATH), '--format', 'json']);
    expect(r.code).toBe(0);
    expect(RunResult.parse(JSON.parse(r.stdout))).toEqual(loadFixture());
  });

  it('writes report.md, report.html and the chart SVGs beside run.json, and nothing half-written', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'run.json'), readFileSync(FIXTURE_PATH));
    // A chart left from an earlier rendering that this run no longer has must go.
    writeFileSync(path.join(dir, 'chart-stale-throughput.svg'), '<svg/>');
    const r = await run([dir]);
    expect(r.code).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toContain('report.md');
    expect(files).toContain('report.html');
    expect(files).not.toContain('chart-stale-throughput.svg');
    expect(files.filter((f) => f.endsWith('.svg'))).toHaveLength(20);
    expect(files.filter((f) => f.includes('.tmp'))).toEqual([]);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    for (const [, link] of md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) expect(files).toContain(link);
    expect(r.stdout.trim().split('\n')).toHaveLength(22);
  }, 120_000);

  it('writes one format to --out, taking the format from the extension', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'decision.md');
    const r = await run([fileURLToPath(FIXTURE_PATH), '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^# Lockbench report/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.svg')).length).toBe(20);
  }, 120_000);

  it('refuses bad arguments with a usage error (exit 2)', async () => {
    expect((await run([])).code).toBe(2);
    const r = await run([fileURLToPath(FIXTURE_PATH), '--format', 'pdf']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('LOCKBENCH_USAGE');
    expect((await run(['/nonexistent/run.json'])).stderr).toContain('/nonexistent/run.json');
    expect(() => parseReportArgs(['x', '--out', 'report.txt'])).toThrow(/--format/);
    expect(parseReportArgs(['x', '--out', 'r.html'])).toEqual({ target: 'x', format: 'html', out: 'r.html' });
  });
});

describe('results/schema.json', () => {
  it('is exactly what `npm run schema` generates from the zod schema', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(renderSchemaFile());
  });

  it('describes the fields of a run and lets defaulted ones be absent', () => {
    const schema = JSON.parse(renderSchemaFile());
    expect(schema.required).toEqual(
      expect.arrayContaining(['schemaVersion', 'cells', 'databases', 'command']),
    );
    expect(schema.required).not.toContain('interrupted');
    expect(Object.keys(schema.properties.cells.items.properties)).toContain('correctness');
  });
});
