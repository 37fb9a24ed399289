// The common TypeScript pattern: one client-node informer (ListWatch) over
// every Secret of the namespace. Registering a pod costs nothing; the
// informer lists and watches all secrets, referenced or not, and holds them.
import { CoreV1Api, KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import type { V1Secret } from '@kubernetes/client-node';
import { benchNamespace } from '../target.ts';
import type { Alternative } from './types.ts';

const restartDelayMs = 1_000;

export function namespaceInformer(kubeconfigPath: string): Alternative {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const counts = { list: 0, watch: 0 };
  const errors: Record<string, number> = {};
  let open = 0;
  class CountingWatch extends Watch {
    override async watch(...args: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
      counts.watch++;
      const [path, query, callback, done] = args;
      let ended = false;
      const controller = await super.watch(path, query, callback, (err) => {
        if (!ended) open--;
        ended = true;
        done(err);
      });
      if (!ended) open++;
      return controller;
    }
  }
  const informer = new ListWatch<V1Secret>(
    `/api/v1/namespaces/${benchNamespace}/secrets`,
    new CountingWatch(kc),
    () => {
      counts.list++;
      return core.listNamespacedSecret({ namespace: benchNamespace });
    },
    false,
  );
  let stopped = false;
  const start = (): void => {
    informer.start().catch(noteError);
  };
  const noteError = (err: unknown): void => {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    errors[message] = (errors[message] ?? 0) + 1;
    if (!stopped) setTimeout(() => stopped || start(), restartDelayMs).unref();
  };
  informer.on('error', noteError);
  start();
  const read = (namespace: string, name: string): V1Secret | undefined => informer.get(name, namespace);
  // One 'add' listener for every waiter: a listener each would make N adds cost N × waiters calls.
  const waiting = new Map<string, (() => void)[]>();
  informer.on('add', (obj: V1Secret) => {
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    const resolvers = waiting.get(key);
    if (resolvers === undefined) return;
    waiting.delete(key);
    for (const resolve of resolvers) resolve();
  });
  return {
    name: 'ns-informer',
    // Pods need no bookkeeping: the informer holds every secret of the namespace whether referenced or not.
    registerPod: () => undefined,
    unregisterPod: () => undefined,
    getSync: read,
    get: (namespace, name) => Promise.resolve(read(namespace, name)),
    waitReadable: (namespace, name) =>
      new Promise<void>((resolve) => {
        if (read(namespace, name) !== undefined) return resolve();
        const key = `${namespace}/${name}`;
        waiting.set(key, [...(waiting.get(key) ?? []), resolve]);
      }),
    requests: () => ({ ...counts }),
    clientStats: () => null,
    watchesOpen: () => open,
    expectedWatches: () => 1,
    busy: () => null,
    errors: () => ({ ...errors }),
    close: async () => {
      stopped = true;
      await informer.stop();
    },
  };
}
