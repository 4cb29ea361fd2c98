export {
  type AcknowledgementFindings,
  checkAcknowledgements,
  readLedgerOpIds,
  reconcileAcknowledged,
} from './acknowledgements.ts';
export { type BalanceFindings, checkBalances } from './balances.ts';
export { cellStatus } from './cell-status.ts';
export { type CheckInput, checkRun, notChecked } from './check-run.ts';
export type { ClientView } from './client-view.ts';
export { checkSeats, reconcileEvents, type SeatFindings } from './seats.ts';
export {
  countViolations,
  MAX_EXAMPLES,
  pickExamples,
  VIOLATION_KINDS,
  type ViolationExample,
  type ViolationKind,
  type ViolationTally,
} from './violations.ts';
