import type { LoadStage } from './profiles.ts';
import type { LoadProgress, Recorder } from './recorder.ts';

/** What both drivers take. */
export interface RunOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** Seconds of the measured part. */
  durationSec: number;
  /** Seconds of warm-up before it, at the first stage's load; not measured. Default 0. */
  warmupSec?: number;
  /**
   * When above warmupSec, the warm-up is adaptive: it lasts at least warmupSec and at most this
   * many seconds, and ends as soon as the per-second goodput has settled (bench/load/warmup.ts).
   * Default: warmupSec (a fixed warm-up).
   */
  warmupMaxSec?: number;
  /**
   * Seconds before a request counts as a timeout. Default 10. Closed model: at least 1. Both
   * drivers check for timeouts every 100 ms (at most a quarter of the timeout), so one is seen up
   * to that late.
   */
  timeoutSec?: number;
  /** Load over the measured part (from `stagesFor`); their durations must add up to durationSec. Default: one steady stage. */
  stages?: LoadStage[];
  /** Server process ids whose process trees' CPU is measured over the measured part. Default none. */
  cpuPids?: number[];
  /**
   * Called once when the measured part begins (at once without a warm-up), so that counters kept
   * elsewhere (the server's) can be reset to cover the same window. Must not throw.
   */
  onMeasureStart?: () => void;
  /** Called about once a second. Must not throw. */
  onProgress?: (p: LoadProgress) => void;
  /** Aborting ends the run early; the result covers what ran. */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_SEC = 10;

/** Checks the options both drivers share and fills the defaults. */
export function normalizeRunOptions(
  o: RunOptions,
): Required<Omit<RunOptions, 'onProgress' | 'onMeasureStart' | 'signal'>> {
  if (!(o.durationSec > 0)) throw new RangeError(`durationSec must be positive, got ${o.durationSec}`);
  const warmupSec = o.warmupSec ?? 0;
  if (!(warmupSec >= 0)) throw new RangeError(`warmupSec must be >= 0, got ${warmupSec}`);
  const warmupMaxSec = o.warmupMaxSec ?? warmupSec;
  if (!(warmupMaxSec >= warmupSec))
    throw new RangeError(`warmupMaxSec must be >= warmupSec, got ${warmupMaxSec} < ${warmupSec}`);
  const timeoutSec = o.timeoutSec ?? DEFAULT_TIMEOUT_SEC;
  if (!(timeoutSec > 0)) throw new RangeError(`timeoutSec must be positive, got ${timeoutSec}`);
  const stages = o.stages ?? [{ durationSec: o.durationSec, scale: 1, label: 'steady' }];
  const total = stages.reduce((s, st) => s + st.durationSec, 0);
  if (stages.length === 0 || Math.abs(total - o.durationSec) > 1e-6) {
    throw new RangeError(`stages last ${total} s, the run ${o.durationSec} s`);
  }
  if (stages.some((st) => !(st.scale > 0) || !(st.durationSec > 0)))
    throw new RangeError('stage scale and duration must be positive');
  return {
    url: new URL(o.url).origin,
    durationSec: o.durationSec,
    warmupSec,
    warmupMaxSec,
    timeoutSec,
    stages,
    cpuPids: o.cpuPids ?? [],
  };
}

/** The stage running `sinceMeasureSec` seconds into the measured part (the first one during warm-up). */
export function stageAt(stages: readonly LoadStage[], sinceMeasureSec: number): LoadStage {
  let end = 0;
  for (const st of stages) {
    end += st.durationSec;
    if (sinceMeasureSec < end) return st;
  }
  return stages[stages.length - 1] as LoadStage;
}

/**
 * Once a second: note the running stage on the recorder and report progress. Both drivers use it;
 * the caller clears the returned interval when the run ends.
 */
export function startProgressTicker(
  recorder: Recorder,
  stages: readonly LoadStage[],
  onProgress: ((p: LoadProgress) => void) | undefined,
): NodeJS.Timeout {
  return setInterval(() => {
    const now = performance.now();
    recorder.stage = stageAt(stages, (now - recorder.measureFrom) / 1000).label;
    onProgress?.(recorder.tick(now));
  }, 1000);
}
