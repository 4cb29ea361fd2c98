import type { EventEmitter } from 'node:events';
import cliProgress from 'cli-progress';
import type { LoadProgress } from './recorder.ts';

/**
 * Shows driver progress on stderr: a live bar on a TTY, else one plain line every 5 s (a CI log
 * stays readable). Subscribes to `progress` events; the drivers themselves never print.
 */

/** One progress line. Pure. */
export function progressLine(p: LoadProgress): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const elapsed = Math.round(p.elapsedSec);
  const total = Math.round(p.elapsedSec + p.remainingSec);
  return (
    `${elapsed}/${total} s ${p.stage}: ${Math.round(p.requestsPerSec)} req/s, ${Math.round(p.goodputPerSec)} ok/s, ` +
    `p99 ${p.p99Ms.toFixed(1)} ms, conflicts ${pct(p.conflictRate)}, in flight ${p.inFlight}` +
    (p.dropped ? `, dropped ${p.dropped}` : '')
  );
}

export interface ProgressDisplayOptions {
  /** Default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Prefix of every line, e.g. the cell. Default ''. */
  label?: string;
  /** Seconds between plain lines off a TTY. Default 5. */
  plainEverySec?: number;
}

export interface ProgressDisplay {
  update(p: LoadProgress): void;
  /** Clears the live line (TTY). Idempotent. */
  stop(): void;
}

export function createProgressDisplay(o: ProgressDisplayOptions = {}): ProgressDisplay {
  const stream = o.stream ?? process.stderr;
  const label = o.label ? `${o.label} ` : '';
  if (!stream.isTTY) {
    const every = o.plainEverySec ?? 5;
    let lastAt = Number.NEGATIVE_INFINITY;
    return {
      update(p) {
        if (p.elapsedSec - lastAt < every) return;
        lastAt = p.elapsedSec;
        stream.write(`${label}${progressLine(p)}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label}[{bar}] {line}`,
      barsize: 20,
      hideCursor: true,
      clearOnComplete: true,
      // Redraw only on updates: they come once a second.
      fps: 2,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(p) {
      if (stopped) return;
      const total = Math.max(1, Math.round(p.elapsedSec + p.remainingSec));
      if (!started) {
        bar.start(total, 0, { line: '' });
        started = true;
      }
      bar.setTotal(total);
      bar.update(Math.min(total, Math.round(p.elapsedSec)), { line: progressLine(p) });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (started) bar.stop();
    },
  };
}

/** Subscribes a display to an emitter's `progress` events; returns the function that detaches it. */
export function attachProgressDisplay(events: EventEmitter, o: ProgressDisplayOptions = {}): () => void {
  const display = createProgressDisplay(o);
  const onProgress = (p: LoadProgress) => display.update(p);
  events.on('progress', onProgress);
  return () => {
    events.off('progress', onProgress);
    display.stop();
  };
}
