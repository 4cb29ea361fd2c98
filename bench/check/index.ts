export {
  countViolations,
  MAX_EXAMPLES,
  pickExamples,
  VIOLATION_KINDS,
  type ViolationExample,
  type ViolationKind,
  type ViolationTally,
} from '../../core/violations.ts';
export { type BalanceFindings, checkBalances } from '../../workloads/account/balances.ts';
export { checkSeats, reconcileEvents, type SeatFindings } from '../../workloads/tickets/seats.ts';
export {
  type AcknowledgementFindings,
  checkAcknowledgements,
  readLedgerOpIds,
  reconcileAcknowledged,
} from './acknowledgements.ts';
export { cellStatus } from './cell-status.ts';
export { type CheckInput, checkRun, notChecked } from './check-run.ts';
export type { ClientView } from './client-view.ts';
