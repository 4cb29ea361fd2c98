import type { OutcomeKind } from '../../servers/protocol.ts';

/**
 * A response's outcome from its status and `x-outcome` header alone (no body parsing). Any 2xx is
 * `ok`: the client saw the operation acknowledged, which is what the correctness checks rely on.
 * Otherwise the header decides; without it, 422 is a business refusal and everything else an error
 * (a 409 without the header cannot be told apart: sold out or conflict).
 */
export function classifyResponse(status: number, outcomeHeader: string | undefined): OutcomeKind {
  if (status >= 200 && status < 300) return 'ok';
  switch (outcomeHeader) {
    case 'rejected':
    case 'conflict':
    case 'error':
      return outcomeHeader;
    case undefined:
      return status === 422 ? 'rejected' : 'error';
    default:
      return 'error';
  }
}
