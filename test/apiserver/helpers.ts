import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import type { ApiServer } from '../../src/apiserver/index.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Token to send; default the server's; null sends none. */
  token?: string | null;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One HTTP/1.1 request (own connection, closed after) with the server's CA and token. */
export function req(server: ApiServer, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const url = new URL(path, server.url);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const token = options.token === undefined ? server.token : options.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = send(url, { method, headers, ca: server.caCert, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parse(text) }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(payload);
  });
}

/** A watch event as it came off the wire. */
export interface Event {
  type: string;
  object: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** An open watch over HTTP/2: `next()` answers the next event, `ended` resolves when the server ends it. */
export interface OpenWatch {
  status: number;
  next(): Promise<Event>;
  /** Events received and not yet taken. */
  buffered(): number;
  ended: Promise<void>;
  close(): void;
}

/** Opens an HTTP/2 session to the server (caller closes it). */
export function h2session(server: ApiServer): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = connect(server.url, { ca: server.caCert });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Opens a watch on an HTTP/2 session (a new one closed with the watch when none is given). */
export async function watch(server: ApiServer, path: string, session?: ClientHttp2Session): Promise<OpenWatch> {
  const own = session === undefined;
  const s = session ?? (await h2session(server));
  const stream = s.request({ ':path': path, authorization: `Bearer ${server.token}`, accept: 'application/json' });
  stream.setEncoding('utf8');
  const queue: Event[] = [];
  const waiters: ((e: Event) => void)[] = [];
  let partial = '';
  stream.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const ev = JSON.parse(partial.slice(0, nl)) as Event;
      partial = partial.slice(nl + 1);
      const w = waiters.shift();
      if (w) w(ev);
      else queue.push(ev);
    }
  });
  const ended = new Promise<void>((resolve) => {
    stream.once('close', () => {
      if (own) s.close();
      resolve();
    });
  });
  stream.on('error', () => undefined);
  const status = await new Promise<number>((resolve, reject) => {
    stream.once('response', (h) => resolve(Number(h[':status'])));
    stream.once('error', reject);
  });
  return {
    status,
    next: () => {
      const e = queue.shift();
      if (e !== undefined) return Promise.resolve(e);
      return new Promise((resolve, reject) => {
        waiters.push(resolve);
        void ended.then(() => reject(new Error('watch ended before the next event')));
      });
    },
    buffered: () => queue.length,
    ended,
    close: () => {
      stream.close();
    },
  };
}

export const secret = (name: string, data: Record<string, string> = { k: Buffer.from('v').toString('base64') }, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name },
  data,
  ...extra,
});

export const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
  ...extra,
});
