import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { Clock } from '../util/clock.ts';
import type { RequestCredentials } from './credentials.ts';
import { ClientClosedError, ConnectionError } from './errors.ts';
import { awaitResponse, StreamRefusedError, UNSENT_CODES } from './http2-request.ts';
import { openSession, schedulePing } from './http2-session.ts';
import { describeError, tlsConnect } from './tls-connect.ts';
import type { TransportRequest, TransportResponse } from './transport.ts';

/** What RFC 9113 lets a client assume before the server's SETTINGS arrive; kube-apiserver advertises 100. */
const DEFAULT_SERVER_STREAMS = 100;
/**
 * Connections opened at once to one server (per TLS identity). A start-up
 * burst of 10,000 watches needs 100 connections to kube-apiserver: opened
 * one after another they took 2.9 s (each waits for its TCP and TLS
 * handshakes and the server's SETTINGS); 16 at a time they open in 7 rounds,
 * and a client still never starts hundreds of handshakes against a server
 * at once.
 */
const MAX_PARALLEL_CONNECTS = 16;

interface PooledSession {
  readonly group: Group;
  readonly session: ClientHttp2Session;
  readonly socket: TLSSocket;
  /** Drops the session from the pool (idempotent). */
  forget: () => void;
  /** Gives back the slot of a stream that closed. */
  release: (longLived: boolean) => void;
  active: number;
  maxStreams: number;
  /** GOAWAY received, idle-closed or failed: no new streams. */
  draining: boolean;
  idleTimer: unknown;
  pingTimer: unknown;
}

interface Waiter {
  readonly longLived: boolean;
  /** Called with the session whose slot was taken for the waiter, or undefined: look again. */
  readonly resolve: (pooled: PooledSession | undefined) => void;
}

/** A connection being opened, and how many requests count on a slot on it. */
interface Connecting {
  readonly done: Promise<void>;
  claims: number;
}

interface Group {
  readonly sessions: Set<PooledSession>;
  readonly connecting: Set<Connecting>;
  /** Streams a connection of this group takes (the server's limit, capped), once one connection has told; undefined before. */
  streamLimit: number | undefined;
  /** The server picked http/1.1 through ALPN. */
  http1: boolean;
  /** Streams in flight that end on their own (gets, lists), on every session of the group. */
  shortLived: number;
  /** Requests waiting for the slot of a short-lived stream, first come first served. */
  readonly waiters: Waiter[];
}

export interface Http2PoolOptions {
  clock: Clock;
  http2: boolean | undefined;
  maxStreamsPerConnection: number;
  idleConnectionTimeoutMs: number;
  /** Interval of health PINGs on a connection with streams (0: none); an unanswered PING fails the connection after half of it. */
  pingIntervalMs: number;
}

/** Tries of one request when the server refuses its stream (GOAWAY, REFUSED_STREAM). */
const MAX_ATTEMPTS = 3;

function ignore(): void {}

/**
 * HTTP/2 connections shared by every request to one server with one TLS
 * identity (RequestCredentials.poolKey). A request takes a stream on the
 * first connection with a free slot; a new connection is opened only when
 * every open one carries as many streams as the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS allows. A burst of requests opens as many
 * connections at once as it needs to (at most MAX_PARALLEL_CONNECTS), each
 * counted to carry the server's limit, so a burst of watches neither opens a
 * connection each nor waits for connections opened one by one; until the
 * first connection has told the server's limit (and that it speaks h2), it
 * is the only one opened. A connection that received GOAWAY takes no new streams;
 * one idle for `idleConnectionTimeoutMs` is closed. When the server's ALPN
 * answer is http/1.1, request() returns 'http1' for that key from then on.
 */
export class Http2Pool {
  readonly #options: Http2PoolOptions;
  readonly #groups = new Map<string, Group>();
  readonly #all = new Set<PooledSession>();
  /** Aborted by close(): connections being opened are given up. */
  readonly #closing = new AbortController();
  #closed = false;

  constructor(options: Http2PoolOptions) {
    this.#options = options;
  }

  async request(req: TransportRequest): Promise<TransportResponse | 'http1'> {
    for (let attempt = 1; ; attempt++) {
      req.signal?.throwIfAborted();
      const pooled = await this.#acquire(req);
      if (pooled === 'http1') return 'http1';
      try {
        return await this.#send(pooled, req);
      } catch (err) {
        // The server never saw a refused stream: a GET is safe to send again.
        if (!(err instanceof StreamRefusedError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  #send(pooled: PooledSession, req: TransportRequest): Promise<TransportResponse> {
    // Raw headers (name, value, ...): Node keeps them for the stream's life
    // as a small array instead of a dictionary-mode headers object.
    const headers = [':method', 'GET', ':path', req.path];
    for (const name in req.headers) headers.push(name, req.headers[name] ?? '');
    let stream: ClientHttp2Stream;
    try {
      stream = pooled.session.request(headers, { endStream: true });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const unsent = typeof code === 'string' && UNSENT_CODES.has(code);
      if (unsent) pooled.draining = true;
      this.#release(pooled, req.longLived);
      const Failure = unsent ? StreamRefusedError : ConnectionError;
      return Promise.reject(new Failure(`GET ${req.path}: could not open an HTTP/2 stream: ${describeError(err)}`, { cause: err }));
    }
    return awaitResponse(stream, pooled, req, this.#options.clock);
  }

  stats(): { connections: number; streams: number } {
    let streams = 0;
    for (const pooled of this.#all) streams += pooled.active;
    return { connections: this.#all.size, streams };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort(new ClientClosedError('the client was closed'));
    for (const group of this.#groups.values()) for (const waiter of group.waiters.splice(0)) waiter.resolve(undefined);
    const closing = [...this.#all].map(
      (pooled) =>
        new Promise<void>((resolve) => {
          const { session, socket } = pooled;
          if (session.destroyed || socket.destroyed) resolve();
          session.once('close', () => resolve());
          socket.once('close', () => resolve());
          pooled.forget();
          session.destroy(new ClientClosedError('the client was closed'));
          socket.destroy();
        }),
    );
    await Promise.all(closing);
  }

  #group(key: string): Group {
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { sessions: new Set(), connecting: new Set(), streamLimit: undefined, http1: false, shortLived: 0, waiters: [] };
      this.#groups.set(key, group);
    }
    return group;
  }

  /**
   * A slot on a connection of the request's group. When every connection is
   * full, a request waits for the slot of a get or list in flight (they end
   * on their own, within the request timeout) rather than opening a
   * connection; only when waiting requests outnumber those streams (the
   * slots are held by watches) is another connection opened. So a burst of
   * lists and watches ends on ceil(watches / limit) connections.
   */
  async #acquire(req: TransportRequest): Promise<PooledSession | 'http1'> {
    for (;;) {
      if (this.#closed) throw new ClientClosedError('the client is closed');
      const group = this.#group(req.credentials.poolKey);
      if (group.http1) return 'http1';
      for (const pooled of group.sessions) {
        if (!pooled.draining && pooled.active < pooled.maxStreams) {
          this.#take(pooled, req.longLived);
          return pooled;
        }
      }
      if (group.connecting.size === 0 && group.shortLived > group.waiters.length) {
        const pooled = await this.#wait(group, req);
        if (pooled !== undefined) return pooled;
        continue;
      }
      await this.#claimConnection(req.credentials, group).done;
    }
  }

  /**
   * A connection being opened that this request can count on a slot of: one
   * with slots not yet counted on, else a new one (within
   * MAX_PARALLEL_CONNECTS), else the least counted on (the request looks
   * again when it is open).
   */
  #claimConnection(credentials: RequestCredentials, group: Group): Connecting {
    const limit = group.streamLimit;
    let least: Connecting | undefined;
    for (const connecting of group.connecting) {
      if (limit === undefined || connecting.claims < limit) {
        connecting.claims++;
        return connecting;
      }
      if (least === undefined || connecting.claims < least.claims) least = connecting;
    }
    if (least !== undefined && group.connecting.size >= MAX_PARALLEL_CONNECTS) {
      least.claims++;
      return least;
    }
    const connecting: Connecting = {
      claims: 1,
      done: this.#connect(credentials, group).finally(() => {
        group.connecting.delete(connecting);
      }),
    };
    group.connecting.add(connecting);
    return connecting;
  }

  #wait(group: Group, req: TransportRequest): Promise<PooledSession | undefined> {
    const { signal } = req;
    return new Promise<PooledSession | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        const i = group.waiters.indexOf(waiter);
        if (i !== -1) group.waiters.splice(i, 1);
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        longLived: req.longLived,
        resolve: (pooled) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(pooled);
        },
      };
      group.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sends the waiters that no short-lived stream will make room for to look again (and connect). */
  #settleWaiters(group: Group): void {
    while (group.waiters.length > group.shortLived) group.waiters.pop()?.resolve(undefined);
  }

  #take(pooled: PooledSession, longLived: boolean): void {
    if (pooled.active === 0) {
      this.#options.clock.clearTimeout(pooled.idleTimer);
      pooled.session.ref();
    }
    pooled.active++;
    if (!longLived) pooled.group.shortLived++;
  }

  #release(pooled: PooledSession, longLived: boolean): void {
    const { group } = pooled;
    pooled.active--;
    if (!longLived) group.shortLived--;
    if (!pooled.draining && !pooled.session.destroyed && pooled.active < pooled.maxStreams) {
      const waiter = group.waiters.shift();
      if (waiter !== undefined) {
        this.#take(pooled, waiter.longLived);
        waiter.resolve(pooled);
        this.#settleWaiters(group);
        return;
      }
    }
    this.#settleWaiters(group);
    if (pooled.active > 0 || pooled.session.destroyed) return;
    if (pooled.draining) {
      this.#retire(pooled);
      return;
    }
    pooled.session.unref();
    pooled.idleTimer = this.#options.clock.setTimeout(() => {
      if (pooled.active > 0) return;
      this.#retire(pooled);
    }, this.#options.idleConnectionTimeoutMs);
  }

  /**
   * Ends a session that has no stream left. Node's own close() and even
   * destroy() of a session it already closed (after a GOAWAY) wait for the
   * peer to close the TCP connection, which a peer may never do; the socket
   * is destroyed here and the session leaves the pool at once.
   */
  #retire(pooled: PooledSession): void {
    pooled.forget();
    pooled.session.destroy();
    pooled.socket.destroy();
  }

  async #connect(credentials: RequestCredentials, group: Group): Promise<void> {
    const { origin } = credentials;
    const closing = this.#closing.signal;
    const socket = await tlsConnect(credentials, this.#options.http2 === true ? ['h2'] : ['h2', 'http/1.1'], closing);
    if (socket.alpnProtocol !== 'h2') {
      socket.destroy();
      if (this.#options.http2 === true) {
        throw new ConnectionError(`${origin.origin} does not offer HTTP/2 (ALPN answered ${String(socket.alpnProtocol)}) and the client was created with http2: true`);
      }
      group.http1 = true;
      return;
    }
    const session = await openSession(socket, origin, closing);
    const pooled: PooledSession = {
      group,
      session,
      socket,
      forget: ignore,
      release: ignore,
      active: 0,
      maxStreams: DEFAULT_SERVER_STREAMS,
      draining: false,
      idleTimer: undefined,
      pingTimer: undefined,
    };
    const limit = (): number => {
      const advertised = session.remoteSettings.maxConcurrentStreams ?? DEFAULT_SERVER_STREAMS;
      return Math.max(1, Math.min(advertised, this.#options.maxStreamsPerConnection));
    };
    // Streams in flight get a session's error themselves. A failed session
    // leaves the pool at once: Node does not always emit 'close' for a
    // session whose TLS socket failed (a TLS 1.3 alert after the handshake).
    const forget = (): void => {
      pooled.draining = true;
      this.#options.clock.clearTimeout(pooled.idleTimer);
      this.#options.clock.clearTimeout(pooled.pingTimer);
      group.sessions.delete(pooled);
      this.#all.delete(pooled);
      this.#settleWaiters(group);
      // Rotated client certificates make new keys: forget groups left empty.
      const key = credentials.poolKey;
      const unused = group.sessions.size === 0 && group.connecting.size === 0 && group.waiters.length === 0 && !group.http1;
      if (unused && this.#groups.get(key) === group) this.#groups.delete(key);
    };
    pooled.forget = forget;
    pooled.release = (longLived: boolean): void => this.#release(pooled, longLived);
    session.on('error', forget);
    session.once('close', forget);
    socket.on('error', (err: Error) => {
      forget();
      session.destroy(err);
    });
    socket.once('close', forget);
    session.on('goaway', () => {
      pooled.draining = true;
      if (pooled.active === 0) this.#retire(pooled);
    });
    pooled.maxStreams = limit();
    group.streamLimit = pooled.maxStreams;
    session.on('remoteSettings', () => {
      pooled.maxStreams = limit();
      group.streamLimit = pooled.maxStreams;
    });
    if (this.#closed) {
      session.destroy();
      socket.destroy();
      throw new ClientClosedError('the client was closed');
    }
    group.sessions.add(pooled);
    this.#all.add(pooled);
    session.unref();
    if (this.#options.pingIntervalMs > 0) schedulePing(pooled, this.#options.clock, this.#options.pingIntervalMs);
  }
}
