import { rmSync } from 'node:fs';

/**
 * Throwaway servers that are running now, so that no exit path leaves one behind:
 * - `stopAll()` for orderly shutdown (end of run, Ctrl-C handled by the CLI);
 * - a synchronous last resort on process 'exit' (SIGKILL + remove the directory), for paths
 *   where nothing awaited the stop (an uncaught error, process.exit from elsewhere).
 * A SIGKILLed harness cannot run either; `sweepStale()` at the next start handles that.
 */
interface Running {
  stop: () => Promise<void>;
  /** The server's pid, for the synchronous exit path. */
  pid: () => number | null;
  dir: string;
}

const running = new Set<Running>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const r of running) {
      const pid = r.pid();
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      rmSync(r.dir, { recursive: true, force: true });
    }
    running.clear();
  });
}

export function track(r: Running): () => void {
  installExitHook();
  running.add(r);
  return () => running.delete(r);
}

export async function stopAll(): Promise<void> {
  await Promise.allSettled([...running].map((r) => r.stop()));
}

/**
 * For processes with nothing else to save (tests' child processes, the server scripts): on
 * SIGINT/SIGTERM stop every throwaway server, then exit 130/143. The bench CLI installs its own
 * handler instead, because it must first write the cells that finished.
 */
export function stopAllOnSignals(): void {
  const handler = (signal: NodeJS.Signals) => {
    void stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
