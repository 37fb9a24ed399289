import type { KubernetesObject, V1ConfigMap, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Client, ResourceClient } from '../client/types.ts';
import { UnexpectedObjectError } from '../manager/errors.ts';
import { checkPod, podReferrerType } from '../manager/pod-referrer.ts';
import type { GetObjectTTLFunc, StoreEntry } from '../manager/types.ts';
import { cachingReferenceManager, defaultCacheTTLMs } from '../referrers/caching.ts';
import {
  cachingManagerOptionNames,
  checkStrategyOptions,
  simpleOptionNames,
  watchingManagerOptionNames,
  type CachingManagerOptions,
  type SimpleReferenceManagerOptions,
  type WatchingManagerOptions,
} from '../referrers/options.ts';
import { simpleReferenceManager } from '../referrers/simple.ts';
import type { ReferenceManager, ReferrerType } from '../referrers/types.ts';
import { isImmutable, watchingReferenceManager } from '../referrers/watching.ts';
import { checkDurationMs, maxTimerDelayMs } from '../util/duration.ts';
import { describeValue } from '../util/object-names.ts';
import { getConfigMapNames, getSecretNames } from './pod-references.ts';

export interface SecretManager {
  /** The secret, fresh as the manager's strategy keeps it; rejects with a StatusError (404, ...) or "not registered". */
  getSecret(namespace: string, name: string): Promise<V1Secret>;
  registerPod(pod: V1Pod): void;
  unregisterPod(pod: V1Pod): void;
  /** Every secret registered pods reference, with its referrers and state; never its data. */
  entries(): StoreEntry[];
}

export interface ConfigMapManager {
  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap>;
  registerPod(pod: V1Pod): void;
  unregisterPod(pod: V1Pod): void;
  /** Every configmap registered pods reference, with its referrers and state. */
  entries(): StoreEntry[];
}

export { defaultCacheTTLMs, isImmutable };
export type { CachingManagerOptions, WatchingManagerOptions };

/** Builds one strategy's manager of pods for a resource. */
type Strategy = (resource: ResourceClient, pods: ReferrerType<V1Pod>) => ReferenceManager<V1Pod>;

const simple: Strategy = (resource) => simpleReferenceManager(resource);

function caching(what: string, getTTL: GetObjectTTLFunc, options: CachingManagerOptions | undefined): Strategy {
  if (typeof getTTL !== 'function') throw new TypeError(`${what}: getTTL must be a function`);
  const fields = checkStrategyOptions(what, 'caching', options, cachingManagerOptionNames);
  return (resource, pods) => cachingReferenceManager(what, resource, pods, { ...fields, getTTL, ttlMs: defaultCacheTTLMs }, undefined);
}

function watching(what: string, resyncIntervalMs: number, options: WatchingManagerOptions | undefined): Strategy {
  const fields = checkStrategyOptions(what, 'watching', options, watchingManagerOptionNames);
  // maxIdleTime is 5 x resyncInterval, and must itself be a valid duration.
  checkDurationMs(`${what}: resyncIntervalMs`, resyncIntervalMs, { max: Math.floor(maxTimerDelayMs / 5) });
  return (resource, pods) => watchingReferenceManager(what, resource, pods, { ...fields, maxIdleTimeMs: 5 * resyncIntervalMs }, undefined);
}

/**
 * The object as the kind the typed manager serves: an object of another kind
 * is refused as the kubelet does ("unexpected object type"). Objects without
 * a kind (list items of kube-apiserver carry none) are taken as they are.
 */
function asKind<T extends KubernetesObject>(object: KubernetesObject, kind: string, namespace: string, name: string): T {
  if (object.kind !== undefined && object.kind !== kind) {
    throw new UnexpectedObjectError(`unexpected object type: got kind ${describeValue(object.kind)} for ${kind} "${namespace}"/"${name}"`);
  }
  return object as T;
}

/** A pod manager of the strategy over `resource`: a generic ReferenceManager whose referrers are pods (the simple strategy registers nothing, so checks no pod). */
function podManager(resource: ResourceClient, getNames: (pod: V1Pod) => Set<string>, strategy: Strategy): Pick<SecretManager, 'registerPod' | 'unregisterPod' | 'entries'> & { manager: ReferenceManager<V1Pod> } {
  const manager = strategy(resource, podReferrerType(getNames));
  const checks = strategy !== simple;
  return {
    manager,
    registerPod: (pod) => {
      if (checks) checkPod(pod, 'registerPod');
      manager.register(pod);
    },
    unregisterPod: (pod) => {
      if (checks) checkPod(pod, 'unregisterPod');
      manager.unregister(pod);
    },
    entries: () => manager.entries(),
  };
}

function secretManager(client: Client, strategy: Strategy): SecretManager {
  const { manager, ...pods } = podManager(client.resource('secrets'), getSecretNames, strategy);
  return { ...pods, getSecret: async (namespace, name) => asKind<V1Secret>(await manager.getObject(namespace, name), 'Secret', namespace, name) };
}

function configMapManager(client: Client, strategy: Strategy): ConfigMapManager {
  const { manager, ...pods } = podManager(client.resource('configmaps'), getConfigMapNames, strategy);
  return { ...pods, getConfigMap: async (namespace, name) => asKind<V1ConfigMap>(await manager.getObject(namespace, name), 'ConfigMap', namespace, name) };
}

/** A GET for every getSecret; registration is a no-op. Takes no options. */
export function newSimpleSecretManager(client: Client, options?: SimpleReferenceManagerOptions): SecretManager {
  checkStrategyOptions('newSimpleSecretManager', 'simple', options, simpleOptionNames);
  return secretManager(client, simple);
}

/** Secrets of registered pods cached for the node's TTL (`getTTL`), one minute by default; re-registering a pod refreshes its secrets. */
export function newCachingSecretManager(client: Client, getTTL: GetObjectTTLFunc, options?: CachingManagerOptions): SecretManager {
  return secretManager(client, caching('newCachingSecretManager', getTTL, options));
}

/** One watch per secret registered pods reference; idle for 5 x resyncIntervalMs stops it until the next get. */
export function newWatchingSecretManager(client: Client, resyncIntervalMs: number, options?: WatchingManagerOptions): SecretManager {
  return secretManager(client, watching('newWatchingSecretManager', resyncIntervalMs, options));
}

/** A GET for every getConfigMap; registration is a no-op. Takes no options. */
export function newSimpleConfigMapManager(client: Client, options?: SimpleReferenceManagerOptions): ConfigMapManager {
  checkStrategyOptions('newSimpleConfigMapManager', 'simple', options, simpleOptionNames);
  return configMapManager(client, simple);
}

/** ConfigMaps of registered pods cached for the node's TTL (`getTTL`), one minute by default. */
export function newCachingConfigMapManager(client: Client, getTTL: GetObjectTTLFunc, options?: CachingManagerOptions): ConfigMapManager {
  return configMapManager(client, caching('newCachingConfigMapManager', getTTL, options));
}

/** One watch per configmap registered pods reference; idle for 5 x resyncIntervalMs stops it until the next get. */
export function newWatchingConfigMapManager(client: Client, resyncIntervalMs: number, options?: WatchingManagerOptions): ConfigMapManager {
  return configMapManager(client, watching('newWatchingConfigMapManager', resyncIntervalMs, options));
}
