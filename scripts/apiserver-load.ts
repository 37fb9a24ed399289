// Load check for the embedded API server (not a timed test): N concurrent
// single-object watches over HTTP/2 (100 streams per connection, as
// kube-apiserver allows), then a stream of updates, printing the server's
// memory and the write-to-event delivery latency.
//
//   node scripts/apiserver-load.ts [--watches 10000] [--updates 2000]
//
// The server runs in a child process (started with --expose-gc), so the
// memory printed is that process's own process.memoryUsage(), after a GC,
// without the load generator's streams and buffers.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { parseArgs } from 'node:util';
import { startApiServer } from '../src/apiserver/index.ts';

const STREAMS_PER_SESSION = 100;
const NS = 'load';

interface Hello { url: string; token: string; caCert: string }
interface Stats { rssMiB: number; heapUsedMiB: number; activeWatches: number; openStreams: number; http2Sessions: number }

async function serve(): Promise<void> {
  const server = await startApiServer();
  const send = (msg: unknown): void => void process.send?.(msg);
  process.on('message', (msg: { op: string }) => {
    if (msg.op === 'stats') {
      (globalThis as { gc?: () => void }).gc?.();
      const mem = process.memoryUsage();
      const m = server.metrics();
      send({ op: 'stats', rssMiB: mem.rss / 2 ** 20, heapUsedMiB: mem.heapUsed / 2 ** 20, activeWatches: m.activeWatches, openStreams: m.openStreams, http2Sessions: m.http2Sessions });
    } else if (msg.op === 'exit') void server.close().then(() => process.exit(0));
  });
  send({ op: 'hello', url: server.url, token: server.token, caCert: server.caCert });
}

function ask<T>(child: ChildProcess, op: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (msg: { op: string }): void => {
      if (msg.op !== op) return;
      child.off('message', on);
      resolve(msg as T);
    };
    child.on('message', on);
    child.send({ op });
  });
}

function request(session: ClientHttp2Session, hello: Hello, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = session.request({ ':method': method, ':path': path, authorization: `Bearer ${hello.token}`, 'content-type': contentType });
    s.on('response', (h) => {
      s.resume();
      s.on('end', () => resolve(Number(h[':status'])));
    });
    s.on('error', reject);
    s.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function open(hello: Hello): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = connect(hello.url, { ca: hello.caCert });
    s.once('remoteSettings', () => resolve(s));
    s.once('error', reject);
  });
}

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { watches: { type: 'string', default: '10000' }, updates: { type: 'string', default: '2000' }, serve: { type: 'boolean' } } });
  if (values.serve === true) return serve();
  const watches = Number(values.watches);
  const updates = Math.min(Number(values.updates), watches);
  if (!Number.isInteger(watches) || watches < 1 || !Number.isInteger(updates) || updates < 1) throw new TypeError('--watches and --updates must be positive integers');

  const child = fork(import.meta.filename, ['--serve'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const hello = await new Promise<Hello>((resolve) => child.once('message', (m) => resolve(m as Hello)));
  const idle = await ask<Stats>(child, 'stats');

  const admin = await open(hello);
  await request(admin, hello, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
  const names = Array.from({ length: watches }, (_, i) => `s-${i}`);
  let t = performance.now();
  await pool(names, 100, (name) => request(admin, hello, 'POST', `/api/v1/namespaces/${NS}/secrets`, { metadata: { name }, data: { v: 'MA==' } }));
  const createMs = performance.now() - t;
  const loaded = await ask<Stats>(child, 'stats');

  const sessions = await Promise.all(Array.from({ length: Math.ceil(watches / STREAMS_PER_SESSION) }, () => open(hello)));
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let onDelivered: () => void = () => undefined;
  t = performance.now();
  let established = 0;
  await new Promise<void>((resolve, reject) => {
    names.forEach((name, i) => {
      const session = sessions[Math.floor(i / STREAMS_PER_SESSION)] as ClientHttp2Session;
      const path = `/api/v1/namespaces/${NS}/secrets?watch=true&allowWatchBookmarks=true&fieldSelector=metadata.name%3D${name}`;
      const stream = session.request({ ':path': path, authorization: `Bearer ${hello.token}`, accept: 'application/json' });
      stream.setEncoding('utf8');
      let partial = '';
      let initial = true;
      stream.on('data', (chunk: string) => {
        partial += chunk;
        let nl: number;
        while ((nl = partial.indexOf('\n')) >= 0) {
          const ev = JSON.parse(partial.slice(0, nl)) as { type: string; object: { metadata: { name: string } } };
          partial = partial.slice(nl + 1);
          if (initial && ev.type === 'ADDED') {
            initial = false;
            if (++established === watches) resolve();
          } else if (ev.type === 'MODIFIED') {
            const sent = sentAt.get(ev.object.metadata.name);
            if (sent !== undefined) latencies.push(performance.now() - sent);
            onDelivered();
          }
        }
      });
      stream.on('error', reject);
    });
  });
  const watchMs = performance.now() - t;
  const watching = await ask<Stats>(child, 'stats');

  const allDelivered = new Promise<void>((resolve) => (onDelivered = () => latencies.length >= updates && resolve()));
  t = performance.now();
  await pool(names.slice(0, updates), 50, (name) => {
    sentAt.set(name, performance.now());
    return request(admin, hello, 'PATCH', `/api/v1/namespaces/${NS}/secrets/${name}`, { metadata: { labels: { touched: 'yes' } } }, 'application/merge-patch+json');
  });
  await allDelivered;
  const updateMs = performance.now() - t;
  const sorted = [...latencies].sort((a, b) => a - b);

  const f = (n: number): string => n.toFixed(1);
  console.log(`embedded apiserver load check (server in a child process; memory = its process.memoryUsage() after gc)
  watches                 ${watching.activeWatches} single-object watches over ${watching.http2Sessions - 1} HTTP/2 connections (+1 for the writes) (${watching.openStreams} open streams)
  server memory idle      rss ${f(idle.rssMiB)} MiB, heap ${f(idle.heapUsedMiB)} MiB
  + ${watches} secrets        rss ${f(loaded.rssMiB)} MiB, heap ${f(loaded.heapUsedMiB)} MiB   (created in ${f(createMs)} ms)
  + ${watches} watches        rss ${f(watching.rssMiB)} MiB, heap ${f(watching.heapUsedMiB)} MiB   (established in ${f(watchMs)} ms; ~${f(((watching.heapUsedMiB - loaded.heapUsedMiB) * 1024) / watches)} KiB heap per watch)
  delivery latency        ${latencies.length} updates (PATCH sent -> MODIFIED received), 50 in flight, ${f(updateMs)} ms total
                          p50 ${f(pct(sorted, 50))} ms, p99 ${f(pct(sorted, 99))} ms, max ${f(sorted[sorted.length - 1] ?? NaN)} ms`);

  for (const s of sessions) s.destroy();
  admin.destroy();
  child.send({ op: 'exit' });
  await new Promise((resolve) => child.once('exit', resolve));
}

await main();
