import { constants as bufferConstants } from 'node:buffer';
import type { Clock } from '../util/clock.ts';
import { realClock } from '../util/clock.ts';
import { checkDurationMs } from '../util/duration.ts';
import { DEFAULT_MAX_EVENT_BYTES } from './watch-decoder.ts';

export interface ClientOptions {
  /** Source of time for retries, timeouts, stall detection, PINGs, idle connections and credential refreshes. @default realClock */
  clock?: Clock;
  /**
   * A watch that receives no byte (not even a bookmark: kube-apiserver sends
   * one about every minute when asked) for this long is stopped and its
   * iterator throws WatchStalledError, so the reflector starts over. At most
   * 2^31 - 1 ms (what a timer can wait).
   * @default 330_000 (5.5 minutes)
   */
  stallTimeoutMs?: number;
  /** @default 'kube-object-manager/0.1.0' */
  userAgent?: string;
  /** Upper bound on streams per HTTP/2 connection; the server's SETTINGS limit applies when lower. @default unlimited */
  maxStreamsPerConnection?: number;
  /**
   * true: HTTP/2 only; false: HTTP/1.1 only; unset: HTTP/2 when the server
   * offers it through ALPN. Over HTTP/1.1 every open watch holds a socket of
   * its own (plain http:// servers, servers without h2, clusters with a
   * proxy-url): thousands of watches need HTTP/2.
   */
  http2?: boolean;
  /** An HTTP/2 connection left with no stream for this long is closed. At most 2^31 - 1 ms. @default 90_000 */
  idleConnectionTimeoutMs?: number;
  /**
   * A connection with streams in flight is sent an HTTP/2 PING this often; no
   * answer within half the interval fails the connection and everything on
   * it (a dead peer is found in 1.5 intervals). 0 turns the check off; at
   * most 2^31 - 1 ms.
   * @default 30_000
   */
  pingIntervalMs?: number;
  /**
   * A get or list must be answered completely, and a watch must get its
   * response headers, within this time; otherwise it fails with
   * RequestTimeoutError (an open watch is guarded by stallTimeoutMs
   * instead). At most 2^31 - 1 ms.
   * @default 60_000
   */
  requestTimeoutMs?: number;
  /** How many times a get or list answered 429 (or 5xx) with a Retry-After of at most a minute is retried. @default 3 */
  maxRetries?: number;
  /**
   * Longest watch event line accepted; a longer one ends the watch with
   * ResponseTooLargeError. One object is at most 1.5 MiB in etcd (its
   * default request limit) and kube-apiserver takes write bodies of at most
   * 3 MiB, so a real event (the object's JSON, base64 data included, in a
   * `{"type":…,"object":…}` line) is a few MiB at most; the default is
   * far above that and still stops a runaway line.
   * @default 64 MiB
   */
  maxEventBytes?: number;
  /**
   * Largest get or list response body read into memory; a longer one is cut
   * off (the stream destroyed) and the request fails with
   * ResponseTooLargeError. A get answers one object (a few MiB at most, see
   * maxEventBytes), but a list answers every object that matches: unpaged
   * lists of all Secrets of a large cluster have been seen at about 500 MB,
   * so the default is the largest body this client can decode at all (V8's
   * longest string, which JSON.parse needs: 2^29 - 24 bytes, just under
   * 512 MiB, also the highest value accepted); it turns a server that never
   * ends its answer from unbounded growth into an error, and no answer the
   * client could decode meets it. Lower it for processes with little memory
   * (lists the reflector makes are paged, 500 objects a page).
   * @default 536_870_888 (2^29 - 24, about 512 MiB)
   */
  maxResponseBytes?: number;
  /**
   * Bound on the memory held, across every watch of this client, by event
   * lines that have started to arrive but not ended. A watch whose next
   * bytes would take the total past it ends with ResponseTooLargeError (the
   * reflector relists); what the others hold is untouched. A line is only
   * unfinished while its event is in transfer, and an event is a few MiB at
   * most (see maxEventBytes), so a real cluster needs this much only when
   * more than 85 maximal objects (or 256 objects of 1 MiB) change at the
   * same instant on watches of one client; without it, each hostile or
   * broken watch could hold maxEventBytes.
   * @default 256 MiB
   */
  maxBufferedWatchBytes?: number;
  /**
   * Whether watching managers sync each object with one WatchList request (a
   * watch with `sendInitialEvents=true`; kube-apiserver serves it by default
   * in v1.32 and since v1.34) instead of a list and then a watch. A server
   * that refuses it (422 or 400: the WatchList feature gate is off, or the
   * server predates it) is asked once; from then on this client lists, then
   * watches. false: always list, then watch.
   * @default true
   */
  watchList?: boolean;
  /**
   * Whether objects keep `metadata.managedFields` (server-side apply's record
   * of which manager owns which field) as the server sent them. By default
   * they are dropped from every object the client returns (gets, list items,
   * watch events), as kubectl hides them: they are about 0.8 KB of a small
   * cached Secret, 15% of the memory a watched object costs at 10,000. Set
   * true when you read them.
   * @default false
   */
  keepManagedFields?: boolean;
}

/** Every option with its default applied, checked. */
export interface ResolvedClientOptions {
  clock: Clock;
  stallTimeoutMs: number;
  userAgent: string;
  maxStreamsPerConnection: number;
  http2: boolean | undefined;
  idleConnectionTimeoutMs: number;
  pingIntervalMs: number;
  requestTimeoutMs: number;
  maxRetries: number;
  maxEventBytes: number;
  maxResponseBytes: number;
  maxBufferedWatchBytes: number;
  watchList: boolean;
  keepManagedFields: boolean;
}

const DEFAULT_STALL_TIMEOUT_MS = 330_000;
const DEFAULT_IDLE_CONNECTION_TIMEOUT_MS = 90_000;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** client-go's HTTP/2 ReadIdleTimeout. */
const DEFAULT_PING_INTERVAL_MS = 30_000;
/** V8's longest string: a body JSON.parse can take at all. */
export const DEFAULT_MAX_RESPONSE_BYTES = bufferConstants.MAX_STRING_LENGTH;
export const DEFAULT_MAX_BUFFERED_WATCH_BYTES = 256 * 1024 * 1024;

function count(name: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new TypeError(`createClient: options.${name} must be a number ${range}, got ${String(value)}`);
  }
  return value;
}

function duration(name: string, value: number | undefined, fallback: number, min: number): number {
  return value === undefined ? fallback : checkDurationMs(`createClient: options.${name}`, value, { min });
}

/** The options with their defaults; throws a TypeError naming the first invalid one. */
export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  const userAgent = options.userAgent ?? 'kube-object-manager/0.1.0';
  if (typeof userAgent !== 'string' || userAgent === '') throw new TypeError('createClient: options.userAgent must be a non-empty string');
  if (options.http2 !== undefined && typeof options.http2 !== 'boolean') throw new TypeError('createClient: options.http2 must be a boolean');
  if (options.watchList !== undefined && typeof options.watchList !== 'boolean') throw new TypeError('createClient: options.watchList must be a boolean');
  if (options.keepManagedFields !== undefined && typeof options.keepManagedFields !== 'boolean') throw new TypeError('createClient: options.keepManagedFields must be a boolean');
  return {
    clock: options.clock ?? realClock,
    stallTimeoutMs: duration('stallTimeoutMs', options.stallTimeoutMs, DEFAULT_STALL_TIMEOUT_MS, 1),
    userAgent,
    maxStreamsPerConnection: count('maxStreamsPerConnection', options.maxStreamsPerConnection, Infinity, 1, Infinity),
    http2: options.http2,
    idleConnectionTimeoutMs: duration('idleConnectionTimeoutMs', options.idleConnectionTimeoutMs, DEFAULT_IDLE_CONNECTION_TIMEOUT_MS, 1),
    pingIntervalMs: duration('pingIntervalMs', options.pingIntervalMs, DEFAULT_PING_INTERVAL_MS, 0),
    requestTimeoutMs: duration('requestTimeoutMs', options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 1),
    maxRetries: count('maxRetries', options.maxRetries, DEFAULT_MAX_RETRIES, 0),
    maxEventBytes: count('maxEventBytes', options.maxEventBytes, DEFAULT_MAX_EVENT_BYTES, 1024),
    maxResponseBytes: count('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 1024, bufferConstants.MAX_STRING_LENGTH),
    maxBufferedWatchBytes: count('maxBufferedWatchBytes', options.maxBufferedWatchBytes, DEFAULT_MAX_BUFFERED_WATCH_BYTES, 1024),
    watchList: options.watchList ?? true,
    keepManagedFields: options.keepManagedFields ?? false,
  };
}
