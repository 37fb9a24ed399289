import { ClientClosedError } from './errors.ts';
import { Http1Transport } from './http1-transport.ts';
import { Http2Pool } from './http2-pool.ts';
import type { Transport, TransportOptions, TransportRequest, TransportResponse, TransportStats } from './transport.ts';

/**
 * Sends requests over HTTP/2 when the server negotiates it through ALPN
 * (sharing connections per server and TLS identity, see Http2Pool) and over
 * HTTP/1.1 with keep-alive otherwise: plain `http://` servers, servers that
 * pick `http/1.1`, clusters with a proxy-url, or `http2: false`.
 */
export class RoutingTransport implements Transport {
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
