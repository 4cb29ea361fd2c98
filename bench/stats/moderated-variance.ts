/**
 * Variances moderated across many small samples (empirical Bayes, Smyth 2004: the method of
 * limma's moderated t-test). Pure functions over plain numbers.
 *
 * An A/B run measures a dozen cells with three to five pairs each. A cell's own sample variance
 * then rests on two to four degrees of freedom: it is itself so uncertain that the t quantile
 * (4.30 at two) makes every interval wide, and a cell whose few pairs happen to agree gets an
 * interval far narrower than its noise. The cells of one run share the machine, the minute and the
 * harness, so their variances are alike without being equal: they are modelled as drawn from one
 * scaled inverse chi-square distribution (prior variance s0², prior degrees of freedom d0),
 * estimated from all the cells' variances by the method of moments on log variances. Each cell's
 * moderated variance is (d0·s0² + d·s²) / (d0 + d), with d0 + d degrees of freedom: a cell that
 * is noisier than the rest keeps most of its own variance when the cells differ much (small d0),
 * and borrows the run's when they differ no more than sampling explains (d0 infinite).
 */

/** ψ(x), the digamma function, for x > 0: recurrence up to 6, then the asymptotic series. */
export function digamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`digamma needs x > 0, got ${x}`);
  let r = 0;
  let y = x;
  while (y < 6) {
    r -= 1 / y;
    y += 1;
  }
  const f = 1 / (y * y);
  return r + Math.log(y) - 0.5 / y - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

/** ψ′(x), the trigamma function, for x > 0. */
export function trigamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`trigamma needs x > 0, got ${x}`);
  let r = 0;
  let y = x;
  while (y < 6) {
    r += 1 / (y * y);
    y += 1;
  }
  const f = 1 / (y * y);
  return r + 1 / y + f / 2 + (f / y) * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30)));
}

/** ψ″(x), for Newton's method on trigamma. */
function tetragamma(x: number): number {
  let r = 0;
  let y = x;
  while (y < 6) {
    r -= 2 / (y * y * y);
    y += 1;
  }
  const f = 1 / (y * y);
  return r - f - f / y - (f * f) / 2 + (f * f * f) / 6 - (f * f * f * f) / 6 + (3 * f ** 5) / 10;
}

/** The x > 0 with trigamma(x) = y (Newton's method from limma's starting point). */
export function trigammaInverse(y: number): number {
  if (!(y > 0)) throw new RangeError(`trigammaInverse needs y > 0, got ${y}`);
  if (y > 1e7) return 1 / Math.sqrt(y);
  if (y < 1e-6) return 1 / y;
  let x = 0.5 + 1 / y;
  for (let i = 0; i < 50; i++) {
    const t = trigamma(x);
    const step = (t * (1 - t / y)) / tetragamma(x);
    x += step;
    if (-step / x < 1e-8) break;
  }
  return x;
}

/** One cell's sample variance and its degrees of freedom (pairs - 1). */
export interface SampleVariance {
  variance: number;
  df: number;
}

/** The distribution the cells' variances are drawn from. */
export interface VariancePrior {
  /** s0²: the typical variance of the run's cells. */
  variance: number;
  /** d0: how much a cell borrows from it; Infinity when the cells differ no more than sampling explains. */
  df: number;
  /** Cells it was estimated from. */
  cells: number;
}

/** Fewest cells a prior is estimated from: below this each cell keeps its own variance. */
export const MIN_PRIOR_CELLS = 3;

/**
 * Fits the prior to the cells' sample variances (those with df >= 1). Null below MIN_PRIOR_CELLS
 * such cells, or when every variance is zero. A zero variance among others is raised to 1e-5 of
 * the median first, so one cell whose pairs agreed exactly cannot send the log to minus infinity.
 */
export function fitVariancePrior(samples: readonly SampleVariance[]): VariancePrior | null {
  const usable = samples.filter((s) => s.df >= 1 && Number.isFinite(s.variance) && s.variance >= 0);
  if (usable.length < MIN_PRIOR_CELLS) return null;
  const sorted = usable.map((s) => s.variance).sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1] as number;
  if (!(median > 0) && !((sorted[sorted.length - 1] as number) > 0)) return null;
  const floor = 1e-5 * (median > 0 ? median : (sorted[sorted.length - 1] as number));
  // e = ln s² - ψ(d/2) + ln(d/2) has mean ln s0² - ψ(d0/2) + ln(d0/2) and variance
  // ψ′(d/2) + ψ′(d0/2): the cells' spread beyond sampling's measures d0.
  const e = usable.map((s) => Math.log(Math.max(s.variance, floor)) - digamma(s.df / 2) + Math.log(s.df / 2));
  const n = e.length;
  const eMean = e.reduce((a, b) => a + b, 0) / n;
  const eVar = e.reduce((a, b) => a + (b - eMean) ** 2, 0) / (n - 1);
  const beyond = eVar - usable.reduce((a, s) => a + trigamma(s.df / 2), 0) / n;
  if (beyond <= 0) return { variance: Math.exp(eMean), df: Number.POSITIVE_INFINITY, cells: n };
  const df = 2 * trigammaInverse(beyond);
  return { variance: Math.exp(eMean + digamma(df / 2) - Math.log(df / 2)), df, cells: n };
}

/** A cell's variance moderated by the prior, with its degrees of freedom; unchanged without a prior. */
export function moderate(sample: SampleVariance, prior: VariancePrior | null): SampleVariance {
  if (!prior || sample.df < 1) return sample;
  if (!Number.isFinite(prior.df)) return { variance: prior.variance, df: Number.POSITIVE_INFINITY };
  return {
    variance: (prior.df * prior.variance + sample.df * sample.variance) / (prior.df + sample.df),
    df: prior.df + sample.df,
  };
}
