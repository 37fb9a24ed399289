import { isIP } from 'node:net';
import tls from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { RequestCredentials } from './credentials.ts';
import { ConnectionError } from './errors.ts';

function ignore(): void {}

/** `code: message` for Node errors, the message otherwise. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}

/**
 * `protocols` in ALPN wire format (a length byte before each name), as a
 * DataView. Node copies an array of names into a slice of its shared Buffer
 * pool, and the connection keeps that slice (and so a whole pool slab, up to
 * 64 KiB) alive for its life; a DataView is copied into a buffer of its own.
 */
function alpnWireFormat(protocols: string[]): DataView {
  const names = protocols.map((p) => Buffer.from(p, 'latin1'));
  const bytes = new Uint8Array(names.reduce((n, name) => n + 1 + name.length, 0));
  let at = 0;
  for (const name of names) {
    bytes[at++] = name.length;
    bytes.set(name, at);
    at += name.length;
  }
  return new DataView(bytes.buffer);
}

/**
 * A TLS connection to the server with the KubeConfig's TLS identity,
 * offering `alpn` (the caller reads `alpnProtocol` to choose HTTP/2 or
 * HTTP/1.1). The server name is sent for host names (not IP addresses)
 * unless the KubeConfig sets tls-server-name. Fails with ConnectionError;
 * when `signal` aborts first, the socket is destroyed and the promise
 * rejects with the signal's reason.
 */
export function tlsConnect(credentials: RequestCredentials, alpn: string[], signal?: AbortSignal): Promise<TLSSocket> {
  const { origin, tls: identity } = credentials;
  const host = origin.hostname.replace(/^\[(.*)\]$/, '$1');
  const servername = identity.servername ?? (isIP(host) === 0 ? host : undefined);
  return new Promise<TLSSocket>((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason as Error);
    const socket = tls.connect({
      ...identity,
      host,
      port: origin.port === '' ? 443 : Number(origin.port),
      ...(servername === undefined ? {} : { servername }),
      ALPNProtocols: alpnWireFormat(alpn),
    });
    const onError = (err: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new ConnectionError(`could not connect to ${origin.origin}: ${describeError(err)}`, { cause: err }));
    };
    const onAbort = (): void => {
      socket.off('error', onError);
      socket.on('error', ignore);
      socket.destroy();
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      // TCP keep-alive as client-go and client-node set it, under the PING check.
      socket.setKeepAlive(true, 30_000);
      resolve(socket);
    });
  });
}
