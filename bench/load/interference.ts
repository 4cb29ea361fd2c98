import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Interference } from '../../core/result-schema.ts';
import { processTreeCpuSec } from './process-cpu.ts';

/**
 * What else used the machine while a cell was measured. /proc/stat's first line gives the whole
 * machine's busy and steal time; the bench process's own tree (this process, the strategy server,
 * the throwaway databases: all started by it) is what the run itself used. The difference is what
 * other processes took. Linux only: null elsewhere.
 */

/** Share of the machine taken by others (and steal) from which a cell is flagged. */
export const SUSPECT_SHARE = 0.15;

interface MachineTimes {
  /** user + nice + system + irq + softirq, seconds over all cores. */
  busySec: number;
  stealSec: number;
}

/** /proc/stat reports USER_HZ ticks, 100 per second on every Linux architecture. */
const USER_HZ = 100;

function machineTimes(): MachineTimes | null {
  if (process.platform !== 'linux' || !existsSync('/proc/stat')) return null;
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
    return { busySec: (user + nice + system + irq + softirq) / USER_HZ, stealSec: steal / USER_HZ };
  } catch {
    return null;
  }
}

/** Opens the window now; `stop` closes it and judges it. */
export function interferenceWindow(databaseCounted: boolean): { stop(): Interference | null } {
  const startMs = performance.now();
  const m0 = machineTimes();
  const own0 = processTreeCpuSec(process.pid);
  return {
    stop() {
      const m1 = machineTimes();
      const own1 = processTreeCpuSec(process.pid);
      if (!m0 || !m1 || own0 === null || own1 === null) return null;
      const seconds = (performance.now() - startMs) / 1000;
      const cores = Math.max(1, cpus().length);
      const machineBusySec = Math.max(0, m1.busySec - m0.busySec);
      const ownSec = Math.max(0, own1 - own0);
      const otherSec = Math.max(0, machineBusySec - ownSec);
      const stealSec = Math.max(0, m1.stealSec - m0.stealSec);
      const otherShare = seconds > 0 ? Math.min(1, (otherSec + stealSec) / (cores * seconds)) : 0;
      return {
        cores,
        machineBusySec,
        ownSec,
        otherSec,
        stealSec,
        otherShare,
        databaseCounted,
        suspect: otherShare >= SUSPECT_SHARE,
      };
    },
  };
}
