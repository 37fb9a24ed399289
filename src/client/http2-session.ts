import http2 from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { Clock } from '../util/clock.ts';
import { ConnectionError } from './errors.ts';
import { describeError } from './tls-connect.ts';

/**
 * Per-stream receive window: kube-apiserver's own per-stream buffer size. A
 * 1.5 MiB object arrives in 6 round trips instead of 24 with the 64 KiB
 * default, and a consumer that stops reading holds at most this much per
 * watch (25 MiB for a full connection of 100 streams).
 */
const STREAM_WINDOW_BYTES = 256 * 1024;
/** Connection receive window: several large objects in flight at once without waiting on WINDOW_UPDATEs. */
const CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;

function ignore(): void {}

/**
 * An HTTP/2 client session on a TLS socket that negotiated h2, resolved once
 * the server's SETTINGS (its concurrent-stream limit) have arrived. Fails
 * with ConnectionError, the session destroyed, when the connection fails or
 * closes first, and with the signal's reason when `signal` aborts first.
 */
export async function openSession(socket: TLSSocket, origin: URL, signal?: AbortSignal): Promise<ClientHttp2Session> {
  const session = http2.connect(origin.origin, {
    createConnection: () => socket,
    settings: { enablePush: false, initialWindowSize: STREAM_WINDOW_BYTES },
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (err?: Error): void => {
      cleanup();
      // Node re-emits the socket's error on the session a tick later.
      session.on('error', ignore);
      socket.on('error', ignore);
      session.destroy();
      socket.destroy();
      if (signal?.aborted === true) return reject(signal.reason as Error);
      const detail = err === undefined ? 'the connection closed' : describeError(err);
      reject(new ConnectionError(`could not connect to ${origin.origin}: ${detail} before the server sent its HTTP/2 SETTINGS`, { cause: err }));
    };
    const onClose = (): void => fail();
    const onAbort = (): void => fail();
    const cleanup = (): void => {
      session.off('close', onClose);
      session.off('error', fail);
      socket.off('close', onClose);
      socket.off('error', fail);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted === true) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    session.once('close', onClose);
    session.once('error', fail);
    // Node does not always report a TLS alert after the handshake (TLS 1.3
    // certificate-required) on the session: listen on the socket too.
    socket.once('close', onClose);
    socket.once('error', fail);
    session.once('remoteSettings', () => {
      cleanup();
      resolve();
    });
  });
  session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
  return session;
}

/** The state of a pooled session the health check reads and writes. */
export interface PingTarget {
  readonly session: ClientHttp2Session;
  /** Streams in flight: an idle connection is not PINGed. */
  readonly active: number;
  pingTimer: unknown;
}

/**
 * Health check, as client-go does with its HTTP/2 read-idle PINGs: every
 * `intervalMs` a connection with streams is PINGed, and one whose PING gets
 * no answer within half the interval is destroyed, so requests and watches
 * on a dead connection (a peer gone without a FIN) fail within 1.5
 * intervals instead of hanging. Stops when the session is destroyed; the
 * owner clears `pingTimer` when it drops the session.
 */
export function schedulePing(target: PingTarget, clock: Clock, intervalMs: number): void {
  target.pingTimer = clock.setTimeout(() => {
    const { session } = target;
    if (session.destroyed) return;
    if (target.active === 0) return schedulePing(target, clock, intervalMs);
    let answered = false;
    const deadline = clock.setTimeout(() => {
      if (!answered) session.destroy(new ConnectionError(`the server did not answer an HTTP/2 PING within ${intervalMs / 2} ms`));
    }, intervalMs / 2);
    const sent = session.ping((err) => {
      answered = true;
      clock.clearTimeout(deadline);
      if (err === null) schedulePing(target, clock, intervalMs);
    });
    if (!sent) clock.clearTimeout(deadline);
  }, intervalMs);
}
