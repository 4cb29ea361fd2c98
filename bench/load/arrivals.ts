import type { LoadStage } from './profiles.ts';
import type { Random } from './random.ts';

/** How open-model requests are spaced: evenly, or as a Poisson process (exponential gaps). */
export type ArrivalProcess = 'constant' | 'poisson';

/**
 * Scheduled start times, in ms since the run began, for a rate that changes by stage: a warm-up
 * at the first stage's rate, then each stage's rate x scale. `next()` returns null after the end.
 */
export function arrivalSchedule(o: {
  /** Requests/s at scale 1. */
  rate: number;
  /** Seconds of warm-up; Infinity for a warm-up that lasts until `startStagesAt`. */
  warmupSec: number;
  stages: readonly LoadStage[];
  process: ArrivalProcess;
  /** The `arrivals` stream of the user seed (used by `poisson` only). */
  rng: Random;
}): {
  next(): number | null;
  /** Ends the warm-up at `atMs` (ms since the run began): the stages run from there. */
  startStagesAt(atMs: number): void;
} {
  if (!(o.rate > 0)) throw new RangeError(`rate must be positive, got ${o.rate}`);
  const ends: number[] = [];
  const rates: number[] = [];
  /** Stage ends from a warm-up ending at `warmEndMs`; a zero warm-up has no segment of its own. */
  const lay = (warmEndMs: number) => {
    ends.length = 0;
    rates.length = 0;
    let end = warmEndMs;
    if (end > 0) {
      ends.push(end);
      rates.push(o.rate * (o.stages[0]?.scale ?? 1));
    }
    for (const st of o.stages) {
      end += st.durationSec * 1000;
      ends.push(end);
      rates.push(o.rate * st.scale);
    }
  };
  lay(o.warmupSec * 1000);
  let i = 0;
  let t = 0;
  let first = true;
  return {
    next() {
      if (!first) {
        const gapMs = 1000 / (rates[i] as number);
        t += o.process === 'poisson' ? -Math.log(1 - o.rng.float()) * gapMs : gapMs;
      }
      first = false;
      while (i < ends.length && t >= (ends[i] as number)) {
        // A gap that crosses into the next stage is rescaled to the new rate from the boundary
        // on (a time change of the process), so a spike's rate holds from its first instant.
        const boundary = ends[i] as number;
        const old = rates[i] as number;
        i++;
        if (i < ends.length) t = boundary + ((t - boundary) * old) / (rates[i] as number);
      }
      return i < ends.length ? t : null;
    },
    startStagesAt(atMs: number) {
      // Only while still warming up: the warm-up segment is the first, at the first stage's rate.
      if (i !== 0 || Number.isFinite(ends[0] ?? 0)) return;
      lay(Math.max(atMs, 1e-9));
    },
  };
}
