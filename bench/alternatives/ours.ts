// Our three managers over one createClient(), requests counted per verb.
import { KubeConfig } from '@kubernetes/client-node';
import type { V1Secret } from '@kubernetes/client-node';
import { createClient, newCachingSecretManager, newSimpleSecretManager, newWatchingSecretManager } from '../../src/index.ts';
import type { SecretManager } from '../../src/index.ts';
import { countingClient } from '../../src/cli/counting-client.ts';
import type { Alternative, AlternativeName } from './types.ts';

export interface OursOptions {
  /** TTL of the caching manager. */
  ttlMs: number;
  /** How long the watching manager's first get waits for the first list of an object. */
  syncTimeoutMs: number;
}

export function ours(name: Exclude<AlternativeName, 'informer'>, kubeconfigPath: string, options: OursOptions): Alternative {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const kube = createClient(kc);
  // The counting wrapper keeps the client's WatchList support (keepWatchList).
  const { client, counts } = countingClient(kube);
  const controller = new AbortController();
  const manager: SecretManager =
    name === 'watch'
      ? newWatchingSecretManager(client, 60_000, { signal: controller.signal, syncTimeoutMs: options.syncTimeoutMs })
      : name === 'ttl'
        ? newCachingSecretManager(client, () => options.ttlMs)
        : newSimpleSecretManager(client);
  return {
    name,
    registerPod: (pod) => manager.registerPod(pod),
    unregisterPod: (pod) => manager.unregisterPod(pod),
    get: (namespace, secret): Promise<V1Secret> => manager.getSecret(namespace, secret),
    waitReadable: async (namespace, secret) => {
      await manager.getSecret(namespace, secret);
    },
    requests: () => ({ ...counts }),
    clientStats: () => {
      const s = kube.stats();
      return { http2Connections: s.http2Connections, http1Sockets: s.http1Sockets, streams: s.streams };
    },
    // Every stream a watching client holds open is a watch (gets and lists end on their own).
    watchesOpen: () => (name === 'watch' ? kube.stats().streams : null),
    busy: () => (name === 'watch' ? kube.stats().streams : null),
    errors: () => ({}),
    close: async () => {
      controller.abort();
      await kube.close();
    },
  };
}
