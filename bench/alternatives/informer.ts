// What a user of @kubernetes/client-node 2.x writes today to keep the secrets
// of registered pods fresh: one ListWatch informer per referenced secret, with
// the kubelet's field selector metadata.name=<name> on both its list and its
// watch, reference-counted by pod, restarted a second after an error while
// still referenced (the pattern client-node's README shows).
import { CoreV1Api, KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import type { V1Secret } from '@kubernetes/client-node';
import { perObjectWatches } from './per-object-watches.ts';
import type { Alternative } from './types.ts';

class Item {
  readonly informer: ListWatch<V1Secret>;
  stopped = false;
  /** Settles once a stopped informer has stopped. */
  stopping: Promise<void> = Promise.resolve();

  constructor(informer: ListWatch<V1Secret>) {
    this.informer = informer;
  }

  stop(): void {
    this.stopped = true;
    this.stopping = this.informer.stop().catch(() => undefined);
  }
}

const restartDelayMs = 1_000;

export function informerPerObject(kubeconfigPath: string): Alternative {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const counts = { get: 0, list: 0, watch: 0 };
  const errors: Record<string, number> = {};

  let open = 0;
  let listsInFlight = 0;
  let watchesStarting = 0;
  class CountingWatch extends Watch {
    override async watch(...args: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
      counts.watch++;
      const [path, query, callback, done] = args;
      let ended = false;
      let counted = false;
      watchesStarting++;
      const controller = await super
        .watch(path, query, callback, (err) => {
          ended = true;
          if (counted) open--;
          counted = false;
          done(err);
        })
        .finally(() => watchesStarting--);
      if (!ended) {
        open++;
        counted = true;
      }
      return controller;
    }
  }
  const watch = new CountingWatch(kc);

  const start = (item: Item): void => {
    item.informer.start().catch((err: unknown) => noteError(item, err));
  };
  const noteError = (item: Item, err: unknown): void => {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    errors[message] = (errors[message] ?? 0) + 1;
    if (!item.stopped) setTimeout(() => item.stopped || start(item), restartDelayMs).unref();
  };

  const items = perObjectWatches((namespace, name): Item => {
    const fieldSelector = `metadata.name=${name}`;
    const informer = new ListWatch<V1Secret>(
      `/api/v1/namespaces/${namespace}/secrets`,
      watch,
      async () => {
        counts.list++;
        listsInFlight++;
        try {
          return await core.listNamespacedSecret({ namespace, fieldSelector });
        } finally {
          listsInFlight--;
        }
      },
      false,
      undefined,
      fieldSelector,
    );
    const created = new Item(informer);
    informer.on('error', (err: unknown) => noteError(created, err));
    start(created);
    return created;
  });

  return {
    name: 'informer',
    registerPod: items.registerPod,
    unregisterPod: items.unregisterPod,
    getSync: (namespace, name) => items.get(namespace, name)?.informer.get(name, namespace),
    get: (namespace, name) => Promise.resolve(items.get(namespace, name)?.informer.get(name, namespace)),
    waitReadable: (namespace, name) =>
      new Promise<void>((resolve, reject) => {
        const item = items.get(namespace, name);
        if (item === undefined) return reject(new Error(`secret ${namespace}/${name} not registered`));
        if (item.informer.get(name, namespace) !== undefined) return resolve();
        const onAdd = (): void => {
          if (item.informer.get(name, namespace) === undefined) return;
          item.informer.off('add', onAdd);
          resolve();
        };
        item.informer.on('add', onAdd);
      }),
    requests: () => ({ ...counts }),
    clientStats: () => null,
    watchesOpen: () => open,
    busy: () => open + listsInFlight + watchesStarting,
    errors: () => ({ ...errors }),
    close: async () => {
      const all = items.all();
      items.stopAll();
      await Promise.all(all.map((item) => item.stopping));
    },
  };
}
