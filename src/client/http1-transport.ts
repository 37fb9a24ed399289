import http from 'node:http';
import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from 'node:http';
import https from 'node:https';
import type { BodyReader, TransportRequest, TransportResponse } from './transport.ts';
import type { Clock } from '../util/clock.ts';
import { ClientClosedError, ConnectionError, RequestTimeoutError } from './errors.ts';

function ignore(): void {}

function countSockets(agent: HttpAgent): number {
  let n = 0;
  for (const list of Object.values(agent.sockets)) n += list?.length ?? 0;
  for (const list of Object.values(agent.freeSockets)) n += list?.length ?? 0;
  return n;
}

/**
 * HTTP/1.1 with keep-alive, for servers that do not speak HTTP/2. Each
 * request in flight holds a socket of its own, so every open watch costs a
 * socket here: this is the fallback, not the way to run thousands of
 * watches. One agent per server and TLS identity (poolKey); a cluster with a
 * proxy-url uses client-node's proxy agent instead.
 */
export class Http1Transport {
  readonly #agents = new Map<string, HttpAgent>();
  /** Requests in flight, with their response once it arrived. */
  readonly #inFlight = new Map<ClientRequest, IncomingMessage | undefined>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    const { credentials, signal } = req;
    signal?.throwIfAborted();
    const { origin } = credentials;
    const secure = origin.protocol === 'https:';
    const agent = credentials.proxyAgent ?? this.#agent(credentials.poolKey, secure, credentials.tls);
    const request = (secure ? https : http).request({
      host: origin.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: origin.port === '' ? (secure ? 443 : 80) : Number(origin.port),
      path: req.path,
      method: 'GET',
      headers: req.headers,
      agent,
      ...(secure && credentials.proxyAgent !== undefined ? credentials.tls : {}),
    });
    this.#inFlight.set(request, undefined);
    request.once('close', () => this.#inFlight.delete(request));
    return new Promise<TransportResponse>((resolve, reject) => {
      const onAbort = (): void => {
        request.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal !== undefined) {
        signal.addEventListener('abort', onAbort, { once: true });
        request.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      const timer = this.#clock.setTimeout(() => {
        request.destroy(new RequestTimeoutError(`GET ${req.path}: no answer from the server within ${req.headersTimeoutMs} ms`));
      }, req.headersTimeoutMs);
      request.once('close', () => this.#clock.clearTimeout(timer));
      const onEarlyError = (err: Error): void => {
        if (signal?.aborted === true) reject(signal.reason as Error);
        else if (err instanceof ClientClosedError || err instanceof RequestTimeoutError) reject(err);
        else reject(new ConnectionError(`GET ${req.path}: ${err.message}`, { cause: err }));
      };
      request.once('error', onEarlyError);
      request.once('response', (response: IncomingMessage) => {
        this.#clock.clearTimeout(timer);
        if (this.#inFlight.has(request)) this.#inFlight.set(request, response);
        request.off('error', onEarlyError);
        request.on('error', ignore);
        response.on('error', ignore);
        resolve({
          status: response.statusCode ?? 0,
          retryAfter: response.headers['retry-after'],
          body: response,
          destroy: (err?: Error) => {
            response.destroy(err);
            request.destroy(err);
          },
          observe: (reader: BodyReader) => {
            response.on('end', () => reader.onEnd());
            response.on('error', (err: Error) => reader.onError(err));
            response.on('close', () => reader.onClose());
            response.on('data', (chunk: Buffer) => reader.onData(chunk));
          },
        });
      });
      request.end();
    });
  }

  stats(): { sockets: number; requests: number } {
    let sockets = 0;
    for (const agent of this.#agents.values()) sockets += countSockets(agent);
    return { sockets, requests: this.#inFlight.size };
  }

  async close(): Promise<void> {
    for (const [request, response] of this.#inFlight) {
      const err = new ClientClosedError('the client was closed');
      response?.destroy(err);
      request.destroy(err);
    }
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
    await Promise.resolve();
  }

  #agent(key: string, secure: boolean, tlsOptions: TransportRequest['credentials']['tls']): HttpAgent {
    let agent = this.#agents.get(key);
    if (agent === undefined) {
      const options = { keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' as const };
      agent = secure ? new https.Agent({ ...options, ...tlsOptions }) : new http.Agent(options);
      this.#agents.set(key, agent);
    }
    return agent;
  }
}
