import autocannon from 'autocannon';

/**
 * The one typed wrapper around autocannon 9. @types/autocannon lacks what the closed driver
 * relies on: the per-client `timeout` / `connError` events, `setRequests` semantics, and the fact
 * that `setupRequest` runs synchronously just before each write (for the first request of a
 * connection: when `setRequests` is called in `setupClient`, before the socket connects).
 */

/** One request template; `setupRequest` fills it in before each send. */
export interface CannonRequest {
  method?: 'GET' | 'POST';
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  /** Mutates and returns `req`; runs once per request, right before it is written. */
  setupRequest?: (req: CannonRequest, context: Record<string, unknown>) => CannonRequest;
  /** Runs when a complete response arrives on the connection (pipelining 1: for the last request sent). */
  onResponse?: (
    status: number,
    body: string,
    context: Record<string, unknown>,
    headers: Record<string, string | string[] | undefined>,
  ) => void;
}

/** One autocannon connection. */
export interface CannonClient {
  /** Replaces this connection's request list and rebuilds the first one (calls its setupRequest). */
  setRequests(requests: CannonRequest[]): void;
  /** A request got no response within `timeoutSec`; the connection was replaced. */
  on(event: 'timeout', listener: () => void): this;
  /** Socket error; autocannon reconnects and sends a new request. */
  on(event: 'connError', listener: (err: Error) => void): this;
}

export interface CannonOptions {
  /** http://host:port */
  url: string;
  connections: number;
  /** Seconds per request before autocannon gives up and reconnects; at least 1 (autocannon's rule). */
  timeoutSec: number;
  /** Default headers of every request. */
  headers: Record<string, string>;
  /** Called once per connection before it connects. */
  setupClient: (client: CannonClient) => void;
}

export interface CannonInstance {
  /** Stops within ~100 ms (autocannon checks its stop flag at each sample tick). */
  stop(): void;
  /** Settles once every connection is closed; rejects on a setup error. */
  readonly done: Promise<void>;
}

/** Far beyond any run: runs end by `stop()`, never by autocannon's own timer. */
const NEVER_SEC = 7 * 24 * 3600;

export function startCannon(o: CannonOptions): CannonInstance {
  let instance: autocannon.Instance | undefined;
  const done = new Promise<void>((resolve, reject) => {
    instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        duration: NEVER_SEC,
        timeout: o.timeoutSec,
        pipelining: 1,
        // Stop is only noticed at a sample tick.
        sampleInt: 100,
        headers: o.headers,
        // A static placeholder: setupClient replaces it before anything is sent.
        requests: [{ method: 'GET', path: '/' }],
        setupClient: o.setupClient as unknown as (client: autocannon.Client) => void,
      },
      (err) => (err ? reject(err) : resolve()),
    );
  });
  // After a setup error autocannon returns a bare emitter without stop().
  const stop = () => {
    if (typeof instance?.stop === 'function') instance.stop();
  };
  return { stop, done };
}
