/**
 * Ctrl-C for the bench command: the first SIGINT/SIGTERM stops the current cell and lets the run
 * write what finished; another one, later, quits at once.
 *
 * "Later" matters. A terminal's Ctrl-C reaches the whole foreground process group, and every
 * wrapper in it may relay the signal to its child as well (tsx's CLI sends it again when the busy
 * child has not acknowledged it within 30 ms, then SIGKILLs it, which is why `npm run bench` runs
 * `node --import tsx` and not the tsx CLI). The harness can therefore receive two SIGINTs for one
 * key press, within milliseconds; counting the copy as a second Ctrl-C made it quit before
 * writing run.json and the reports. Signals within REPEAT_GRACE_MS of the first count once.
 */
export const REPEAT_GRACE_MS = 1000;

export interface InterruptHandlers {
  /** The first signal: stop gracefully. */
  onFirst(signal: NodeJS.Signals): void;
  /** A signal after the grace period: quit now. */
  onRepeat(signal: NodeJS.Signals): void;
}

/** Installs the handlers on SIGINT and SIGTERM; returns the function that removes them. */
export function handleInterrupts(h: InterruptHandlers, now: () => number = Date.now): () => void {
  let firstAt: number | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt === null) {
      firstAt = now();
      h.onFirst(signal);
    } else if (now() - firstAt >= REPEAT_GRACE_MS) {
      h.onRepeat(signal);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
