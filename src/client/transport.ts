import type { Readable } from 'node:stream';
import type { Clock } from '../util/clock.ts';
import type { RequestCredentials } from './credentials.ts';
import { ClientClosedError } from './errors.ts';
import { Http1Transport } from './http1-transport.ts';
import { Http2Pool } from './http2-pool.ts';

/** One GET to the API server. */
export interface TransportRequest {
  credentials: RequestCredentials;
  /** Path and query, the server URL's path prefix included. */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Aborting destroys the request or response; the body then fails with the signal's reason. */
  signal?: AbortSignal;
  /** No response headers within this time fails the request with RequestTimeoutError. */
  headersTimeoutMs: number;
  /** A watch: the stream stays open until the server or the caller ends it. */
  longLived: boolean;
}

/**
 * The server's answer; `body` streams Buffers and must be read to the end or
 * destroyed. Of the response headers only Retry-After is kept (a watch lives
 * for minutes: its headers are not held that long).
 */
export interface TransportResponse {
  status: number;
  /** The Retry-After header, as sent. */
  retryAfter: string | undefined;
  body: Readable;
  /** Ends the response early and frees its stream or socket. */
  destroy(err?: Error): void;
  /**
   * Reads the body through `reader`: its methods are called for the body's
   * 'data', 'end', 'error' and 'close' events (the body starts flowing, as
   * with a 'data' listener; pause and resume `body` to control it). The
   * transport does it with the listeners it already has on the stream, so
   * that a long-lived body costs no listeners or closures of its own. Call
   * at most once, instead of listening on `body`.
   */
  observe(reader: BodyReader): void;
}

/** What reads a body through TransportResponse.observe. */
export interface BodyReader {
  onData(chunk: Buffer): void;
  onEnd(): void;
  onError(err: Error): void;
  onClose(): void;
}

export interface TransportStats {
  /** Open HTTP/2 connections. */
  http2Connections: number;
  /** Open HTTP/1.1 sockets (busy or idle in the keep-alive pool). */
  http1Sockets: number;
  /** Requests and watches in flight over either protocol. */
  streams: number;
}

export interface TransportOptions {
  clock: Clock;
  /** true: HTTP/2 only (an https server that does not offer h2 is an error); false: HTTP/1.1 only; undefined: negotiate. */
  http2: boolean | undefined;
  /** Cap on streams per HTTP/2 connection, below the server's own SETTINGS limit. */
  maxStreamsPerConnection: number;
  /** An HTTP/2 connection with no stream for this long is closed. */
  idleConnectionTimeoutMs: number;
  /** HTTP/2 health PING interval (0: none). */
  pingIntervalMs: number;
}

/**
 * Sends requests over HTTP/2 when the server negotiates it through ALPN
 * (sharing connections per server and TLS identity, see Http2Pool) and over
 * HTTP/1.1 with keep-alive otherwise: plain `http://` servers, servers that
 * pick `http/1.1`, clusters with a proxy-url, or `http2: false`.
 */
export class Transport {
  readonly #http2: boolean | undefined;
  readonly #pool: Http2Pool;
  readonly #http1: Http1Transport;
  #closed = false;

  constructor(options: TransportOptions) {
    this.#http2 = options.http2;
    this.#pool = new Http2Pool(options);
    this.#http1 = new Http1Transport(options.clock);
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    if (this.#closed) throw new ClientClosedError('the client is closed');
    const { origin, proxyAgent } = req.credentials;
    if (origin.protocol === 'http:' || proxyAgent !== undefined || this.#http2 === false) return this.#http1.request(req);
    const response = await this.#pool.request(req);
    return response === 'http1' ? this.#http1.request(req) : response;
  }

  stats(): TransportStats {
    const h2 = this.#pool.stats();
    const h1 = this.#http1.stats();
    return { http2Connections: h2.connections, http1Sockets: h1.sockets, streams: h2.streams + h1.requests };
  }

  /** Destroys every connection (requests and watches in flight fail with ClientClosedError). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([this.#pool.close(), this.#http1.close()]);
  }
}
