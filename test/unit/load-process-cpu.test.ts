import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { processTreeCpuSec } from '../../bench/load/process-cpu.ts';

// Linux only by design; this suite runs on Linux (the project's machines and CI are Debian).
describe('processTreeCpuSec', () => {
  it('reads this process at least as high as process.cpuUsage, and null for a missing pid', () => {
    const own = process.cpuUsage();
    const tree = processTreeCpuSec(process.pid);
    expect(tree).not.toBeNull();
    // /proc counts in clock ticks (10 ms): allow one tick each for user and system.
    expect(tree as number).toBeGreaterThanOrEqual((own.user + own.system) / 1e6 - 0.02);
    expect(processTreeCpuSec(2 ** 22 + 12345)).toBeNull();
  });

  it('includes a live child process', async () => {
    // The child burns 0.3 s of its own CPU, reports, then idles until killed.
    const child = spawn(
      process.execPath,
      [
        '-e',
        'const t=()=>{const u=process.cpuUsage();return (u.user+u.system)/1e6};while(t()<0.3){}console.log("ready");setInterval(()=>{},1000)',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(child.stdout, 'data');
      const before = process.cpuUsage();
      const tree = processTreeCpuSec(process.pid) as number;
      const childOnly = processTreeCpuSec(child.pid as number) as number;
      expect(childOnly).toBeGreaterThanOrEqual(0.28);
      expect(tree).toBeGreaterThanOrEqual((before.user + before.system) / 1e6 + childOnly - 0.03);
    } finally {
      child.kill();
    }
  });
});
