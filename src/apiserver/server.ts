import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer, Http2ServerRequest, Http2ServerResponse, Http2Session, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { realClock } from '../util/clock.ts';
import type { Clock } from '../util/clock.ts';
import { checkDurationMs } from '../util/duration.ts';
import { acceptsJson, checkBearer } from './auth.ts';
import { generateServerCertificates } from './certs.ts';
import { healthText } from './health.ts';
import { IdleConnections } from './connections.ts';
import { ResourceCatalog } from './catalog.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, groupDiscovery, versionInfo } from './discovery.ts';
import { Exchange } from './exchange.ts';
import { buildExtraOpenApiV3 } from './extra-openapi.ts';
import { extraResourceInfos } from './extra-resources.ts';
import type { ExtraResource } from './extra-resources.ts';
import { FaultState } from './faults.ts';
import type { FailureOptions } from './faults.ts';
import { buildKubeConfig, kubeconfigYaml } from './kubeconfig.ts';
import type { ClientAccess } from './kubeconfig.ts';
import { OPENAPI_V2_PROTOBUF, openApiV2, openApiV3 } from './openapi.ts';
import { Registry } from './registry.ts';
import { resources } from './resources.ts';
import type { ResourceInfo } from './resources.ts';
import { serveApi } from './rest.ts';
import { apiTarget } from './routing.ts';
import { kubernetesService } from './services.ts';
import { methodNotAllowed, notServed, statusError, unknownPath } from './status.ts';
import { Storage } from './storage.ts';
import { WatchHub } from './watch.ts';

/** Options of startApiServer; every field is optional. */
export interface ApiServerOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** HTTPS with HTTP/2 and HTTP/1.1 negotiated by ALPN (default true); false serves plain HTTP/1.1. */
  tls?: boolean;
  /** Time source for timestamps, watch timeouts, bookmarks and delays; default the real clock. */
  clock?: Clock;
  /** Bearer token clients must send; default a random one. */
  token?: string;
  /** Changes kept for watch resumption and consistent pagination; default 10,000. */
  historySize?: number;
  /** Interval of BOOKMARK events on watches that allow them; default 60,000 ms. */
  bookmarkIntervalMs?: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS advertised per HTTP/2 connection; default 100 like kube-apiserver. */
  maxConcurrentStreams?: number;
  /**
   * Accept requests that carry no credentials (default false). kubectl sends no token to an
   * `http://` server (client-go drops credentials without TLS), so `tls: false` with kubectl needs it.
   */
  allowAnonymous?: boolean;
  /** Serve `sendInitialEvents` watches (default true); false rejects them with 422 like a server without WatchList. */
  watchList?: boolean;
  /**
   * An HTTP/2 connection with no open stream, or an HTTP/1.1 connection with
   * no request in flight, is closed after this long on the clock (HTTP/2:
   * GOAWAY); default 90,000 ms, kube-apiserver's IdleTimeout.
   */
  idleTimeoutMs?: number;
  /**
   * Connections open at once; more are closed as soon as they are accepted
   * (counted in metrics().droppedConnections). Default 1,000. kube-apiserver
   * has no such cap: it bounds requests in flight instead (see README).
   */
  maxConnections?: number;
  /**
   * Resources to serve besides the built-in ones, each as kube-apiserver
   * serves a CustomResourceDefinition without a schema (any field kept):
   * discovery, OpenAPI, CRUD, patches (merge, JSON, server-side apply),
   * list, watch, label and metadata.name/metadata.namespace field
   * selectors. A TypeError names a field that is not valid.
   */
  resources?: ExtraResource[];
}

/** Counters for tests and load checks. */
export interface ApiServerMetrics {
  /** Open watch streams. */
  activeWatches: number;
  /** API requests by `"<verb> <resource>"`, e.g. `"watch secrets"`, `"get pods/status"`. */
  requests: Record<string, number>;
  /** Open TCP connections. */
  openConnections: number;
  /** Connections closed at once because maxConnections were open. */
  droppedConnections: number;
  /** Open HTTP/2 streams (every kind of request). */
  openStreams: number;
  /** Open HTTP/2 sessions (connections that negotiated h2). */
  http2Sessions: number;
  /** The current global resourceVersion. */
  resourceVersion: string;
}

/** Failures to inject, for tests of clients' error handling. */
export interface ApiServerFaults {
  /** Ends every open watch now: cleanly, or resets the streams when `abort`. Answers how many. */
  dropWatches(options?: { abort?: boolean }): number;
  /** The next `count` matching API requests answer `code` (429 with Retry-After, 500, 503, ...). */
  failNext(count: number, code: number, options?: FailureOptions): void;
  /** Forgets the change history: watches and paginated lists from any earlier RV get 410 Expired. */
  compactHistory(): void;
  /** Delays every API request by `ms` before it is handled (0 stops). */
  setDelay(ms: number): void;
  /** Cuts every connection (watches end abruptly) and keeps the data, like an API server restart. */
  restart(options?: { compactHistory?: boolean }): Promise<void>;
  /** Removes queued failures and the delay. */
  clear(): void;
}

/** A running embedded API server. */
export interface ApiServer {
  /** Base URL, e.g. `https://127.0.0.1:43121`. */
  url: string;
  /** Bearer token the server accepts. */
  token: string;
  /** PEM of the CA that signed the server certificate (undefined without TLS). */
  caCert: string | undefined;
  /** A KubeConfig pointing at this server, with its CA and token. */
  kubeConfig(): KubeConfig;
  /** The same as a kubeconfig file (YAML). */
  kubeconfigYaml(): string;
  metrics(): ApiServerMetrics;
  faults: ApiServerFaults;
  /** Ends every watch, cuts every connection and stops listening. Idempotent. */
  close(): Promise<void>;
}

type AnyServer = HttpServer | Http2SecureServer;

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts an in-memory Kubernetes API server; see ApiServerOptions.
 * It listens before the promise resolves and serves until close().
 */
export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const clock = options.clock ?? realClock;
  const tls = options.tls ?? true;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`startApiServer: port must be an integer 0-65535, got ${String(port)}`);
  const historySize = options.historySize ?? 10_000;
  if (!Number.isInteger(historySize) || historySize < 1) throw new TypeError(`startApiServer: historySize must be a positive integer, got ${String(historySize)}`);
  const idleTimeoutMs = checkDurationMs('startApiServer: options.idleTimeoutMs', options.idleTimeoutMs ?? 90_000, { min: 1 });
  const maxConnections = options.maxConnections ?? 1000;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new TypeError(`startApiServer: maxConnections must be a positive integer, got ${String(maxConnections)}`);
  const token = options.token ?? randomBytes(24).toString('hex');
  if (token === '' || /\s/.test(token)) throw new TypeError('startApiServer: token must be non-empty without whitespace');

  const catalog = new ResourceCatalog(extraResourceInfos(options.resources));
  const extraOpenApi = buildExtraOpenApiV3(catalog.extras);
  const storage = new Storage({ maxHistory: historySize });
  const registry = new Registry(storage, clock, catalog.extras);
  registry.bootstrap();
  const bookmarkIntervalMs = checkDurationMs('startApiServer: options.bookmarkIntervalMs', options.bookmarkIntervalMs ?? 60_000, { min: 1 });
  const hub = new WatchHub(storage, clock, { bookmarkIntervalMs });
  const faultState = new FaultState();
  const requests: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const idle = new IdleConnections(clock, idleTimeoutMs);
  let droppedConnections = 0;
  const sessions = new Set<Http2Session>();
  let openStreams = 0;
  let serverAddress = '';

  const restCtx = {
    catalog,
    registry,
    hub,
    clock,
    faults: faultState,
    watchList: options.watchList ?? true,
    countRequest: (verb: string, resource: string) => {
      const key = `${verb} ${resource}`;
      requests[key] = (requests[key] ?? 0) + 1;
    },
  };

  async function handle(ex: Exchange): Promise<void> {
    if (ex.path === undefined) {
      // Go's server refuses a malformed %-escape in the path before routing, in plain text.
      ex.raw(400, Buffer.from('400 Bad Request'), 'text/plain; charset=utf-8');
      return;
    }
    const denied = checkBearer(ex.path, ex.headers, token, options.allowAnonymous === true);
    if (denied !== undefined) throw denied;
    const health = ex.method === 'GET' ? healthText(ex.path, ex.query) : undefined;
    if (health !== undefined) {
      // Plain text whatever the Accept header, as kube-apiserver answers.
      ex.raw(200, Buffer.from(health), 'text/plain; charset=utf-8', { 'cache-control': 'no-cache, private', 'x-content-type-options': 'nosniff' });
      return;
    }
    if (ex.path === '/openapi/v2' && ex.method === 'GET') {
      const doc = openApiV2((ex.headers.accept ?? '').includes(OPENAPI_V2_PROTOBUF));
      ex.raw(200, doc.body, doc.contentType);
      return;
    }
    if (!acceptsJson(ex.headers.accept)) {
      throw statusError(406, 'NotAcceptable', `only the following media types are accepted: application/json`);
    }
    const path = ex.path.replace(/\/+$/, '') || '/';
    const target = apiTarget(path, catalog);
    if (target !== undefined) return serveApi(restCtx, ex, target.group, target.version, target.segments);
    const doc = discovery[path]?.() ?? groupDiscovery(catalog, path) ?? openApiV3(path, extraOpenApi)?.();
    if (doc === undefined) {
      // An API group kube-apiserver serves (apps/v1 for `kubectl create deployment`, ...): say it is not served here.
      const [, apis, group] = path.split('/');
      throw apis === 'apis' && group !== undefined && apiGroup(catalog, group) === undefined ? notServed(`${path.split('/').slice(2, 4).join('/')}: it serves /api/v1 and the groups listed at /apis only`) : unknownPath();
    }
    if (ex.method !== 'GET') throw methodNotAllowed(ex.method);
    ex.json(200, doc);
  }

  const discovery: Record<string, () => unknown> = {
    '/api': () => apiVersions(serverAddress),
    '/api/v1': () => apiResourceList(catalog),
    '/apis': () => apiGroupList(catalog),
    '/version': versionInfo,
  };

  function onRequest(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
    if (req.httpVersionMajor === 1) idle.busy(req.socket, res);
    const ex = new Exchange(req, res);
    handle(ex).catch((err: unknown) => ex.error(err));
  }

  let caCert: string | undefined;
  let server: AnyServer;
  if (tls) {
    const certs = generateServerCertificates(['127.0.0.1', 'localhost', '::1', ...(host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '0.0.0.0' || host === '::' ? [] : [host])]);
    caCert = certs.caCert;
    const h2 = createSecureServer({
      key: certs.serverKey,
      cert: certs.serverCert,
      allowHTTP1: true,
      settings: { maxConcurrentStreams: options.maxConcurrentStreams ?? 100 },
    });
    h2.on('request', onRequest);
    h2.on('session', (session: Http2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
      idle.add(session, () => session.close());
    });
    h2.on('stream', (stream: ServerHttp2Stream) => {
      openStreams++;
      stream.once('close', () => openStreams--);
      if (stream.session !== undefined) idle.busy(stream.session, stream);
    });
    // HTTP/1.1 over TLS: idle from the handshake on (an HTTP/2 connection is tracked as its session).
    h2.on('secureConnection', (socket: TLSSocket) => {
      if (socket.alpnProtocol !== 'h2') idle.add(socket, () => socket.destroySoon());
    });
    server = h2;
  } else {
    const h1 = createHttpServer(onRequest);
    h1.requestTimeout = 0;
    h1.on('connection', (socket: Socket) => idle.add(socket, () => socket.destroySoon()));
    server = h1;
  }
  // Idle keep-alive connections are closed by IdleConnections on the clock, not by Node's own 5 s timer
  // (Node's HTTP/1.1 handling inside the HTTP/2 server reads the same property).
  (server as { keepAliveTimeout?: number }).keepAliveTimeout = 0;
  server.maxConnections = maxConnections;
  server.on('drop', () => droppedConnections++);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    hub.shutdown(); // stops the bookmark timer
    throw err;
  }
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  serverAddress = `${formatHost(host)}:${boundPort}`;
  // The Service every cluster has for its API server, to the port just bound.
  registry.create(resources.get('services') as ResourceInfo, 'default', kubernetesService(boundPort));
  const url = `${tls ? 'https' : 'http'}://${serverAddress}`;
  const access: ClientAccess = { url, token, caCert, name: 'kom-apiserver' };

  function cutConnections(): void {
    hub.closeAll(true);
    for (const s of sessions) s.destroy();
    for (const s of sockets) s.destroy();
  }

  let closing: Promise<void> | undefined;
  const faults: ApiServerFaults = {
    dropWatches: (opts) => hub.closeAll(opts?.abort ?? false),
    failNext: (count, code, opts) => faultState.failNext(count, code, opts),
    compactHistory: () => storage.compact(),
    setDelay: (ms) => {
      faultState.delayMs = checkDurationMs('faults.setDelay: ms', ms);
    },
    restart: async (opts) => {
      cutConnections();
      if (opts?.compactHistory === true) storage.compact();
      await Promise.resolve();
    },
    clear: () => faultState.clear(),
  };

  return {
    url,
    token,
    caCert,
    kubeConfig: () => buildKubeConfig(access),
    kubeconfigYaml: () => kubeconfigYaml(access),
    metrics: () => ({
      activeWatches: hub.size,
      requests: { ...requests },
      openConnections: sockets.size,
      droppedConnections,
      openStreams,
      http2Sessions: sessions.size,
      resourceVersion: String(storage.resourceVersion),
    }),
    faults,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        hub.shutdown();
        storage.cancelWaiters();
        server.close(() => resolve());
        cutConnections();
      });
      return closing;
    },
  };
}
