import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { constants as http2Constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { V1Status } from '@kubernetes/client-node';
import type { StatusError } from '../api/status-error.ts';
import { parseRequestTarget } from './paths.ts';
import { statusError, toStatus } from './status.ts';
import type { WatchSink } from './watch.ts';

/** The part of ServerResponse and Http2ServerResponse used here. */
interface ResponseLike {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
  writeHead(code: number, headers: Record<string, string | number>): unknown;
  write(chunk: string): boolean;
  end(chunk?: string | Buffer): unknown;
  destroy(): unknown;
  once(event: 'close' | 'drain', fn: () => void): unknown;
}

/** Largest request body accepted, as kube-apiserver's 3 MiB limit. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * One HTTP request and its response, the same for HTTP/1.1 and HTTP/2
 * (Node's compatibility API): JSON answers, Status errors and watch streams.
 */
export class Exchange {
  readonly method: string;
  /** The decoded path, never normalised (see parseRequestTarget); undefined when an escape in it is malformed. */
  readonly path: string | undefined;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly #req: IncomingMessage | Http2ServerRequest;
  readonly #res: ResponseLike;
  readonly #h2: boolean;
  #closed = false;
  /** The request body was refused before its end: the connection (HTTP/1.1) or stream (HTTP/2) cannot carry on. */
  #bodyLeftUnread = false;

  constructor(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) {
    this.#req = req;
    this.#res = res as ResponseLike;
    this.#h2 = req.httpVersionMajor === 2;
    this.method = req.method ?? 'GET';
    const target = parseRequestTarget(req.url ?? '/');
    this.path = target.path;
    this.query = target.query;
    this.headers = req.headers;
    this.#res.once('close', () => {
      this.#closed = true;
    });
  }

  /** True once the response is over or the client went away. */
  get closed(): boolean {
    return this.#closed;
  }

  /** True once the response has started (headers sent) or the client is gone. */
  get answered(): boolean {
    return this.#res.headersSent || this.#res.destroyed;
  }

  /** Calls `fn` when the client goes away or the response ends (at once if that already happened). */
  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#res.once('close', fn);
  }

  /**
   * Reads the body, at most MAX_BODY_BYTES: beyond (or a content-length
   * beyond), a 413 that the client gets in full while the rest of its body
   * is left unread; the answer then ends the connection (HTTP/1.1) or the
   * stream (HTTP/2, RST_STREAM NO_ERROR), as kube-apiserver does.
   */
  body(): Promise<Buffer> {
    const req = this.#req;
    const tooLarge = (): StatusError => {
      this.#bodyLeftUnread = true;
      return statusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`);
    };
    const declared = Number(this.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) return Promise.reject(tooLarge());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const stop = (): void => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('close', onClose);
        req.off('error', onClose);
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) {
          chunks.push(chunk);
          return;
        }
        stop();
        req.pause(); // not destroyed: the 413 must still reach the client
        reject(tooLarge());
      };
      const onEnd = (): void => {
        stop();
        resolve(Buffer.concat(chunks));
      };
      const onClose = (): void => {
        stop();
        reject(statusError(400, 'BadRequest', 'the request body was cut off before its end'));
      };
      req.on('data', onData);
      req.once('end', onEnd);
      req.once('close', onClose);
      req.once('error', onClose);
    });
  }

  /** Writes a JSON answer. */
  json(code: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
    this.#send(code, Buffer.from(JSON.stringify(body)), 'application/json', extraHeaders);
  }

  /** Writes a non-JSON answer. */
  raw(code: number, body: Buffer, contentType: string, extraHeaders: Record<string, string> = {}): void {
    this.#send(code, body, contentType, extraHeaders);
  }

  #send(code: number, body: Buffer, contentType: string, extraHeaders: Record<string, string>): void {
    if (this.answered) return;
    const res = this.#res;
    const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': body.length, ...extraHeaders };
    if (this.#bodyLeftUnread && !this.#h2) headers['connection'] = 'close';
    res.writeHead(code, headers);
    res.end(body);
    // Over HTTP/2 the stream is then reset with NO_ERROR (sent after the answer): the client stops sending and reads the answer.
    if (this.#bodyLeftUnread && this.#h2) (res as unknown as Http2ServerResponse).stream.close(http2Constants.NGHTTP2_NO_ERROR);
  }

  /** Writes a Status error (with Retry-After when it has retryAfterSeconds). */
  error(err: unknown): void {
    const status: V1Status = toStatus(err);
    const headers: Record<string, string> = {};
    const retry = status.details?.retryAfterSeconds;
    if (retry !== undefined && retry > 0) headers['retry-after'] = String(retry);
    this.json(status.code ?? 500, status, headers);
  }

  /** Starts a 200 watch stream and answers where its events go (the watcher follows its drain). */
  stream(): WatchSink {
    const res = this.#res;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    if (!this.#h2) (res as unknown as ServerResponse).flushHeaders();
    return {
      // A gone client takes nothing more (false, and no drain will come): the watcher stops writing until it is detached.
      write: (line) => !res.destroyed && !res.writableEnded && res.write(line),
      onDrain: (fn) => {
        res.once('drain', fn);
      },
      end: () => {
        if (!res.destroyed && !res.writableEnded) res.end();
      },
      destroy: () => {
        // Over HTTP/2 a reset without an error code reads as a clean end to
        // clients; INTERNAL_ERROR is what a broken connection looks like.
        if (this.#h2) (res as unknown as Http2ServerResponse).stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
        else res.destroy();
      },
    };
  }
}
