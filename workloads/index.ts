/**
 * What a workload module needs from the harness, in one import: the interface, the transaction
 * and ledger helpers, the read-modify-write skeleton and the JSON-schema atoms. A module of your
 * own (`--workload ./my-workload.ts`) imports from here; examples/inventory.ts shows one.
 */
export type { Sql } from '../bench/databases/connect.ts';
export type { SeedSizes } from '../bench/databases/schema.ts';
export { recordLedger } from '../strategies/ledger.ts';
export type { Dialect, StrategyName } from '../strategies/names.ts';
export type { AttemptOutcome } from '../strategies/outcome.ts';
export type { Session } from '../strategies/pool.ts';
export { type AttemptContext, simulateWork } from '../strategies/strategy.ts';
export { inTransaction } from '../strategies/transaction.ts';
export { amount, id, idParams, opId, opIdBody, pathId } from './http-schemas.ts';
export { guarded, type LockingRead, lockingRead, type RmwStrategy, rmwPerform } from './rmw.ts';
export type {
  Attempt,
  CheckContext,
  Finding,
  FindingExample,
  OperationRoute,
  RequestContext,
  WorkloadModule,
  WorkloadOp,
  WorkloadRequest,
} from './workload.ts';
