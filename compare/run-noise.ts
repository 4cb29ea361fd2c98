import { tQuantile95 } from '../bench/stats/interval.ts';
import { median } from '../bench/stats/median.ts';

/**
 * Run-to-run noise: how far two runs of the same code land apart beyond what their own intervals
 * say. A one-repeat cell's interval (batch means of its measured seconds) sees how the figure
 * wobbled inside its window; it cannot see what differs between two runs: the server process's
 * compiled code, the database's caches and bloat, the machine's neighbours over minutes. Measured on
 * a 2-core machine, per-second goodput varied by 5-8% within a cell while a whole cell's level moved
 * by 10-15% between back-to-back runs of the same commit, so intervals alone judged unchanged cells
 * as regressions.
 *
 * The pair of runs measures that noise itself. Across the cells of a comparison, the log ratios
 * ln(current / baseline) scatter around their median; when nothing changed, that scatter is the
 * cells' own noise plus the run-to-run part. As in a random-effects meta-analysis (DerSimonian and
 * Laird: studies that differ by more than their standard errors allow share an extra variance τ²),
 *   τ² = max(0, s² − median(se²)),
 * where s is a robust standard deviation of the log ratios (1.4826 × their median absolute
 * deviation, so a few cells that really changed do not inflate it, and a change of every cell moves
 * the median, not the scatter) and se is each ratio's own standard error on the log scale. Each
 * figure's interval then gains τ in quadrature. Identical copies give τ = 0; a pair whose cells
 * disagree by more than their intervals allow gets wider intervals in proportion.
 *
 * τ is itself an estimate from a few cells: the median absolute deviation has 37% of the efficiency
 * of a standard deviation for normal data, so τ counts as 0.37 × (figures − 1) degrees of freedom
 * and its part of the interval uses Student's t with them. Below MIN_NOISE_FIGURES figures there is
 * no estimate (τ null) and the figures keep their own intervals, with a warning.
 */

/** Fewest figures judged on both sides from which the run-to-run noise is estimated. */
export const MIN_NOISE_FIGURES = 8;
/** Gaussian efficiency of the median absolute deviation as an estimate of scale. */
const MAD_EFFICIENCY = 0.37;
/** 1 / Φ⁻¹(3/4): the median absolute deviation of normal data times this is its standard deviation. */
const MAD_TO_SD = 1.4826;

/** One figure of a comparison as the estimate sees it. */
export interface NoisePoint {
  /** ln(current / baseline). */
  logRatio: number;
  /** Standard error of `logRatio` from the two runs' own intervals. */
  logSe: number;
}

export interface RunNoise {
  /** Figures the estimate rests on (interval on both sides). */
  figures: number;
  /** Robust standard deviation of the log ratios around their median (1.4826 × MAD). */
  scatter: number;
  /** Square root of the median of the figures' own squared standard errors. */
  ownSe: number;
  /** Run-to-run standard deviation on the log scale beyond the figures' own; null below MIN_NOISE_FIGURES. */
  tau: number | null;
  /** Degrees of freedom of `tau`. */
  df: number;
}

/** Estimates the run-to-run noise of one figure (goodput, p99, ...) from a comparison's points. */
export function estimateRunNoise(points: readonly NoisePoint[]): RunNoise {
  const usable = points.filter((p) => Number.isFinite(p.logRatio) && Number.isFinite(p.logSe));
  const figures = usable.length;
  if (figures === 0) return { figures, scatter: 0, ownSe: 0, tau: null, df: 0 };
  const logs = usable.map((p) => p.logRatio);
  const centre = median(logs);
  const scatter = MAD_TO_SD * median(logs.map((x) => Math.abs(x - centre)));
  const ownSe = Math.sqrt(median(usable.map((p) => p.logSe ** 2)));
  const df = MAD_EFFICIENCY * (figures - 1);
  const tau = figures < MIN_NOISE_FIGURES ? null : Math.sqrt(Math.max(0, scatter ** 2 - ownSe ** 2));
  return { figures, scatter, ownSe, tau, df };
}

/**
 * A ratio's log half-width `h` (from the two runs' own intervals) widened by the run-to-run term:
 * sqrt(h² + (t·τ)²), t Student's 97.5% quantile at τ's degrees of freedom (at least 1). Unchanged
 * when τ is null or 0.
 */
export function widenHalfWidth(h: number, noise: RunNoise | null): number {
  const added = noise === null ? 0 : noiseHalfWidth(noise);
  return added === 0 ? h : Math.hypot(h, added);
}

/** The run-to-run term's own share of a 95% log half-width: t·τ; 0 when τ is null or 0. */
export function noiseHalfWidth(noise: RunNoise): number {
  if (noise.tau === null || noise.tau === 0) return 0;
  return tQuantile95(Math.max(1, Math.floor(noise.df))) * noise.tau;
}
