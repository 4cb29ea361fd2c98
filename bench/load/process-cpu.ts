import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of process trees, from /proc (Linux only). The orchestrator takes deltas around a run:
 * a server started with node:cluster runs its workers as child processes, and all of them count.
 */

let ticksPerSec: number | undefined;

/** Kernel clock ticks per second (`getconf CLK_TCK`), the unit of /proc/<pid>/stat times. */
function clockTicks(): number {
  if (ticksPerSec === undefined) {
    try {
      ticksPerSec = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSec = 100;
    }
  }
  return ticksPerSec;
}

interface Stat {
  ppid: number;
  /** utime + stime + cutime + cstime, in ticks. */
  ticks: number;
}

function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // gone
  }
  // The command name (field 2) is in parentheses and may contain spaces or parentheses.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const n = (i: number) => Number(f[i - 3]);
  return { ppid: n(4), ticks: n(14) + n(15) + n(16) + n(17) };
}

/** Live children of every process, read once per call. */
function childrenOf(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const st = readStat(pid);
    if (!st) continue;
    const list = map.get(st.ppid);
    if (list) list.push(pid);
    else map.set(st.ppid, [pid]);
  }
  return map;
}

/**
 * CPU seconds (user + system) used so far by `pid` and all its live descendants, plus the
 * children they have already reaped (cutime/cstime), so a worker that exits mid-run does not make
 * the total go down. Null off Linux or when `pid` does not exist.
 */
export function processTreeCpuSec(pid: number): number | null {
  if (process.platform !== 'linux' || !existsSync('/proc/self/stat')) return null;
  const root = readStat(pid);
  if (!root) return null;
  const children = childrenOf();
  let ticks = root.ticks;
  const stack = [...(children.get(pid) ?? [])];
  for (let child = stack.pop(); child !== undefined; child = stack.pop()) {
    const st = readStat(child);
    if (!st) continue;
    ticks += st.ticks;
    stack.push(...(children.get(child) ?? []));
  }
  return ticks / clockTicks();
}

/** Sum over several trees; null if any cannot be read. */
export function processTreesCpuSec(pids: readonly number[]): number | null {
  let sum = 0;
  for (const pid of pids) {
    const s = processTreeCpuSec(pid);
    if (s === null) return null;
    sum += s;
  }
  return sum;
}

/** CPU used between `cpuWindow()` and `.stop()`: this process, and the given process trees. */
export function cpuWindow(pids: readonly number[] = []): {
  stop(): { driverSec: number; serverSec: number | null };
} {
  const self = process.cpuUsage();
  const server = pids.length ? processTreesCpuSec(pids) : null;
  return {
    stop() {
      const d = process.cpuUsage(self);
      const after = server === null ? null : processTreesCpuSec(pids);
      return {
        driverSec: (d.user + d.system) / 1e6,
        serverSec: server === null || after === null ? null : Math.max(0, after - server),
      };
    },
  };
}
