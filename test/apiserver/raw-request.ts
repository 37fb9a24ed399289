// Requests whose path is sent exactly as written (no URL parsing that would
// resolve `..`), over HTTP/1.1 or HTTP/2, with bodies streamed under
// backpressure so that a server answering before it read everything is seen.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:http2';
import type { ApiServer } from '../../src/apiserver/index.ts';
import type { Reply } from './helpers.ts';

export type Protocol = 'h1' | 'h2';

export interface RawRequest {
  method: string;
  /** Sent verbatim as the request target / `:path`. */
  path: string;
  body?: string | Buffer;
  /** Bytes of body to stream (`x` repeated) instead of `body`. */
  bodyBytes?: number;
  contentType?: string;
  /** Send no content-length (chunked over HTTP/1.1). */
  noLength?: boolean;
  /** HTTP/2: awaited once the answer is in, before the client closes its session. */
  whileOpen?: () => Promise<void>;
}

export interface RawReply extends Reply {
  /** HTTP/2: the RST_STREAM code received with the answer (0 = NO_ERROR), undefined when none came; HTTP/1.1: undefined. */
  rstCode: number | undefined;
  /** Body bytes written before the server answered or stopped reading. */
  sent: number;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const chunk = Buffer.alloc(64 * 1024, 'x');

/** Writes `req.body` or `req.bodyBytes` to `out`, following 'drain', until done or `stopped()`. */
function pump(out: NodeJS.WritableStream & { destroyed: boolean }, req: RawRequest, stopped: () => boolean, count: (n: number) => void): void {
  if (req.bodyBytes === undefined) {
    if (req.body === undefined) out.end();
    else {
      count(Buffer.byteLength(req.body));
      out.end(req.body);
    }
    return;
  }
  let left = req.bodyBytes;
  const next = (): void => {
    while (left > 0 && !out.destroyed && !stopped()) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      count(piece.length);
      if (!out.write(piece)) {
        out.once('drain', next);
        return;
      }
    }
    if (left === 0 && !out.destroyed) out.end();
  };
  next();
}

/** One request on its own connection, closed after. */
export function rawRequest(server: ApiServer, proto: Protocol, req: RawRequest): Promise<RawReply> {
  const url = new URL(server.url);
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${server.token}` };
  const hasBody = req.body !== undefined || req.bodyBytes !== undefined;
  if (hasBody) {
    headers['content-type'] = req.contentType ?? 'application/json';
    if (req.noLength !== true) headers['content-length'] = String(req.bodyBytes ?? Buffer.byteLength(req.body ?? ''));
  }
  let sent = 0;
  if (proto === 'h1') {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      let answered = false;
      const r = send({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, ca: server.caCert, agent: false }, (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parse(text), rstCode: undefined, sent }));
        res.on('error', reject);
      });
      // The server may close the connection after answering while the body is still going out.
      r.on('error', (err) => {
        if (!answered) reject(err);
      });
      pump(r, req, () => answered, (n) => (sent += n));
    });
  }
  return new Promise((resolve, reject) => {
    const session = connect(server.url, { ca: server.caCert });
    session.on('error', () => undefined);
    const stream = session.request({ ':method': req.method, ':path': req.path, ...headers }, { endStream: !hasBody });
    let status = 0;
    let responseHeaders: Record<string, string | string[] | undefined> = {};
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = h;
    });
    stream.on('data', (c: string) => (text += c));
    stream.on('error', () => undefined);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const reply = { status, headers: responseHeaders, text, json: parse(text), rstCode: stream.rstCode, sent };
      // A stream reset with NO_ERROR while this side still has body queued never closes in Node's client: the session goes with it.
      const close = (): void => {
        session.destroy();
        if (status === 0) reject(new Error(`stream closed with code ${stream.rstCode ?? 'none'} and no answer`));
        else resolve(reply);
      };
      if (req.whileOpen === undefined || status === 0) close();
      else req.whileOpen().then(close, (err: Error) => {
        session.destroy();
        reject(err);
      });
    };
    // The answer is complete at 'end' (a RST_STREAM that follows it in the same read is seen one turn later).
    stream.on('end', () => setImmediate(finish));
    stream.on('close', finish);
    if (hasBody) pump(stream, req, () => status !== 0, (n) => (sent += n));
  });
}
