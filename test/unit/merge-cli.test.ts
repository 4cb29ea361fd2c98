import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RunResult } from '../../core/result-schema.ts';
import { main } from '../../scripts/merge.ts';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

function writeRun(dir: string, runId: string, config: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const run = RunResult.parse({
    schemaVersion: 2,
    runId,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    tool: { name: 'lockbench', version: '0.1.0', gitSha: 'abc' },
    environment: { node: 'v20', os: 'linux', cpuModel: 'x', cpuCount: 2, memoryGiB: 1 },
    config,
    command: 'lockbench',
    databases: [],
    cells: [],
  });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
  return dir;
}

describe('npm run merge', () => {
  const root = mkdtempSync(join(process.env.LOCKBENCH_TMP ?? tmpdir(), 'merge-cli-'));

  it('refuses runs whose options differ with exit 2, naming the option and both values', async () => {
    const a = writeRun(join(root, 'a'), 'run-a', { pool: 16, workMs: 0 });
    const b = writeRun(join(root, 'b'), 'run-b', { pool: 16, workMs: 5 });
    const err = sink();
    const code = await main([a, b, '--out', join(root, 'out')], {
      stdout: sink().stream,
      stderr: err.stream,
    });
    expect(code).toBe(2);
    expect(err.text()).toContain('LOCKBENCH_MERGE_MISMATCH');
    expect(err.text()).toMatch(/option workMs differs: .*a 0, .*b 5/);
  });

  it('refuses one directory given twice, and a single directory', async () => {
    const a = writeRun(join(root, 'c'), 'run-c', { pool: 16 });
    const err = sink();
    expect(await main([a, a], { stdout: sink().stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toContain('run run-c given twice');
    expect(await main([a], { stdout: sink().stream, stderr: sink().stream })).toBe(2);
  });

  it('writes the merged run into a new directory under --out', async () => {
    const a = writeRun(join(root, 'd'), 'run-d', { pool: 16 });
    const b = writeRun(join(root, 'e'), 'run-e', { pool: 16 });
    const out = sink();
    expect(
      await main([a, b, '--out', join(root, 'merged')], { stdout: out.stream, stderr: sink().stream }),
    ).toBe(0);
    const dir = out.text().trim();
    const merged = RunResult.parse(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')));
    expect(merged.mergedFrom).toEqual(['run-d', 'run-e']);
  });
});
