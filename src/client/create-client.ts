import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { ListOptions, WatchEvent, WatchObjectFunc } from '../api/types.ts';
import type { Clock } from '../util/clock.ts';
import { resolveClientOptions } from './client-options.ts';
import { dropManagedFields } from './managed-fields.ts';
import type { ClientOptions } from './client-options.ts';
import { CredentialReader } from './credentials.ts';
import type { RequestCredentials } from './credentials.ts';
import { ClientClosedError, ConnectionError, KubeConfigError, RequestTimeoutError, ResponseTooLargeError } from './errors.ts';
import { MalformedResponseError } from '../api/errors.ts';
import { ByteBudget } from './growing-buffer.ts';
import { readBody } from './read-body.ts';
import { getQuery, listQuery } from './query.ts';
import { resolveResourceRef, resourcePath } from './resource-ref.ts';
import type { ResourceRef } from './resource-ref.ts';
import { statusErrorFromResponse } from './status.ts';
import { RoutingTransport } from './routing-transport.ts';
import type { TransportResponse, TransportStats } from './transport.ts';
import type { Client, ResourceClient } from './types.ts';
import { StallWatchdog } from './stall-watchdog.ts';
import { WatchListSupport } from '../api/watch-list-support.ts';
import { watchStream } from './watch-stream.ts';
import type { WatchSettings } from './watch-stream.ts';

/** Connection counts and buffered bytes, for monitoring and tests. */
export interface ClientStats extends TransportStats {
  /** http2Connections + http1Sockets. */
  connections: number;
  /** Bytes held by watch event lines that have started to arrive but not ended (at most ClientOptions.maxBufferedWatchBytes). */
  bufferedWatchBytes: number;
}

/** The Client createClient returns, with its connection counts. */
export interface KubeClient extends Client {
  stats(): ClientStats;
}

/** Bound on an error body read into memory (a Status is a few hundred bytes). */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;
/**
 * The longest Retry-After a get or list waits out before retrying:
 * kube-apiserver asks for a second or a few. A longer one (a hostile server
 * could ask for years) fails the request at once with its StatusError, whose
 * retryAfterSeconds the caller may honour (the reflector does, up to a
 * minute).
 */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Waits `ms` on the clock. Rejects at once, the timer cleared, with the
 * signal's reason when `signal` aborts and with ClientClosedError when
 * `closed` does.
 */
function wait(clock: Clock, ms: number, signal: AbortSignal | undefined, closed: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const stop = (err: Error): void => {
      clock.clearTimeout(handle);
      signal?.removeEventListener('abort', onAbort);
      closed.removeEventListener('abort', onClose);
      reject(err);
    };
    const onAbort = (): void => stop(signal?.reason as Error);
    const onClose = (): void => stop(closed.reason as Error);
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      closed.removeEventListener('abort', onClose);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    closed.addEventListener('abort', onClose, { once: true });
  });
}

/**
 * whileOpen(promise): `promise`, unless `closed` aborts first: then a
 * rejection with its reason (ClientClosedError). One listener on `closed`
 * serves every promise in flight: EventTarget's addEventListener walks the
 * listeners already added, so one listener per request made a start-up
 * burst of 10,000 requests spend 2.4 s of CPU there.
 */
function whileOpenOf(closed: AbortSignal): <T>(promise: Promise<T>) => Promise<T> {
  const pending = new Set<(err: Error) => void>();
  closed.addEventListener(
    'abort',
    () => {
      for (const reject of pending) reject(closed.reason as Error);
      pending.clear();
    },
    { once: true },
  );
  return <T>(promise: Promise<T>): Promise<T> => {
    if (closed.aborted) return Promise.reject(closed.reason as Error);
    return new Promise<T>((resolve, reject) => {
      pending.add(reject);
      promise.then(resolve, reject).finally(() => pending.delete(reject));
    });
  };
}

function emptyWatch(): AsyncIterable<WatchEvent> {
  return (async function* () {})();
}

/**
 * A client for the API server of `kubeConfig`'s current context. The
 * current cluster and user are looked up again for every request, so a
 * changed KubeConfig (a new token, client certificate or CA) is used from
 * the next request on. Certificate and CA files are read for every request
 * (through client-node). A token file (a user's `tokenFile` or `token-file`,
 * as loadKubeConfig keeps them, or the in-cluster service account token) is
 * read again once the token held is a minute old on the clock, as client-go
 * does, and an exec plugin runs again once its credential's
 * expirationTimestamp has passed; its stderr goes to this process's stderr.
 * A 401 answer has both read again at once, and the request is sent once
 * more when that gives other credentials (a token rotated within the minute
 * costs one request, not a failure). Requests to one server with one TLS
 * identity share HTTP/2 connections (new ones are opened only when the
 * server's concurrent-stream limit is reached); servers without HTTP/2 get
 * HTTP/1.1 with keep-alive, one socket per watch. Throws a TypeError for
 * invalid options and a KubeConfigError when the KubeConfig has no current cluster.
 *
 * Failures: an API error answer is a StatusError (from the server's Status;
 * gets and lists answered 429 or 5xx with a Retry-After of at most a minute
 * are retried first, maxRetries times);
 * MalformedResponseError for a 200 that is not JSON or a list without items;
 * CredentialsError when the user's credentials cannot be produced;
 * ConnectionError when the connection fails; RequestTimeoutError when an
 * answer takes longer than requestTimeoutMs; ResponseTooLargeError when an
 * answer is larger than maxResponseBytes (or a watch line than
 * maxEventBytes or maxBufferedWatchBytes); a watch iterator throws
 * WatchDecodeError for a malformed line and WatchStalledError when the
 * server goes quiet; ClientClosedError after close(), also for requests and
 * watches in progress. No error quotes a credential, a response body or
 * what an exec plugin printed.
 */
export function createClient(kubeConfig: KubeConfig, options: ClientOptions = {}): KubeClient {
  const resolved = resolveClientOptions(options);
  const { clock, stallTimeoutMs, maxRetries, requestTimeoutMs, maxEventBytes, maxResponseBytes, userAgent } = resolved;
  const watchList = resolved.watchList ? new WatchListSupport() : undefined;
  if (kubeConfig.getCurrentCluster() === null) {
    throw new KubeConfigError(`createClient: the KubeConfig has no current cluster (current-context ${JSON.stringify(kubeConfig.getCurrentContext())})`);
  }
  const transport = new RoutingTransport({
    clock,
    http2: resolved.http2,
    maxStreamsPerConnection: resolved.maxStreamsPerConnection,
    idleConnectionTimeoutMs: resolved.idleConnectionTimeoutMs,
    pingIntervalMs: resolved.pingIntervalMs,
  });
  const credentials = new CredentialReader(kubeConfig, clock);
  // Aborted by close(), with ClientClosedError: ends waits for credentials,
  // Retry-After and watch events.
  const closing = new AbortController();
  const closed = closing.signal;
  const whileOpen = whileOpenOf(closed);
  const lineBudget = new ByteBudget(resolved.maxBufferedWatchBytes);
  const watchSettings: WatchSettings = { watchdog: new StallWatchdog(clock, stallTimeoutMs), maxEventBytes, lineBudget, closed, keepManagedFields: resolved.keepManagedFields };

  async function sendWith(current: RequestCredentials, path: string, signal: AbortSignal | undefined, longLived: boolean): Promise<TransportResponse> {
    const headers = { accept: 'application/json', 'user-agent': userAgent, ...current.headers };
    const request = { credentials: current, path: current.basePath + path, headers, headersTimeoutMs: requestTimeoutMs, longLived };
    return transport.request(signal === undefined ? request : { ...request, signal });
  }

  /**
   * Sends a GET with the current credentials. A 401 answer has the token
   * files and plugin credentials it was sent with read again (a rotated
   * token is then used before its minute is up); when that gives other
   * credentials, the request is sent once more with them, and that answer
   * is the one returned. Otherwise the 401 is returned.
   */
  async function send(path: string, signal: AbortSignal | undefined, longLived: boolean): Promise<TransportResponse> {
    if (closed.aborted) throw closed.reason as Error;
    const startedAt = clock.now();
    const used = await whileOpen(credentials.read());
    const response = await sendWith(used, path, signal, longLived);
    if (response.status !== 401) return response;
    credentials.invalidate(startedAt);
    const fresh = await whileOpen(credentials.read());
    if (fresh === used) return response;
    await readBody(response, MAX_ERROR_BODY_BYTES).catch(() => undefined);
    return sendWith(fresh, path, signal, longLived);
  }

  /** The body within what is left of the request timeout. */
  async function readWithin(response: TransportResponse, startedAt: number, what: string): Promise<Buffer> {
    const left = Math.max(0, requestTimeoutMs - (clock.now() - startedAt));
    const timer = clock.setTimeout(() => {
      response.destroy(new RequestTimeoutError(`${what}: no complete answer from the server within ${requestTimeoutMs} ms`));
    }, left);
    try {
      return await readBody(response, maxResponseBytes, () => {
        const message = `${what}: the response is larger than ${maxResponseBytes} bytes, the limit (ClientOptions.maxResponseBytes); the rest was not read`;
        return new ResponseTooLargeError(message, 'maxResponseBytes', maxResponseBytes);
      });
    } finally {
      clock.clearTimeout(timer);
    }
  }

  async function requestJson(path: string, what: string, signal: AbortSignal | undefined): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const startedAt = clock.now();
      const response = await send(path, signal, false);
      if (response.status === 200) {
        let body: Buffer;
        try {
          body = await readWithin(response, startedAt, what);
        } catch (err) {
          if (signal?.aborted === true) throw signal.reason;
          if (closed.aborted) throw closed.reason as Error;
          if (err instanceof ClientClosedError || err instanceof RequestTimeoutError || err instanceof ResponseTooLargeError) throw err;
          const detail = err instanceof Error ? err.message : String(err);
          throw new ConnectionError(`${what}: the response broke off: ${detail}`, { cause: err });
        }
        try {
          return JSON.parse(body.toString('utf8'));
        } catch {
          throw new MalformedResponseError(`${what}: the server answered 200 with a ${body.length}-byte body that is not JSON`);
        }
      }
      const body = await readBody(response, MAX_ERROR_BODY_BYTES).catch(() => Buffer.alloc(0));
      const err = statusErrorFromResponse(response.status, response.retryAfter, body, what);
      const retryAfter = err.retryAfterSeconds;
      const retriable = (response.status === 429 || response.status >= 500) && response.retryAfter !== undefined;
      if (!retriable || retryAfter === undefined || retryAfter * 1000 > MAX_RETRY_AFTER_MS || attempt >= maxRetries) throw err;
      await wait(clock, retryAfter * 1000, signal, closed);
    }
  }

  function resource<T extends KubernetesObject = KubernetesObject>(ref: string | ResourceRef): ResourceClient<T> {
    const api = resolveResourceRef(ref);
    const name = api.qualified;
    /** `"ns/name"` for a namespaced object, `"name"` for a cluster-scoped one. */
    const objectWhat = (namespace: string, objectName: string): string => JSON.stringify(api.namespaced ? `${namespace}/${objectName}` : objectName);
    const collectionWhat = (verb: string, namespace: string): string => (api.namespaced ? `${verb} ${name} in "${namespace}"` : `${verb} ${name}`);
    const getObject = async (namespace: string, objectName: string, getOptions: { resourceVersion?: string } = {}): Promise<T> => {
      const path = resourcePath(api, namespace, objectName) + getQuery(getOptions);
      const object = (await requestJson(path, `get ${name} ${objectWhat(namespace, objectName)}`, undefined)) as T;
      if (!resolved.keepManagedFields) dropManagedFields(object);
      return object;
    };
    const listObject = async (namespace: string, listOptions: ListOptions, signal?: AbortSignal): Promise<KubernetesListObject<KubernetesObject>> => {
      const path = resourcePath(api, namespace) + listQuery(listOptions ?? {}, false);
      const what = collectionWhat('list', namespace);
      const list = (await requestJson(path, what, signal)) as KubernetesListObject<KubernetesObject>;
      if (typeof list !== 'object' || list === null || !Array.isArray(list.items)) {
        throw new MalformedResponseError(`${what}: the server's answer has no items array`);
      }
      if (!resolved.keepManagedFields) for (const item of list.items) dropManagedFields(item);
      return list;
    };
    const watchObject = async (namespace: string, listOptions: ListOptions, signal: AbortSignal): Promise<AsyncIterable<WatchEvent>> => {
      const path = resourcePath(api, namespace) + listQuery(listOptions ?? {}, true);
      if (signal.aborted) return emptyWatch();
      let response: TransportResponse;
      try {
        response = await send(path, signal, true);
      } catch (err) {
        if (signal.aborted) return emptyWatch();
        throw err;
      }
      if (response.status !== 200) {
        const body = await readBody(response, MAX_ERROR_BODY_BYTES).catch(() => Buffer.alloc(0));
        throw statusErrorFromResponse(response.status, response.retryAfter, body, collectionWhat('watch', namespace));
      }
      return watchStream(response, watchSettings, signal, collectionWhat('watch', namespace));
    };
    // One WatchListSupport for the whole client: the server refuses WatchList for every resource or none.
    const watch: WatchObjectFunc = watchList === undefined ? watchObject : Object.assign(watchObject, { watchList });
    return { groupResource: { group: api.group, resource: api.resource }, getObject, listObject, watchObject: watch };
  }

  return {
    resource,
    stats(): ClientStats {
      const s = transport.stats();
      return { ...s, connections: s.http2Connections + s.http1Sockets, bufferedWatchBytes: lineBudget.used };
    },
    async close(): Promise<void> {
      if (!closed.aborted) closing.abort(new ClientClosedError('the client was closed'));
      credentials.close();
      await transport.close();
    },
  };
}

