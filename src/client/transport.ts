// The transport contract: what the client asks of a protocol (one request,
// its streamed answer, stats, close). The protocols implement it and the
// router picks one; this file imports none of them.
import type { Readable } from 'node:stream';
import type { Clock } from '../util/clock.ts';
import type { RequestCredentials } from './credentials.ts';

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

/** Sends requests to API servers over one protocol, or routes them to one. */
export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  stats(): TransportStats;
  close(): Promise<void>;
}
