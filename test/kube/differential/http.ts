// One request to a server under comparison, sent with the path exactly as
// written, over a keep-alive HTTPS agent trusting that server's CA.
import { Agent, request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { createGunzip } from 'node:zlib';

export interface Target {
  /** `real` (kube-apiserver) or `embedded`. */
  label: string;
  url: string;
  token: string;
  agent: Agent;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Watch events, each parsed, when the request was a watch. */
  events?: unknown[];
}

const maxAnswerBytes = 32 << 20;

export function makeTarget(label: string, url: string, token: string, ca: string): Target {
  return { label, url, token, agent: new Agent({ ca, keepAlive: true, maxSockets: 4 }) };
}

export interface Outgoing {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Watch: stop once this many events are in, or after watchMs. */
  watchEvents?: number;
  /** Called once the answer's headers are in (a watch is open). */
  onOpen?: () => Promise<void>;
}

export const watchMs = 3_000;
/** After the expected events, how long to wait for more (a server that sends extra ones). */
export const extraMs = 200;

export function send(target: Target, out: Outgoing): Promise<Answer> {
  const url = new URL(target.url);
  const headers: Record<string, string> = { authorization: `Bearer ${target.token}`, ...out.headers };
  if (out.body !== undefined) headers['content-length'] = String(Buffer.byteLength(out.body));
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: out.method, path: out.path, headers, agent: target.agent });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const events: unknown[] = [];
      let pending = '';
      const isWatch = out.watchEvents !== undefined && res.statusCode === 200;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        if (isWatch && pending.trim() !== '') events.push(parseEvent(pending));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, ...(isWatch ? { events } : {}) });
        if (isWatch) res.destroy();
      };
      let timer = setTimeout(finish, isWatch ? watchMs : 60_000);
      let extra = false;
      // kube-apiserver gzips answers (watches too) for clients that accept it.
      const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
      body.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxAnswerBytes) {
          res.destroy(new Error(`${out.path}: answer over ${maxAnswerBytes} bytes`));
          return;
        }
        chunks.push(chunk);
        if (!isWatch) return;
        pending += chunk.toString('utf8');
        let nl;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.trim() !== '') events.push(parseEvent(line));
        }
        if (!extra && events.length >= (out.watchEvents ?? 0)) {
          extra = true;
          clearTimeout(timer);
          timer = setTimeout(finish, extraMs);
        }
      });
      body.on('end', finish);
      res.on('close', () => {
        if (body === res) finish();
      });
      for (const stream of new Set([res, body])) {
        stream.on('error', (err) => {
          if (!done) reject(err);
        });
      }
      if (isWatch && out.onOpen !== undefined) out.onOpen().catch(reject);
    });
    req.end(out.body);
  });
}

function parseEvent(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return { unparsed: line };
  }
}
