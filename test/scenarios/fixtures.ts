// Objects, pods, managers and writers the scenarios share.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubernetesObject, type V1Pod, type V1Volume } from '@kubernetes/client-node';
import {
  createClient,
  newCachingConfigMapManager,
  newCachingSecretManager,
  newSimpleConfigMapManager,
  newSimpleSecretManager,
  newWatchingConfigMapManager,
  newWatchingSecretManager,
  type Client,
  type CachingManagerOptions,
  type WatchingManagerOptions,
  type StoreEntry,
} from '../../src/index.ts';
import { RecordingClient } from '../helpers/recording-client.ts';
import type { ScenarioServer } from './server.ts';

/** The typed objects a scenario works on, with one data key, `value`. */
export interface Kind {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly resource: 'secrets' | 'configmaps';
  create(core: CoreV1Api, namespace: string, name: string, value: string, options?: { immutable?: boolean }): Promise<KubernetesObject>;
  replace(core: CoreV1Api, namespace: string, name: string, value: string): Promise<KubernetesObject>;
  delete(core: CoreV1Api, namespace: string, name: string): Promise<void>;
  /** The `value` key of an object as read through a manager. */
  value(object: KubernetesObject): string | undefined;
  volume(name: string): V1Volume;
}

export const secretKind: Kind = {
  kind: 'Secret',
  resource: 'secrets',
  create: (core, namespace, name, value, options = {}) =>
    core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: { value }, ...options } }),
  replace: (core, namespace, name, value) => core.replaceNamespacedSecret({ namespace, name, body: { metadata: { name }, stringData: { value } } }),
  delete: async (core, namespace, name) => {
    await core.deleteNamespacedSecret({ namespace, name });
  },
  value: (object) => {
    const data = (object as { data?: Record<string, string> }).data?.['value'];
    return data === undefined ? undefined : Buffer.from(data, 'base64').toString();
  },
  volume: (name) => ({ name: `v-${name}`, secret: { secretName: name } }),
};

export const configMapKind: Kind = {
  kind: 'ConfigMap',
  resource: 'configmaps',
  create: (core, namespace, name, value, options = {}) => core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { value }, ...options } }),
  replace: (core, namespace, name, value) => core.replaceNamespacedConfigMap({ namespace, name, body: { metadata: { name }, data: { value } } }),
  delete: async (core, namespace, name) => {
    await core.deleteNamespacedConfigMap({ namespace, name });
  },
  value: (object) => (object as { data?: Record<string, string> }).data?.['value'],
  volume: (name) => ({ name: `v-${name}`, configMap: { name } }),
};

export const kinds: readonly Kind[] = [secretKind, configMapKind];

/** A pod whose volumes reference `names` of `kind`. */
export function podReferencing(kind: Kind, namespace: string, podName: string, names: string[]): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name: podName, uid: `uid-${namespace}-${podName}` },
    spec: { containers: [{ name: 'app', image: 'app' }], volumes: names.map((name) => kind.volume(name)) },
  };
}

export type Strategy = 'simple' | 'caching' | 'watching';
export const strategies: readonly Strategy[] = ['simple', 'caching', 'watching'];

/** A typed Secret or ConfigMap manager seen through one shape. */
export interface AnyManager {
  get(namespace: string, name: string): Promise<KubernetesObject>;
  registerPod(pod: V1Pod): void;
  unregisterPod(pod: V1Pod): void;
  entries(): StoreEntry[];
}

/** The options of either strategy; each manager is given only those its strategy takes. */
export interface ScenarioManagerOptions {
  clock?: CachingManagerOptions['clock'];
  refreshOnReRegister?: CachingManagerOptions['refreshOnReRegister'];
  signal?: WatchingManagerOptions['signal'];
  onError?: WatchingManagerOptions['onError'];
  syncTimeoutMs?: WatchingManagerOptions['syncTimeoutMs'];
}

/** Built from src/index.ts as a user builds it; caching managers use the default TTL (no node annotation). */
export function newManager(kind: Kind, strategy: Strategy, client: Client, all: ScenarioManagerOptions = {}): AnyManager {
  const { signal, onError, syncTimeoutMs, refreshOnReRegister, clock } = all;
  if (kind.kind === 'Secret') {
    const m =
      strategy === 'simple'
        ? newSimpleSecretManager(client)
        : strategy === 'caching'
          ? newCachingSecretManager(client, () => undefined, { clock, refreshOnReRegister })
          : newWatchingSecretManager(client, 60_000, { clock, signal, onError, syncTimeoutMs });
    return { get: (ns, name) => m.getSecret(ns, name), registerPod: (p) => m.registerPod(p), unregisterPod: (p) => m.unregisterPod(p), entries: () => m.entries() };
  }
  const m =
    strategy === 'simple'
      ? newSimpleConfigMapManager(client)
      : strategy === 'caching'
        ? newCachingConfigMapManager(client, () => undefined, { clock, refreshOnReRegister })
        : newWatchingConfigMapManager(client, 60_000, { clock, signal, onError, syncTimeoutMs });
  return { get: (ns, name) => m.getConfigMap(ns, name), registerPod: (p) => m.registerPod(p), unregisterPod: (p) => m.unregisterPod(p), entries: () => m.entries() };
}

/** Admin writes through @kubernetes/client-node, as any other client would make them. */
export function writer(server: ScenarioServer): CoreV1Api {
  return server.kubeConfig().makeApiClient(CoreV1Api);
}

/** Creates a namespace of its own for one scenario run. */
export async function newNamespace(core: CoreV1Api, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

/** Our client for `server` (as `user`), recording what it sends and receives. */
export function recordingClient(server: ScenarioServer, user?: string): RecordingClient {
  return new RecordingClient(createClient(server.kubeConfig(user)));
}

/** The object's resourceVersion, which every object from a server has. */
export function rvOf(object: KubernetesObject): string {
  const rv = object.metadata?.resourceVersion;
  if (rv === undefined || rv === '') throw new Error(`${object.kind ?? 'object'} ${object.metadata?.name ?? '?'} has no resourceVersion`);
  return rv;
}

/**
 * Both servers number resourceVersions with decimal integers (etcd
 * revisions); the library treats them as opaque, the scenarios compare them
 * to check order.
 */
export function rvNumber(rv: string | undefined): bigint {
  if (rv === undefined || !/^\d{1,20}$/.test(rv)) throw new Error(`resourceVersion ${JSON.stringify(rv)} is not a decimal integer`);
  return BigInt(rv);
}

/** Rejects with a message naming `what` when `promise` takes longer than `ms` (real time: real I/O). */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
