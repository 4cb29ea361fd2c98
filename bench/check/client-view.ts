/**
 * What the load driver saw of a run, by opId: the only client-side input the correctness checks
 * need. The driver keeps both sets while it runs; a `Set` is used as is, any other iterable is
 * copied into one (duplicates collapse).
 *
 * Every opId the driver sent falls in at most one of the two sets. Operations the client saw
 * refused or failed (409, 422, 4xx/5xx) are in neither.
 */
export interface ClientView {
  /** opIds for which the client received a 2xx: the server said the operation was applied. */
  acknowledged: Iterable<string>;
  /**
   * opIds whose outcome the client never learned: still in flight when the load stopped, or
   * timed out. Jepsen's "indeterminate": applied or not, neither is a violation.
   */
  indeterminate: Iterable<string>;
}

export function asSet(ids: Iterable<string>): ReadonlySet<string> {
  return ids instanceof Set ? ids : new Set(ids);
}
