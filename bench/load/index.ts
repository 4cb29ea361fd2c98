export { type ArrivalProcess, arrivalSchedule } from './arrivals.ts';
export { classifyResponse } from './classify.ts';
export { type ClosedOptions, runClosed } from './closed-driver.ts';
export {
  type DbActivity,
  type DbCounters,
  diffCounters,
  readDbCounters,
  startDbActivity,
  startLockWaitSampler,
} from './db-activity.ts';
export {
  createKeyChooser,
  hotKeys,
  hotSetKeys,
  type KeyChooser,
  type KeySpec,
  uniformKeys,
  zeta,
  zipfKeys,
} from './keys.ts';
export {
  addOutcomes,
  type LoadMetrics,
  type LoadResult,
  mergeLoadResults,
  outcomesBalance,
  toMetricsPart,
} from './load-result.ts';
export { opIdGenerator } from './op-id.ts';
export { type OpenOptions, runOpen } from './open-driver.ts';
export { cpuWindow, processTreeCpuSec, processTreesCpuSec } from './process-cpu.ts';
export {
  type LoadStage,
  PROFILE_NAMES,
  PROFILES,
  type ProfileInfo,
  type ProfileName,
  type ResolvedProfile,
  resolveProfile,
  stagesFor,
} from './profiles.ts';
export { attachProgressDisplay, createProgressDisplay, progressLine } from './progress-display.ts';
export { Random, randomStreams } from './random.ts';
export { type LoadProgress, type Pending, Recorder, type Recording } from './recorder.ts';
export {
  createRequestBuilder,
  DEFAULT_MIX,
  type LoadOp,
  type LoadRequest,
  type OperationMix,
  type RequestBuilderOptions,
  type RequestSource,
} from './request-builder.ts';
export { type LoadRun, type RunLoadOptions, runLoad } from './run-load.ts';
export type { RunOptions } from './run-options.ts';
