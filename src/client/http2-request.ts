import http2 from 'node:http2';
import type { ClientHttp2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader } from 'node:http2';
import type { Clock } from '../util/clock.ts';
import { ClientClosedError, ConnectionError, RequestTimeoutError } from './errors.ts';
import { describeError } from './tls-connect.ts';
import type { BodyReader, TransportRequest, TransportResponse } from './transport.ts';

/** Node errors for a stream that never reached the server. */
export const UNSENT_CODES: ReadonlySet<string> = new Set(['ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_INVALID_SESSION', 'ERR_HTTP2_OUT_OF_STREAMS']);

/**
 * A stream the server never processed; the request goes to another
 * connection. A ConnectionError (same code) when the last attempt fails too.
 */
export class StreamRefusedError extends ConnectionError {
  override readonly name = 'StreamRefusedError';
}

/** The connection a stream runs on, told when the stream closes. */
export interface StreamOwner {
  release(longLived: boolean): void;
}

/** The slot of a stream, so that its listeners are shared functions rather than closures per stream. */
const kSlot = Symbol('kom.http2.slot');
type SlottedStream = ClientHttp2Stream & { [kSlot]?: StreamSlot };

function slotOf(stream: ClientHttp2Stream): StreamSlot | undefined {
  return (stream as SlottedStream)[kSlot];
}
function onResponse(this: ClientHttp2Stream, headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
  slotOf(this)?.onResponse(headers);
}
function onError(this: ClientHttp2Stream, err: Error): void {
  slotOf(this)?.onError(err);
}
function onClose(this: ClientHttp2Stream): void {
  slotOf(this)?.onClose();
}
function onData(this: ClientHttp2Stream, chunk: Buffer): void {
  slotOf(this)?.reader?.onData(chunk);
}
function onEnd(this: ClientHttp2Stream): void {
  slotOf(this)?.reader?.onEnd();
}

/** What a request needs until its response headers arrive. */
interface Pending {
  readonly path: string;
  readonly clock: Clock;
  timer: unknown;
  readonly resolve: (response: TransportResponse) => void;
  readonly reject: (err: Error) => void;
}

/**
 * One request on an HTTP/2 stream from the request to the stream's close,
 * and the response it resolves with (the stream is the body; of the headers
 * only Retry-After is kept): the abort signal (the slot is its listener),
 * the connection slot released on close and, until the response headers
 * arrive, the Pending request with its timeout. After that only the stream,
 * its owner, the signal and the body's reader are kept; later stream errors
 * reach the reader (the 'error' listener stays, so that an unread body's
 * error does not crash the process).
 */
class StreamSlot implements TransportResponse {
  status = 0;
  retryAfter: string | undefined;
  readonly body: ClientHttp2Stream;
  readonly #owner: StreamOwner;
  readonly #longLived: boolean;
  readonly #signal: AbortSignal | undefined;
  #pending: Pending | undefined;
  /** Reads the body, once observe() was called. */
  reader: BodyReader | undefined;

  constructor(stream: ClientHttp2Stream, owner: StreamOwner, req: TransportRequest, clock: Clock, resolve: (response: TransportResponse) => void, reject: (err: Error) => void) {
    this.body = stream;
    this.#owner = owner;
    this.#longLived = req.longLived;
    this.#signal = req.signal;
    const ms = req.headersTimeoutMs;
    const path = req.path;
    this.#pending = { path, clock, timer: clock.setTimeout(() => this.#onTimeout(path, ms), ms), resolve, reject };
    (stream as SlottedStream)[kSlot] = this;
    stream.on('close', onClose);
    stream.on('error', onError);
    stream.once('response', onResponse);
    const signal = this.#signal;
    if (signal !== undefined) {
      if (signal.aborted) this.handleEvent();
      else signal.addEventListener('abort', this, { once: true });
    }
  }

  /**
   * Resets the stream with CANCEL, as RFC 9113 has a client abandon a
   * response: Node's destroy() alone resets with NO_ERROR, and a Node.js
   * server keeps a stream reset that way open while it has writes queued.
   */
  destroy(err?: Error): void {
    if (!this.body.closed) this.body.close(http2.constants.NGHTTP2_CANCEL);
    this.body.destroy(err);
  }

  observe(reader: BodyReader): void {
    this.reader = reader;
    this.body.on('end', onEnd);
    this.body.on('data', onData);
  }

  /** The abort signal fired. */
  handleEvent(): void {
    const reason: unknown = this.#signal?.reason;
    this.body.destroy(reason instanceof Error ? reason : new Error('aborted'));
  }

  onResponse(headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
    const pending = this.#take();
    this.status = Number(headers[':status'] ?? 0);
    this.retryAfter = headers['retry-after'];
    pending?.resolve(this);
  }

  onError(err: Error): void {
    if (this.#pending !== undefined) this.#fail(err);
    else this.reader?.onError(err);
  }

  onClose(): void {
    const pending = this.#pending;
    if (pending !== undefined) pending.clock.clearTimeout(pending.timer);
    this.#owner.release(this.#longLived);
    this.#signal?.removeEventListener('abort', this);
    if (pending !== undefined) this.#fail(undefined);
    else this.reader?.onClose();
  }

  #onTimeout(path: string, ms: number): void {
    this.body.destroy(new RequestTimeoutError(`GET ${path}: no answer from the server within ${ms} ms`));
  }

  /** Ends the pending state: clears the timeout; undefined once the request was answered or failed. */
  #take(): Pending | undefined {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.clock.clearTimeout(pending.timer);
    return pending;
  }

  /** Rejects the request when it has no answer yet; does nothing after the response. */
  #fail(err: Error | undefined): void {
    const pending = this.#take();
    if (pending === undefined) return;
    const { path, reject } = pending;
    const signal = this.#signal;
    if (signal?.aborted === true) return reject(signal.reason as Error);
    if (err instanceof ClientClosedError || err instanceof RequestTimeoutError) return reject(err);
    const code = (err as { code?: unknown } | undefined)?.code;
    const stream = this.body;
    // Node's server frees a finished stream's slot asynchronously: a stream
    // opened in that instant on a full connection is reset with
    // ENHANCE_YOUR_CALM before any answer, which is as safe to resend.
    const refused = stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM || stream.rstCode === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM;
    if (refused || (typeof code === 'string' && UNSENT_CODES.has(code))) {
      return reject(new StreamRefusedError(`GET ${path}: the server refused the HTTP/2 stream`, { cause: err }));
    }
    if (err !== undefined) return reject(new ConnectionError(`GET ${path}: ${describeError(err)}`, { cause: err }));
    reject(new ConnectionError(`GET ${path}: the server closed the HTTP/2 stream before answering (code ${stream.rstCode ?? 'none'})`));
  }
}

/**
 * The response to `req` on an open stream: resolves with the response
 * headers (the stream is the body), rejects with RequestTimeoutError when
 * they take longer than `req.headersTimeoutMs`, with the signal's reason
 * when it aborts, StreamRefusedError when the server refused the stream
 * (safe to resend) and ConnectionError otherwise. `owner.release` is called
 * once, when the stream closes.
 */
export function awaitResponse(stream: ClientHttp2Stream, owner: StreamOwner, req: TransportRequest, clock: Clock): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve, reject) => {
    new StreamSlot(stream, owner, req, clock, resolve, reject);
  });
}
