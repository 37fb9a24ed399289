import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the agent's HTTP endpoints answer from. */
export interface AgentEndpoints {
  readiness(): { ready: boolean; reason: string };
  /** The /objects document (JSON-serialisable; never secret data). */
  objects(): unknown;
  metrics(): Promise<{ contentType: string; body: string }>;
}

export interface AgentHttpServer {
  /** http://host:port, with the port actually bound. */
  readonly url: string;
  /** Stops listening and closes every connection. Idempotent. */
  close(): Promise<void>;
}

/** Where to listen, from `--listen HOST:PORT` (`[::1]:9464` for IPv6). */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `HOST:PORT`; returns an error message instead when the value is not one. */
export function parseListen(value: string): ListenAddress | string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (match === null || host === undefined || !Number.isInteger(port) || port > 65_535) {
    return `--listen must be HOST:PORT (for example 127.0.0.1:9464, [::1]:9464, 127.0.0.1:0 for any free port), got ${JSON.stringify(value)}`;
  }
  return { host, port };
}

/**
 * Serves GET (and HEAD) /healthz (200 while the process runs), /readyz (200
 * when ready, 503 with the reason otherwise), /metrics (Prometheus text) and
 * /objects (JSON). Rejects when the address cannot be bound.
 */
export async function startAgentHttp(address: ListenAddress, endpoints: AgentEndpoints): Promise<AgentHttpServer> {
  const server = createServer((request, response) => {
    handle(request, response, endpoints).catch((err: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${bound.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, endpoints: AgentEndpoints): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://agent').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    send(response, 405, 'text/plain; charset=utf-8', 'only GET and HEAD\n');
    return;
  }
  switch (path) {
    case '/healthz':
      send(response, 200, 'text/plain; charset=utf-8', 'ok\n');
      return;
    case '/readyz': {
      const { ready, reason } = endpoints.readiness();
      send(response, ready ? 200 : 503, 'text/plain; charset=utf-8', `${ready ? 'ok' : `not ready: ${reason}`}\n`);
      return;
    }
    case '/metrics': {
      const { contentType, body } = await endpoints.metrics();
      send(response, 200, contentType, body);
      return;
    }
    case '/objects':
      send(response, 200, 'application/json; charset=utf-8', `${JSON.stringify(endpoints.objects(), null, 2)}\n`);
      return;
    default:
      send(response, 404, 'text/plain; charset=utf-8', 'not found: try /healthz, /readyz, /metrics or /objects\n');
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
