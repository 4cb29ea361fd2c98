import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { resetAndSeed } from '../../bench/databases/index.ts';
import { isAlive } from '../../bench/databases/server-dirs.ts';
import { specFor } from '../helpers/db.ts';

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

describe('a benchmark server whose harness dies', () => {
  it('stops by itself, workers included, when the harness is SIGKILLed', async () => {
    const spec = specFor('postgres', 't_orphan');
    await resetAndSeed(spec, { accounts: 10, initialBalance: 100, events: 1, seatsPerEvent: 10 });
    const parent = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/server-parent.ts', spec.schema],
      {
        env: { ...process.env, LOCKBENCH_DB_URL: spec.url },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      parent.once('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
      createInterface({ input: parent.stdout as NonNullable<typeof parent.stdout> }).once('line', resolve);
    });
    const { pid } = JSON.parse(line) as { pid: number };
    const workers = childrenOf(pid);
    expect(workers.length).toBe(2);
    expect(isAlive(pid)).toBe(true);

    parent.kill('SIGKILL');
    expect(await gone(pid, 15_000)).toBe(true);
    for (const w of workers) expect(await gone(w, 5_000)).toBe(true);
  });
});
