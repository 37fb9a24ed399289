// The floor: what one bare node:http2 watch stream per referenced secret
// costs, with the object it last announced kept parsed, and nothing else
// (no reflector, no resync, no retries, no reference bookkeeping beyond a
// count). Streams share connections, 100 to a connection (kube-apiserver's
// SETTINGS_MAX_CONCURRENT_STREAMS); a watch without a resourceVersion starts
// with the object's current state as an ADDED event.
import { connect } from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import { getSecretNames } from '../../src/index.ts';
import { readTarget } from '../target.ts';
import type { Alternative } from './types.ts';

const streamsPerConnection = 100;

interface Watch {
  refs: number;
  stream: ClientHttp2Stream;
  session: Session;
  object: V1Secret | undefined;
  open: boolean;
}

interface Session {
  h2: ClientHttp2Session;
  streams: number;
}

export function floor(kubeconfigPath: string): Alternative {
  const target = readTarget(kubeconfigPath);
  const sessions: Session[] = [];
  const watches = new Map<string, Watch>();
  const waiting = new Map<string, (() => void)[]>();
  const errors: Record<string, number> = {};
  let requests = 0;
  const note = (err: unknown): void => {
    const m = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    errors[m] = (errors[m] ?? 0) + 1;
  };
  const session = (): Session => {
    const free = sessions.find((s) => s.streams < streamsPerConnection && !s.h2.closed && !s.h2.destroyed);
    if (free !== undefined) return free;
    const h2 = connect(target.url, { ca: target.caCert });
    h2.on('error', note);
    const created: Session = { h2, streams: 0 };
    sessions.push(created);
    return created;
  };
  const start = (namespace: string, name: string): Watch => {
    const s = session();
    s.streams++;
    requests++;
    const selector = encodeURIComponent(`metadata.name=${name}`);
    const stream = s.h2.request({ ':path': `/api/v1/namespaces/${namespace}/secrets?fieldSelector=${selector}&watch=true`, authorization: `Bearer ${target.token}`, accept: 'application/json' });
    const w: Watch = { refs: 0, stream, session: s, object: undefined, open: false };
    const key = `${namespace}/${name}`;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('response', () => (w.open = true));
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') continue;
        const event = JSON.parse(line) as { type: string; object: V1Secret };
        if (event.type === 'ADDED' || event.type === 'MODIFIED') w.object = event.object;
        else if (event.type === 'DELETED') w.object = undefined;
        if (w.object !== undefined) {
          const resolvers = waiting.get(key);
          waiting.delete(key);
          for (const resolve of resolvers ?? []) resolve();
        }
      }
    });
    stream.on('error', note);
    stream.on('close', () => {
      w.open = false;
      s.streams--;
    });
    return w;
  };
  const add = (namespace: string, name: string): void => {
    const key = `${namespace}/${name}`;
    const w = watches.get(key) ?? start(namespace, name);
    w.refs++;
    watches.set(key, w);
  };
  const remove = (namespace: string, name: string): void => {
    const key = `${namespace}/${name}`;
    const w = watches.get(key);
    if (w === undefined || --w.refs > 0) return;
    watches.delete(key);
    w.stream.close();
  };
  const read = (namespace: string, name: string): V1Secret | undefined => watches.get(`${namespace}/${name}`)?.object;
  const each = (pod: V1Pod, fn: (namespace: string, name: string) => void): void => {
    for (const name of getSecretNames(pod)) fn(pod.metadata?.namespace ?? '', name);
  };
  return {
    name: 'floor',
    registerPod: (pod) => each(pod, add),
    unregisterPod: (pod) => each(pod, remove),
    getSync: read,
    get: (namespace, name) => Promise.resolve(read(namespace, name)),
    waitReadable: (namespace, name) =>
      new Promise<void>((resolve, reject) => {
        const key = `${namespace}/${name}`;
        if (!watches.has(key)) return reject(new Error(`secret ${key} not registered`));
        if (read(namespace, name) !== undefined) return resolve();
        waiting.set(key, [...(waiting.get(key) ?? []), resolve]);
      }),
    requests: () => ({ watch: requests }),
    clientStats: () => ({ http2Connections: sessions.filter((s) => !s.h2.closed).length, http1Sockets: 0, streams: sessions.reduce((a, s) => a + s.streams, 0) }),
    watchesOpen: () => [...watches.values()].filter((w) => w.open).length,
    busy: () => sessions.reduce((a, s) => a + s.streams, 0),
    errors: () => ({ ...errors }),
    close: async () => {
      for (const w of watches.values()) w.stream.close();
      watches.clear();
      await Promise.all(sessions.map((s) => new Promise<void>((resolve) => s.h2.close(() => resolve()))));
    },
  };
}
