// Small API-server stand-ins for the client tests: an HTTP/2 TLS server
// (HTTP/1.1 allowed), an HTTPS server without HTTP/2, or plain HTTP, on
// 127.0.0.1 port 0, recording requests and counting connections and open
// streams.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { createSelfSignedCertificate } from './self-signed-cert.ts';
import type { TestCertificate } from './self-signed-cert.ts';

export type TestRequest = IncomingMessage | Http2ServerRequest;
/** What the tests use of an HTTP/1.1 or HTTP/2 (compat API) response. */
export interface TestResponse {
  writeHead(code: number, headers?: Record<string, string>): unknown;
  write(chunk: string | Buffer): boolean;
  end(chunk?: string | Buffer): unknown;
  on(event: 'close', listener: () => void): unknown;
  /** The HTTP/2 stream (HTTP/2 only). */
  readonly stream?: { close(code?: number): void };
  /** The socket (HTTP/1.1 only). */
  readonly socket?: { destroy(): void } | null;
}
export type Handler = (req: TestRequest, res: TestResponse) => void;

export interface RecordedRequest {
  path: string;
  httpVersion: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface TestServerOptions {
  /** 'h2': TLS with ALPN h2 and http/1.1; 'https1': TLS without h2; 'http': plain. */
  protocol?: 'h2' | 'https1' | 'http';
  maxConcurrentStreams?: number;
  /** Ask for and verify a client certificate issued by this CA. */
  clientCa?: string;
  handler: Handler;
}

export interface TestServer {
  url: string;
  certificate: TestCertificate;
  requests: RecordedRequest[];
  /** Open TCP connections. */
  connections(): number;
  /** TCP connections accepted since the start. */
  connectionsAccepted(): number;
  /** Requests whose response has not closed yet. */
  openStreams(): number;
  /** A KubeConfig for this server with a bearer token (and TLS trust for the test CA). */
  kubeConfig(user?: Record<string, unknown>, cluster?: Record<string, unknown>): KubeConfig;
  close(): Promise<void>;
}

let sharedCertificate: TestCertificate | undefined;

/** The certificate every test server uses (made once per process). */
export function testCertificate(): TestCertificate {
  sharedCertificate ??= createSelfSignedCertificate();
  return sharedCertificate;
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const certificate = testCertificate();
  const protocol = options.protocol ?? 'h2';
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let streams = 0;
  let accepted = 0;
  const handle = (req: TestRequest, raw: ServerResponse | Http2ServerResponse): void => {
    const res = raw as unknown as TestResponse;
    requests.push({ path: req.url ?? '', httpVersion: req.httpVersion, headers: { ...req.headers } });
    streams++;
    res.on('close', () => streams--);
    options.handler(req, res);
  };
  const tlsOptions = {
    cert: certificate.cert,
    key: certificate.key,
    ...(options.clientCa === undefined ? {} : { ca: options.clientCa, requestCert: true, rejectUnauthorized: true }),
  };
  const server =
    protocol === 'h2'
      ? http2.createSecureServer(
          { ...tlsOptions, allowHTTP1: true, settings: { maxConcurrentStreams: options.maxConcurrentStreams ?? 100 } },
          handle,
        )
      : protocol === 'https1'
        ? https.createServer(tlsOptions, handle)
        : http.createServer(handle);
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `${protocol === 'http' ? 'http' : 'https'}://127.0.0.1:${port}`;
  return {
    url,
    certificate,
    requests,
    connections: () => sockets.size,
    connectionsAccepted: () => accepted,
    openStreams: () => streams,
    kubeConfig(user = { token: 'token-1' }, cluster = {}) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [
          {
            name: 'test',
            server: url,
            skipTLSVerify: false,
            ...(protocol === 'http' ? {} : { caData: Buffer.from(certificate.cert).toString('base64') }),
            ...cluster,
          },
        ],
        users: [{ name: 'tester', ...user }],
        contexts: [{ name: 'test', cluster: 'test', user: 'tester' }],
        currentContext: 'test',
      });
      return kc;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Answers with JSON and a status code. */
export function sendJson(res: TestResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Lets pending I/O callbacks and promise jobs run (never waits on time). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Turns the event loop until `predicate` holds (fails after many turns). */
export async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000_000; i++) {
    if (predicate()) return;
    await turn();
  }
  throw new Error(`timed out waiting until ${what}`);
}

/**
 * The answer of a quiet API server: a watch gets one BOOKMARK and stays open,
 * anything else gets a Secret `x`.
 */
export function answerBookmarkOrSecret(req: TestRequest, res: TestResponse): void {
  if ((req.url ?? '').includes('watch=1')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Secret', apiVersion: 'v1', metadata: { resourceVersion: '1' } } })}\n`);
    return;
  }
  sendJson(res, 200, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x', resourceVersion: '1' } });
}
