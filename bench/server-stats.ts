import type { ErrorClasses, Metrics } from '../core/result-schema.ts';
import type { ServerStats } from '../servers/protocol.ts';

/**
 * Retry economics from the server's counters (pgbench's accounting): "retried" is the share of
 * operations that needed more than one attempt; "extra attempts" are the attempts beyond the
 * first, per successful operation. The counters are reset when the warm-up ends, so they cover
 * the measured part (plus the requests in flight at that moment).
 */
export function retriesFromStats(s: ServerStats): Metrics['retries'] {
  return {
    extraAttemptsPerSuccess: s.ok > 0 ? (s.attempts - s.operations) / s.ok : 0,
    retriedShare: s.operations > 0 ? s.retried / s.operations : 0,
    attemptsHistogram: { ...s.attemptsHistogram },
  };
}

export function errorsFromStats(s: ServerStats): ErrorClasses {
  return { ...s.errors };
}
