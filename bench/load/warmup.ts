import { warmupSettled } from '../stats/steady-state.ts';
import type { Recorder } from './recorder.ts';

/** How the measured window begins, as both drivers take it. */
export interface WarmupPlan {
  /** Fixed: seconds of warm-up. Auto: the least warm-up. */
  minSec: number;
  /** Auto: the most warm-up; equal to minSec (or absent) for a fixed warm-up. */
  maxSec: number;
}

/** What the warm-up decided, for the result. */
export interface WarmupOutcome {
  policy: 'auto' | 'fixed';
  /** True when an auto warm-up ended at its cap without the load having settled. */
  capped: boolean;
}

export const isAuto = (w: WarmupPlan): boolean => w.maxSec > w.minSec;

/**
 * Ends the warm-up and calls `begin(nowMs, outcome)` once. Fixed: after minSec. Auto: checked just
 * after each full second of load, once minSec has passed: the measured window begins as soon as
 * the last seconds' goodput has settled (no trend, little variation), or at maxSec regardless
 * (then `capped`). Returns a function that cancels the watch.
 */
export function watchWarmup(
  recorder: Recorder,
  plan: WarmupPlan,
  startMs: number,
  begin: (nowMs: number, outcome: WarmupOutcome) => void,
): () => void {
  if (!isAuto(plan)) {
    const fire = () => begin(performance.now(), { policy: 'fixed', capped: false });
    if (plan.minSec === 0) {
      fire();
      return () => {};
    }
    const t = setTimeout(fire, plan.minSec * 1000);
    return () => clearTimeout(t);
  }
  let timer: NodeJS.Timeout | undefined;
  let second = 0;
  const check = () => {
    const now = performance.now();
    const elapsedSec = (now - startMs) / 1000;
    const series = recorder.warmupSeries(now);
    if (elapsedSec >= plan.minSec && warmupSettled(series)) {
      recorder.beginMeasure(now);
      begin(now, { policy: 'auto', capped: false });
      return;
    }
    if (elapsedSec >= plan.maxSec) {
      recorder.beginMeasure(now);
      begin(now, { policy: 'auto', capped: true });
      return;
    }
    schedule();
  };
  // A few ms past each second boundary, so the second just ended is closed and counted.
  const schedule = () => {
    second++;
    timer = setTimeout(check, Math.max(0, startMs + second * 1000 + 5 - performance.now()));
  };
  schedule();
  return () => clearTimeout(timer);
}
