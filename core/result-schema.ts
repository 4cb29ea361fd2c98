import { z } from 'zod';
import { ERRORS, type ErrorCode } from './errors.ts';

/**
 * The versioned shape of `run.json`. Every renderer and the comparison read only this; the
 * orchestrator writes only this. Bump SCHEMA_VERSION on any change that an old reader would
 * misread (renamed or re-meant field); adding an optional field is not such a change.
 */
export const SCHEMA_VERSION = 2;

/** Versions a reader accepts: 1 (no histograms in cells) and the current one. */
export const READABLE_SCHEMA_VERSIONS = [1, SCHEMA_VERSION] as const;

/** Percentiles in milliseconds, sub-millisecond resolution (recorded in microseconds). */
export const LatencySummary = z.strictObject({
  p50: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  p99: z.number().nonnegative(),
  p999: z.number().nonnegative(),
  max: z.number().nonnegative(),
  /** Responses the summary is over. */
  count: z.number().int().nonnegative(),
});
export type LatencySummary = z.infer<typeof LatencySummary>;

/**
 * Client-side outcome counts. Accounting rule (tested):
 * sent = ok + rejected + conflict + error + timeout + inFlight.
 */
export const Outcomes = z.strictObject({
  sent: z.number().int().nonnegative(),
  /** 2xx: the business operation was applied. */
  ok: z.number().int().nonnegative(),
  /** Business refusals: insufficient funds (422), sold out (409 sold_out). */
  rejected: z.number().int().nonnegative(),
  /** Retries exhausted on a lock conflict (409 conflict). */
  conflict: z.number().int().nonnegative(),
  /** 4xx other than the above, 5xx, and transport errors. */
  error: z.number().int().nonnegative(),
  /** The client gave up waiting; the outcome is unknown (indeterminate). */
  timeout: z.number().int().nonnegative(),
  /** Still in flight when the load stopped; the outcome is unknown (indeterminate). */
  inFlight: z.number().int().nonnegative(),
  /** Open model only: scheduled requests that could not start (k6's dropped_iterations). */
  dropped: z.number().int().nonnegative().default(0),
});
export type Outcomes = z.infer<typeof Outcomes>;

/** Server-side retry economics, from the server's `/stats`. */
export const Retries = z.strictObject({
  /** (attempts - operations) / successful operations. */
  extraAttemptsPerSuccess: z.number().nonnegative(),
  /** Share of operations that needed more than one attempt (pgbench's "retried"), 0..1. */
  retriedShare: z.number().min(0).max(1),
  /** attempts -> number of operations that took that many attempts. */
  attemptsHistogram: z.record(z.string(), z.number().int().nonnegative()),
});

/** Driver errors by class, as counted by the server's one classifier (every attempt counts). */
export const ErrorClasses = z.strictObject({
  deadlock: z.number().int().nonnegative(),
  serialization: z.number().int().nonnegative(),
  lockNotAvailable: z.number().int().nonnegative(),
  lockTimeout: z.number().int().nonnegative(),
  other: z.number().int().nonnegative(),
});
export type ErrorClasses = z.infer<typeof ErrorClasses>;

/** One second of the run (after warm-up), for the timeline chart. */
export const TimePoint = z.strictObject({
  /** Seconds since the measured part of the run began. */
  t: z.number().nonnegative(),
  requests: z.number().int().nonnegative(),
  ok: z.number().int().nonnegative(),
  conflict: z.number().int().nonnegative(),
  p99Ms: z.number().nonnegative(),
});

/** A 95% confidence interval around a headline figure. */
export const Interval = z.strictObject({
  /** The figure the interval is for: the cell's goodput, its p99. */
  estimate: z.number(),
  low: z.number(),
  high: z.number(),
  /** Confidence level, 0..1. */
  level: z.number().gt(0).lt(1),
  /**
   * batch-means: the measured seconds' goodput grouped into consecutive batches large enough to be
   * nearly independent (lag-1 autocorrelation of the batch means at most 0.2), t-interval of their
   * mean, centred on the figure. batch-percentiles: the p99 of each batch's own merged histogram,
   * the same t-interval, centred on the whole window's p99. repeats: t-interval over the repeats'
   * figures (independent server processes), centred on their mean.
   */
  method: z.enum(['batch-means', 'batch-percentiles', 'repeats']),
  /** Independent samples the interval rests on: batches or repeats. */
  samples: z.number().int().min(2),
  /** Seconds per batch (batch methods); null for repeats. */
  batchSec: z.number().positive().nullable(),
});
export type Interval = z.infer<typeof Interval>;

/** How the cell warmed up and whether its measured window was steady. */
export const SteadyState = z.strictObject({
  /** The measured window passed the rule below. */
  steady: z.boolean(),
  /** auto: warm-up ended when the load settled (or at the cap); fixed: after a set time. */
  warmupPolicy: z.enum(['auto', 'fixed']),
  /** Seconds of load before the measured window. */
  warmupSec: z.number().nonnegative(),
  /** auto only: warm-up ended at its cap without the load having settled. */
  warmupCapped: z.boolean(),
  /** Goodput of each full warm-up second: the series the warm-up decision was made on. */
  warmupGoodput: z.array(z.number().nonnegative()).optional(),
  /** Least-squares slope of the measured seconds' goodput, as % of their mean per second. */
  trendPctPerSec: z.number(),
  /**
   * The slope over its standard error: a trend fails the window only when this is beyond the 95%
   * t quantile (n - 2 degrees of freedom) and the slope beyond the rule's bound.
   */
  trendT: z.number().optional(),
  /** Coefficient of variation of the measured seconds' goodput. */
  cov: z.number().nonnegative(),
  /** The last measured second's goodput over the window's mean. */
  lastToMean: z.number().nonnegative(),
  /** Every measured second had more successes than the one before (a climb, not noise). */
  monotoneClimb: z.boolean(),
  /** The limits the verdict used. */
  rule: z.strictObject({
    maxTrendPctPerSec: z.number().positive(),
    maxCov: z.number().positive(),
    /** |last / mean - 1| allowed. */
    maxLastDeviation: z.number().positive(),
    /** Whether the trend bound applies only to a significant slope (t-test). Absent in older runs. */
    trendMustBeSignificant: z.boolean().optional(),
  }),
});
export type SteadyState = z.infer<typeof SteadyState>;

/** What else used the machine while the cell was measured (from /proc; Linux only). */
export const Interference = z.strictObject({
  /** Cores the machine has. */
  cores: z.number().int().positive(),
  /** CPU seconds the whole machine was busy during the measured window, all cores. */
  machineBusySec: z.number().nonnegative(),
  /** CPU seconds of the run's own processes in that window: driver, server, throwaway database. */
  ownSec: z.number().nonnegative(),
  /** Busy CPU seconds of every other process: machine busy minus own, at least 0. */
  otherSec: z.number().nonnegative(),
  /** CPU seconds the hypervisor gave to other guests (steal). */
  stealSec: z.number().nonnegative(),
  /** (other + steal) / (cores x window seconds): the share of the machine something else took, 0..1. */
  otherShare: z.number().min(0).max(1),
  /** The database's CPU is part of ownSec (a throwaway server); an external one on this host counts as other. */
  databaseCounted: z.boolean(),
  /** otherShare at or above 0.15: the cell's figures may be depressed by something else. */
  suspect: z.boolean(),
});
export type Interference = z.infer<typeof Interference>;

/**
 * The HdrHistograms behind a cell's percentiles, in microseconds, each in the compressed base64
 * encoding every HdrHistogram library reads (hdr-histogram-js: `decodeFromCompressedBase64`).
 * Added together they give the exact percentiles of merged repeats or segments.
 */
export const CellHistograms = z.strictObject({
  /** Every measured response, timeouts and transport errors included. */
  latencyUs: z.string().min(1),
  /** 2xx responses only. */
  successLatencyUs: z.string().min(1),
  /** Open model: actual start minus scheduled start; null for the closed model. */
  scheduleLagUs: z.string().min(1).nullable(),
  /** Every response, one histogram per full measured second: the p99 interval's batches. */
  perSecondUs: z.array(z.string().min(1)),
});
export type CellHistograms = z.infer<typeof CellHistograms>;

export const Metrics = z.strictObject({
  durationSec: z.number().nonnegative(),
  requestsPerSec: z.number().nonnegative(),
  /** Successful business operations per second (2xx only). */
  goodputPerSec: z.number().nonnegative(),
  latencyMs: LatencySummary,
  successLatencyMs: LatencySummary,
  outcomes: Outcomes,
  retries: Retries,
  errors: ErrorClasses,
  /** Server-side deltas over the run, by name (e.g. deadlocks, rowLockWaits, rollbacks). */
  database: z.record(z.string(), z.number()),
  cpu: z.strictObject({
    /** CPU seconds (user + system) used by the server process(es) during the run. */
    serverSec: z.number().nonnegative(),
    /** CPU seconds used by the load driver during the run. */
    driverSec: z.number().nonnegative(),
  }),
  /** Open model: schedule lag of request starts, ms. */
  scheduleLagMs: LatencySummary.optional(),
  timeseries: z.array(TimePoint),
  /** 95% intervals of the headline figures; null where the window had too few seconds (< 5). */
  intervals: z.strictObject({ goodputPerSec: Interval.nullable(), p99Ms: Interval.nullable() }).optional(),
  /** Warm-up and steadiness of the measured window. Absent in runs made before it was recorded. */
  steady: SteadyState.optional(),
  /** Null where /proc cannot be read. Absent in runs made before it was recorded. */
  interference: Interference.nullable().optional(),
  /** The histograms behind latencyMs, successLatencyMs and scheduleLagMs. Absent in schema 1 runs only. */
  histograms: CellHistograms.optional(),
});
export type Metrics = z.infer<typeof Metrics>;

export const ViolationExample = z.strictObject({
  kind: z.string(),
  id: z.union([z.string(), z.number()]),
  expected: z.union([z.string(), z.number(), z.null()]),
  actual: z.union([z.string(), z.number(), z.null()]),
  note: z.string().optional(),
});

export const Correctness = z.strictObject({
  checked: z.boolean(),
  /** Whether the strategy claims to keep this workload's invariants. */
  claimsSafe: z.boolean(),
  /** Total number of violations of all kinds. */
  violations: z.number().int().nonnegative(),
  /** Account rows whose balance differs from initial + ledger sum. */
  lostUpdates: z.number().int().nonnegative(),
  /** Sum over accounts of |balance - (initial + ledger sum)|, in cents. */
  lostAmount: z.number().nonnegative().default(0),
  /** Reservations in the ledger beyond an event's capacity. */
  oversold: z.number().int().nonnegative(),
  /** Seats that more than one committed reservation in the ledger claims. */
  doubleBooked: z.number().int().nonnegative(),
  negativeBalances: z.number().int().nonnegative(),
  /** Acknowledged (2xx seen by the client) operations missing from the ledger. */
  acknowledgedLost: z.number().int().nonnegative(),
  /** Total money now minus total money at seed plus net deposits, in cents (transfers: must be 0). */
  moneyDrift: z.number(),
  /** Ledger entries whose outcome the client never saw (in flight, timeout): not violations. */
  indeterminate: z.number().int().nonnegative(),
  /**
   * A workload's own invariants beyond the fields above (queue, a module loaded from a file): each
   * kind with its count (included in `violations`) and the words a report uses. Absent when none.
   */
  findings: z
    .array(
      z.strictObject({
        kind: z.string(),
        count: z.number().int().nonnegative(),
        words: z.tuple([z.string(), z.string()]),
      }),
    )
    .optional(),
  examples: z.array(ViolationExample).max(10),
});
export type Correctness = z.infer<typeof Correctness>;

export const CellStatus = z.enum(['ok', 'unsafe', 'failed', 'unsupported']);
export type CellStatus = z.infer<typeof CellStatus>;

/** A code from the error catalogue (core/errors.ts). */
const ErrorCodeSchema = z.enum(Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]);

export const Cell = z.strictObject({
  /** Stable key for comparisons: database/workload/profile/strategy/model/level. */
  key: z.string(),
  database: z.string(),
  strategy: z.string(),
  workload: z.string(),
  profile: z.string(),
  model: z.enum(['closed', 'open']),
  /** Closed model: concurrent connections. Open model: max in flight. */
  connections: z.number().int().positive(),
  /** Open model: target requests/s; null for the closed model. */
  rate: z.number().positive().nullable(),
  repeat: z.number().int().nonnegative(),
  status: CellStatus,
  reason: z.string().nullable(),
  /**
   * The `LOCKBENCH_*` code of the error behind `reason` (README, "Error codes"), when it came from
   * the error catalogue; absent otherwise.
   */
  code: ErrorCodeSchema.optional(),
  /** Server settings this cell ran with (pool, workers, isolation, workMs, lockTimeout, ...). */
  server: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  metrics: Metrics.nullable(),
  correctness: Correctness.nullable(),
});
export type Cell = z.infer<typeof Cell>;

export const DatabaseInfo = z.strictObject({
  id: z.string(),
  /** PostgreSQL's protocol: postgresql, cockroachdb, yugabytedb; MySQL's: mysql, mariadb, tidb. */
  product: z.enum(['postgresql', 'mysql', 'mariadb', 'cockroachdb', 'yugabytedb', 'tidb']),
  version: z.string(),
  kind: z.enum(['throwaway', 'external']),
  /** Loopback host:port or the redacted URL; never a password. */
  address: z.string(),
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type DatabaseInfo = z.infer<typeof DatabaseInfo>;

export const SkippedDatabase = z.strictObject({
  id: z.string(),
  reason: z.string(),
  /** The `LOCKBENCH_*` code of the error that skipped it, when it came from the error catalogue. */
  code: ErrorCodeSchema.optional(),
});
export type SkippedDatabase = z.infer<typeof SkippedDatabase>;

/** A B/A ratio over the pairs of one A/B cell, with its 95% interval (bench/ab/paired.ts). */
export const AbRatio = z.strictObject({
  /** exp(mean of ln(B_i / A_i)): the geometric mean of the pairs' ratios. */
  ratio: z.number().positive(),
  /** Null with fewer than two pairs. */
  low: z.number().positive().nullable(),
  high: z.number().positive().nullable(),
  pairs: z.number().int().nonnegative(),
  /**
   * Degrees of freedom of the interval's t quantile: pairs - 1 plus what the run's prior lent
   * (`AbSection.priors`); null without an interval, or infinite (the prior alone). Absent in older runs.
   */
  df: z.number().positive().nullable().optional(),
});

/** The run's prior for the variance of ln(B/A) of one figure (bench/stats/moderated-variance.ts). */
export const AbPrior = z.strictObject({
  /** √s0²: the typical standard deviation of a cell's ln(B/A) between pairs. */
  sd: z.number().nonnegative(),
  /** d0, what a cell borrows from it; null: infinite (the cells differed no more than sampling explains). */
  df: z.number().positive().nullable(),
  /** Cells it was estimated from (those with two or more pairs). */
  cells: z.number().int().positive(),
});

export const AbVerdict = z.strictObject({
  /** slower/faster in goodput's sense (a higher p99 is slower). */
  kind: z.enum(['slower', 'faster', 'same', 'inconclusive']),
  /** B worse than A beyond the threshold with the whole interval: the run fails on a goodput one. */
  regression: z.boolean(),
  text: z.string(),
});

/** One side of an A/B run, described fully: what it is and the options it ran with. */
export const AbVariant = z.strictObject({
  /** `pool=16`, `base origin/main`, `working tree`, `postgres`. */
  label: z.string(),
  /** The resolved options of this side, passwords removed. */
  config: z.record(z.string(), z.unknown()),
  /** Database ids this side ran on (see `databases`). */
  databases: z.array(z.string()),
  /** Revision runs: the ref and commit the side's strategy server was built from (null: the working tree). */
  revision: z.strictObject({ ref: z.string(), sha: z.string().nullable() }).nullable(),
});

/** One cell of the matrix measured as pairs. */
export const AbComparison = z.strictObject({
  /** Side A's and side B's cell keys (they differ in the database part on a db run). */
  keyA: z.string(),
  keyB: z.string(),
  strategy: z.string(),
  workload: z.string(),
  profile: z.string(),
  /** Each pair in the order run; `order` AB or BA; figures null where a side had no metrics. */
  pairs: z.array(
    z.strictObject({
      order: z.enum(['AB', 'BA']),
      a: z.strictObject({ goodputPerSec: z.number(), p99Ms: z.number() }).nullable(),
      b: z.strictObject({ goodputPerSec: z.number(), p99Ms: z.number() }).nullable(),
    }),
  ),
  /**
   * Why sampling ended: target (both intervals narrow enough), resolved (the goodput interval
   * wholly beyond or wholly within ± the threshold), budget (pairs), time, failed, unsupported,
   * interrupted.
   */
  stoppedBy: z.enum(['target', 'resolved', 'budget', 'time', 'failed', 'unsupported', 'interrupted']),
  /** Null when no pair was measured on both sides. */
  goodput: AbRatio.nullable(),
  p99: AbRatio.nullable(),
  goodputVerdict: AbVerdict.nullable(),
  p99Verdict: AbVerdict.nullable(),
  /** A strategy that claims safety broke an invariant on this side in some pair. */
  unsafe: z.strictObject({ a: z.boolean(), b: z.boolean() }),
});
export type AbComparison = z.infer<typeof AbComparison>;

/**
 * A paired A/B run (`--ab`). The run's `cells` are side B's (so `compare`, the report and the
 * exports read an A/B run as a run of B, repeats = pairs); side A's cells are in `cellsA`.
 */
export const AbSection = z.strictObject({
  axis: z.enum(['revision', 'database', 'setting']),
  /** The --ab value as given (URLs redacted). */
  spec: z.string(),
  variants: z.strictObject({ a: AbVariant, b: AbVariant }),
  /** The stopping rule and the verdict's threshold, as shares (0.05 = 5%). */
  rule: z.strictObject({
    target: z.number().positive(),
    threshold: z.number().positive(),
    minPairs: z.number().int().positive(),
    maxPairs: z.number().int().positive(),
    /** Wall-time budget of the run in ms; null: none. */
    budgetMs: z.number().positive().nullable(),
  }),
  comparisons: z.array(AbComparison),
  /** Priors the intervals were moderated with; null: too few cells, each on its own. Absent in older runs. */
  priors: z.strictObject({ goodputPerSec: AbPrior.nullable(), p99Ms: AbPrior.nullable() }).optional(),
  cellsA: z.array(Cell),
  /** Goodput regressions, and cells where a safe strategy broke an invariant on either side. */
  regressions: z.number().int().nonnegative(),
  violations: z.number().int().nonnegative(),
});
export type AbSection = z.infer<typeof AbSection>;

/** A partial run: one segment of each cell's load (`--segment k/n`), to be merged with the others. */
export const Segment = z.strictObject({
  /** 1-based: this is segment `index` of `count`. */
  index: z.number().int().positive(),
  count: z.number().int().positive(),
  /** Epoch ms the measured load was agreed to start at (`--start-at`); null: when ready. */
  startAt: z.number().int().nonnegative().nullable(),
});
export type Segment = z.infer<typeof Segment>;

export const RunResult = z
  .strictObject({
    schemaVersion: z.literal(READABLE_SCHEMA_VERSIONS),
    runId: z.string(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    /** True when the run was interrupted (Ctrl-C, a fatal error) and holds only finished cells. */
    interrupted: z.boolean().default(false),
    tool: z.strictObject({ name: z.string(), version: z.string(), gitSha: z.string().nullable() }),
    environment: z.strictObject({
      node: z.string(),
      os: z.string(),
      cpuModel: z.string(),
      cpuCount: z.number().int().positive(),
      memoryGiB: z.number().positive(),
      hostname: z.string().optional(),
    }),
    /** The resolved options, passwords removed. */
    config: z.record(z.string(), z.unknown()),
    /** The exact command that reproduces the run. */
    command: z.string(),
    databases: z.array(DatabaseInfo),
    skippedDatabases: z.array(SkippedDatabase).default([]),
    cells: z.array(Cell),
    /** Present on paired A/B runs only. */
    ab: AbSection.optional(),
    /** Present on a partial run (one segment of the load); absent once merged (`npm run merge`). */
    segment: Segment.optional(),
    /**
     * Present on a run merged from others (`npm run merge`): the run ids it came from, and whether
     * the correctness check of the merged cells has run (`npm run check`).
     */
    mergedFrom: z.array(z.string()).optional(),
  })
  .superRefine((run, ctx) => {
    if (run.schemaVersion < 2) return;
    run.cells.forEach((cell, i) => {
      if (cell.metrics && !cell.metrics.histograms)
        ctx.addIssue({
          code: 'custom',
          path: ['cells', i, 'metrics', 'histograms'],
          message: `schema ${run.schemaVersion}: a measured cell carries its histograms`,
        });
    });
  });
export type RunResult = z.infer<typeof RunResult>;
