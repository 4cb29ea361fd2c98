import { connect, type Socket } from 'node:net';

/**
 * One keep-alive HTTP/1.1 connection with at most one request in flight, written for the load
 * drivers' hot path: a request is one string written with one `write` (one syscall), and a
 * response is read for what the drivers use, its status and one header (`x-outcome`), its body
 * skipped by length. No per-request object, promise or closure: the owner gets its callbacks with
 * the connection. Measured on a trivial route, it costs the driver about a third of what undici
 * or autocannon did per request (bench:overhead).
 *
 * What it understands of a response: a status line, headers, and a body by `content-length`,
 * `transfer-encoding: chunked` (its end found at the `0` chunk: JSON bodies carry no CRLF) or none
 * (1xx, 204, 304). A response with `connection: close` is taken, then the socket closes and the
 * owner hears `onClose` with no request in flight.
 */
export interface HttpConnectionOwner {
  /** The response to the request in flight arrived. `outcome` is the watched header's value. */
  onResponse(conn: HttpConnection, status: number, outcome: string | undefined): void;
  /** The socket failed or closed; `inFlight` tells whether a request was lost with it. */
  onClose(conn: HttpConnection, inFlight: boolean): void;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

export class HttpConnection {
  private socket: Socket | null = null;
  private buf: Buffer | null = null;
  private readonly head: string;
  private readonly watched: string;
  /** A request is out and its response not complete. */
  busy = false;
  /** performance.now() when the request in flight was written (for timeouts). */
  sentAt = 0;
  /** Free for the owner: which of its slots this connection serves. */
  slot = 0;

  private readonly host: string;
  private readonly port: number;
  private readonly bodyHead: string;

  /**
   * @param origin      http://host:port of the server
   * @param header      name of the response header handed to onResponse
   * @param contentType content type of request bodies
   */
  constructor(
    origin: string,
    private readonly owner: HttpConnectionOwner,
    header: string,
    contentType: string,
  ) {
    const u = new URL(origin);
    if (u.protocol !== 'http:') throw new RangeError(`only http:// is supported, got ${u.protocol}`);
    // An IPv6 literal comes bracketed in a URL, bare in connect().
    this.host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(u.port) || 80;
    this.head = ` HTTP/1.1\r\nhost: ${u.host}\r\n`;
    this.bodyHead = `content-type: ${contentType}\r\ncontent-length: `;
    this.watched = `\r\n${header.toLowerCase()}:`;
  }

  /** Opens the socket now (requests sent before it connects are queued by the socket). */
  open(): void {
    if (this.socket) return;
    const s = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = s;
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('error', () => {});
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = null;
      this.buf = null;
      const inFlight = this.busy;
      this.busy = false;
      this.owner.onClose(this, inFlight);
    });
  }

  /** Sends a request (opening the socket if needed). The body is ASCII JSON or undefined. */
  send(method: string, path: string, body: string | undefined, nowMs: number): void {
    if (!this.socket) this.open();
    this.busy = true;
    this.sentAt = nowMs;
    const text =
      body === undefined
        ? `${method} ${path}${this.head}\r\n`
        : `${method} ${path}${this.head}${this.bodyHead}${Buffer.byteLength(body)}\r\n\r\n${body}`;
    (this.socket as Socket).write(text, 'latin1');
  }

  /**
   * Closes the socket at once. With `notify` false the owner hears nothing (a run that ended: its
   * request stays in flight); otherwise `onClose` follows.
   */
  destroy(notify = true): void {
    const s = this.socket;
    if (!s) return;
    if (!notify) {
      this.socket = null;
      this.busy = false;
      this.buf = null;
    }
    s.destroy();
  }

  /** Resolves once the socket is closed (at once when there is none). */
  closed(): Promise<void> {
    const s = this.socket;
    if (!s || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => s.once('close', () => resolve()));
  }

  private onData(chunk: Buffer): void {
    let buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const end = buf.indexOf(CRLFCRLF);
      if (end < 0) break;
      const head = buf.toString('latin1', 0, end + 2).toLowerCase();
      const status = Number(head.slice(9, 12));
      const bodyStart = end + 4;
      let bodyEnd: number;
      const len = headerValue(head, '\r\ncontent-length:');
      if (len !== undefined) bodyEnd = bodyStart + Number(len);
      else if (headerValue(head, '\r\ntransfer-encoding:') === 'chunked') {
        const last = chunkedEnd(buf, bodyStart);
        if (last < 0) break;
        bodyEnd = last;
      } else bodyEnd = bodyStart;
      if (buf.length < bodyEnd) break;
      const outcome = headerValue(head, this.watched);
      buf = buf.subarray(bodyEnd);
      if (status >= 200 || status < 100) {
        this.busy = false;
        this.owner.onResponse(this, status, outcome);
      }
      if (buf.length === 0) break;
    }
    this.buf = buf.length === 0 ? null : buf;
  }
}

/** The trimmed value of the header whose `\r\nname:` prefix is given, in a lower-cased head. */
function headerValue(head: string, prefix: string): string | undefined {
  const i = head.indexOf(prefix);
  if (i < 0) return undefined;
  const from = i + prefix.length;
  const to = head.indexOf('\r\n', from);
  return head.slice(from, to < 0 ? head.length : to).trim();
}

/** Index just past a chunked body's last chunk, or -1 while it has not all arrived. */
function chunkedEnd(buf: Buffer, bodyStart: number): number {
  let at = bodyStart;
  for (;;) {
    const i = buf.indexOf(LAST_CHUNK, at);
    if (i < 0) return -1;
    // The last chunk starts the body or follows a chunk's CRLF.
    if (i === bodyStart || buf[i - 1] === 0x0a) return i + LAST_CHUNK.length;
    at = i + 1;
  }
}
