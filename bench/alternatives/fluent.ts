// kubernetes-fluent-client (the other TypeScript client with a maintained
// watch): one `K8s(Secret, { namespace, name }).Watch()` per referenced
// secret, reference-counted by pod, the object kept from its callbacks. Its
// watcher lists, then watches, over undici's fetch (HTTP/1.1: version 3.11
// has no HTTP/2 mode for watches). It reads the kubeconfig from $KUBECONFIG.
// Requests are counted through undici's diagnostics channel.
import { subscribe } from 'node:diagnostics_channel';
import type { V1Secret } from '@kubernetes/client-node';
import { perObjectWatches } from './per-object-watches.ts';
import type { Alternative } from './types.ts';

interface Item {
  readonly stop: () => void;
  object: V1Secret | undefined;
  watching: boolean;
}

export async function fluentPerObject(kubeconfigPath: string): Promise<Alternative> {
  process.env['KUBECONFIG'] = kubeconfigPath;
  const { K8s, kind, WatchEvent } = await import('kubernetes-fluent-client');
  const counts: Record<string, number> = {};
  subscribe('undici:request:create', (message) => {
    const { request } = message as { request: { method: string; path: string } };
    const verb = request.method !== 'GET' ? request.method.toLowerCase() : /[?&]watch=(true|1)\b/.test(request.path) ? 'watch' : 'list';
    counts[verb] = (counts[verb] ?? 0) + 1;
  });
  const errors: Record<string, number> = {};
  const note = (err: unknown): void => {
    const m = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    errors[m] = (errors[m] ?? 0) + 1;
  };
  const waiting = new Map<string, (() => void)[]>();
  const readable = (key: string): void => {
    const resolvers = waiting.get(key);
    waiting.delete(key);
    for (const resolve of resolvers ?? []) resolve();
  };
  const items = perObjectWatches((namespace, name): Item => {
    const key = `${namespace}/${name}`;
    const watcher = K8s(kind.Secret, { namespace, name }).Watch((secret, phase) => {
      const item = items.get(namespace, name);
      if (item === undefined) return;
      item.object = String(phase) === 'DELETED' ? undefined : secret;
      if (item.object !== undefined) readable(key);
    });
    const item: Item = { stop: () => watcher.close(), object: undefined, watching: false };
    watcher.events.on(WatchEvent.CONNECT, () => (item.watching = true));
    for (const e of [WatchEvent.NETWORK_ERROR, WatchEvent.DATA_ERROR, WatchEvent.LIST_ERROR, WatchEvent.WATCH_ERROR, WatchEvent.GIVE_UP]) watcher.events.on(e, note);
    watcher.start().catch(note);
    return item;
  });
  const read = (namespace: string, name: string): V1Secret | undefined => items.get(namespace, name)?.object;
  return {
    name: 'fluent',
    registerPod: items.registerPod,
    unregisterPod: items.unregisterPod,
    getSync: read,
    get: (namespace, name) => Promise.resolve(read(namespace, name)),
    waitReadable: (namespace, name) =>
      new Promise<void>((resolve, reject) => {
        const key = `${namespace}/${name}`;
        if (items.get(namespace, name) === undefined) return reject(new Error(`secret ${key} not registered`));
        if (read(namespace, name) !== undefined) return resolve();
        waiting.set(key, [...(waiting.get(key) ?? []), resolve]);
      }),
    requests: () => ({ ...counts }),
    clientStats: () => null,
    watchesOpen: () => items.all().filter((i) => i.watching).length,
    busy: () => null,
    errors: () => ({ ...errors }),
    close: () => {
      items.stopAll();
      return Promise.resolve();
    },
  };
}
