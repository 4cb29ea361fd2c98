/** The sizes the built-in workloads seed (recorded in lockbench_meta; a profile may override some). */
export interface SeedSizes {
  /** Number of accounts, ids 1..accounts. Default 1000. */
  accounts: number;
  /** Initial balance of every account, in cents. Default 1,000,000 (10,000.00). */
  initialBalance: number;
  /** Number of events, ids 1..events. Default 10. */
  events: number;
  /** Seats per event. Default 5000 (enough not to sell out in a short run). */
  seatsPerEvent: number;
}

export const DEFAULT_SEED: SeedSizes = {
  accounts: 1000,
  initialBalance: 1_000_000,
  events: 10,
  seatsPerEvent: 5000,
};
