import type { EventEmitter } from 'node:events';
import type { Workload } from '../../core/names.ts';
import type { Metrics } from '../../core/result-schema.ts';
import type { SeedSizes } from '../../workloads/schema.ts';
import { runClosed } from './closed-driver.ts';
import { type LoadResult, toMetricsPart } from './load-result.ts';
import { runOpen } from './open-driver.ts';
import { type ResolvedProfile, stagesFor } from './profiles.ts';
import type { LoadProgress } from './recorder.ts';
import { createRequestBuilder, type LoadOp, type OperationMix } from './request-builder.ts';

export interface RunLoadOptions {
  cell: {
    workload: Workload;
    model: 'closed' | 'open';
    /** Closed: connections at scale 1. Open: most requests in flight. */
    connections: number;
    /** Open model: requests/s at scale 1. */
    rate: number | null;
  };
  /** Milliseconds, as the config holds them; `seed` is the user seed. */
  config: { duration: number; seed: number };
  /** Seconds: a fixed warm-up has minSec = maxSec; otherwise it ends when the load settles. */
  warmup: { minSec: number; maxSec: number };
  profile: ResolvedProfile;
  /** The sizes the tables were seeded with (the profile's overrides applied). */
  sizes: SeedSizes;
  baseUrl: string;
  /** The server's process id: its process tree's CPU is measured. */
  serverPid?: number;
  signal?: AbortSignal;
  /** Receives `progress` events (LoadProgress) about once a second. */
  progress?: EventEmitter;
  /** Unique per run, host and cell; see opIdGenerator. */
  opIdPrefix: string;
  mix?: Partial<OperationMix>;
  /** Default 10. */
  timeoutSec?: number;
  /** Called once when the measured part begins (see RunOptions.onMeasureStart). */
  onMeasureStart?: () => void;
}

export interface LoadRun {
  /** Everything in Metrics the load side knows; the orchestrator adds retries, errors, database. */
  metrics: Omit<Metrics, 'retries' | 'errors' | 'database'>;
  /** 2xx seen by the client (warm-up included). */
  acknowledged: LoadOp[];
  /** Outcome never seen: in flight at the end, timed out, transport error. */
  indeterminate: LoadOp[];
  /** The full result (encoded histograms), for merging or keeping. */
  result: LoadResult;
}

/** One cell's load: builds the request source and runs the driver its model asks for. */
export async function runLoad(o: RunLoadOptions): Promise<LoadRun> {
  const source = createRequestBuilder({
    workload: o.cell.workload,
    keys: o.profile.keys,
    seed: o.config.seed,
    sizes: o.sizes,
    mix: o.mix,
    opIdPrefix: o.opIdPrefix,
  });
  const durationSec = o.config.duration / 1000;
  const common = {
    url: o.baseUrl,
    durationSec,
    warmupSec: o.warmup.minSec,
    warmupMaxSec: o.warmup.maxSec,
    timeoutSec: o.timeoutSec,
    stages: stagesFor(o.profile, durationSec),
    cpuPids: o.serverPid === undefined ? [] : [o.serverPid],
    signal: o.signal,
    onProgress: o.progress ? (p: LoadProgress) => o.progress?.emit('progress', p) : undefined,
    onMeasureStart: o.onMeasureStart,
  };
  let result: LoadResult;
  if (o.cell.model === 'open') {
    if (o.cell.rate === null) throw new RangeError('the open model needs a rate');
    result = await runOpen(
      { ...common, rate: o.cell.rate, maxInFlight: o.cell.connections, seed: o.config.seed },
      source,
    );
  } else {
    result = await runClosed({ ...common, connections: o.cell.connections }, source);
  }
  const part = toMetricsPart(result);
  return {
    // Off Linux the server's CPU cannot be read: 0 there (the schema has no null).
    metrics: { ...part, cpu: { driverSec: part.cpu.driverSec, serverSec: part.cpu.serverSec ?? 0 } },
    acknowledged: result.acknowledged,
    indeterminate: result.indeterminate,
    result,
  };
}
