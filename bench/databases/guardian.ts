import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { childEnv } from './child-env.ts';

/**
 * A watchdog per throwaway server, so a database never outlives the harness that started it, even
 * when the harness is SIGKILLed (no exit hook runs then). The guardian is a tiny shell in a process
 * group of its own (a terminal's Ctrl-C does not reach it) that reads a pipe from the harness. The
 * pipe ends only when the harness process is gone; then the guardian stops the server, but only if
 * that pid still runs with the server directory in its command line (a recycled pid is left
 * alone), and removes the directory. An orderly stop kills the guardian first (`dismiss`).
 */
const SCRIPT = `
read -r _
pid=$1 dir=$2 sig=$3
# Alive and not a zombie: an orphaned server may wait for a slow init to reap it.
running() { st=$(ps -o stat= -p "$pid" 2>/dev/null); [ -n "$st" ] && [ "\${st#Z}" = "$st" ]; }
if ps -ww -o command= -p "$pid" 2>/dev/null | grep -qF -- "$dir"; then
  kill -s "$sig" "$pid" 2>/dev/null
  n=0
  while running && [ "$n" -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
  running && kill -s KILL "$pid" 2>/dev/null
fi
rm -rf -- "$dir"
`;

export interface Guardian {
  /** Ends the guardian without letting it act: the harness stops the server itself. Idempotent. */
  dismiss(): void;
}

/**
 * `signal`: how the server is stopped when its owner dies (PostgreSQL: QUIT, an immediate shutdown
 * that takes its helper processes with it; MariaDB: KILL).
 */
export function startGuardian(serverPid: number, dir: string, signal: 'QUIT' | 'KILL'): Guardian {
  const child = spawn('sh', ['-c', SCRIPT, 'lockbench-guardian', String(serverPid), dir, signal], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    env: childEnv(),
  });
  child.on('error', () => {});
  // Neither the process nor the pipe may keep the harness's event loop alive.
  child.unref();
  (child.stdin as unknown as Socket | null)?.unref();
  child.stdin?.on('error', () => {});
  let dismissed = false;
  return {
    dismiss() {
      if (dismissed) return;
      dismissed = true;
      try {
        // The whole group: the shell and whatever it runs at that moment.
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {}
    },
  };
}
