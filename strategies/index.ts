export type { ClassifyHint, ErrorClass } from './classify.ts';
export { classify, isRetryable, MYSQL, PG } from './classify.ts';
export type { Executor, ExecutorOptions } from './executor.ts';
export { createExecutor, type OperationAttempt, OperationFailed } from './executor.ts';
export type { Guard, LockKey } from './guard.ts';
export type { AccountView, EventView } from './lookups.ts';
export type { Dialect, IsolationLevel, StrategyName, Workload } from './names.ts';
export {
  DIALECTS,
  ISOLATION_LEVELS,
  STRATEGIES,
  STRATEGY_NAMES,
} from './names.ts';
export type { AttemptOutcome, ConflictReason, OperationResult, Outcome, RejectReason } from './outcome.ts';
export { CONFLICT_REASONS } from './outcome.ts';
export { checkSupport, getStrategy, STRATEGY_REGISTRY } from './registry.ts';
export type { RetryPolicy, RetryResult, Step } from './retry.ts';
export { backoffMs, DEFAULT_RETRY_POLICY, retry } from './retry.ts';
export type { ExecutorSettings, ExecutorSettingsInput } from './settings.ts';
export { ExecutorSettingsSchema, mysqlLockWaitSeconds, parseExecutorSettings } from './settings.ts';
export type { AttemptContext, Strategy } from './strategy.ts';
export type { DbFacts, Support } from './support.ts';
export { atLeast, parseVersion } from './support.ts';
