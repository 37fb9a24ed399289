import type { KubernetesObject, V1ConfigMap, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Client, ResourceClient } from '../client/types.ts';
import type { ReflectorError } from '../reflector/reflector.ts';
import { newCacheBasedManager } from '../manager/cache-based-manager.ts';
import { UnexpectedObjectError } from '../manager/errors.ts';
import { checkIsObject } from '../manager/object-names.ts';
import { describeValue, unreachableName } from '../util/object-names.ts';
import { newObjectStore } from '../manager/object-store.ts';
import type { GetObjectTTLFunc, Manager, StoreEntry } from '../manager/types.ts';
import { newWatchBasedManager } from '../manager/watch-based-manager.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { newNotFound } from '../api/status-error.ts';
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

/** Options shared by the caching and watching constructors. */
export interface ManagerOptions {
  /** @default realClock */
  clock?: Clock;
  /** Watching managers: aborting stops every watch. */
  signal?: AbortSignal;
  /** Watching managers: hears every error a watch recovered from. */
  onError?: (error: ReflectorError, object: { namespace: string; name: string }) => void;
  /** Watching managers: how long a get waits for an object's first sync. @default 1_000 */
  syncTimeoutMs?: number;
  /**
   * Caching managers: whether re-registering an updated pod fetches all its
   * objects again (true, the seed's kubelet v1.26 behaviour) or only the ones
   * it newly references (false, the kubelet's since v1.29: kubernetes#120126;
   * use it when pods are re-registered on every status update).
   * @default true
   */
  refreshOnReRegister?: boolean;
}

/** The kubelet's default TTL of cached objects when the node sets none. */
export const defaultCacheTTLMs = 60_000;

/** Secrets and configmaps marked `immutable: true` never change: their watches stop. */
export function isImmutable(object: KubernetesObject): boolean {
  return (object as { immutable?: unknown }).immutable === true;
}

type Strategy = (resource: ResourceClient, getNames: (pod: V1Pod) => Set<string>) => Manager;

function simple(resource: ResourceClient): Manager {
  return {
    getObject: async (namespace, name) => {
      // No object has such a name, and its path would reach another one: not asked for.
      if (typeof name === 'string' && unreachableName(name) !== undefined) throw newNotFound(resource.groupResource, name);
      const object = await resource.getObject(namespace, name, {});
      checkIsObject(object, namespace, name, `get ${resource.groupResource.resource}`);
      return object;
    },
    registerPod: () => undefined,
    unregisterPod: () => undefined,
  };
}

function caching(getTTL: GetObjectTTLFunc, options: ManagerOptions): Strategy {
  return (resource, getNames) =>
    newCacheBasedManager(newObjectStore(resource.getObject, options.clock ?? realClock, getTTL, defaultCacheTTLMs), getNames, {
      refreshOnReRegister: options.refreshOnReRegister ?? true,
    });
}

function watching(resyncIntervalMs: number, options: ManagerOptions): Strategy {
  return (resource, getNames) =>
    newWatchBasedManager({
      listObject: resource.listObject,
      watchObject: resource.watchObject,
      isImmutable,
      groupResource: resource.groupResource,
      resyncIntervalMs,
      getReferencedObjects: getNames,
      ...(options.clock !== undefined && { clock: options.clock }),
      ...(options.signal !== undefined && { signal: options.signal }),
      ...(options.onError !== undefined && { onError: options.onError }),
      ...(options.syncTimeoutMs !== undefined && { syncTimeoutMs: options.syncTimeoutMs }),
    });
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

function secretManager(client: Client, strategy: Strategy): SecretManager {
  const manager = strategy(client.resource('secrets'), getSecretNames);
  return {
    getSecret: async (namespace, name) => asKind<V1Secret>(await manager.getObject(namespace, name), 'Secret', namespace, name),
    registerPod: (pod) => manager.registerPod(pod),
    unregisterPod: (pod) => manager.unregisterPod(pod),
    entries: () => manager.entries?.() ?? [],
  };
}

function configMapManager(client: Client, strategy: Strategy): ConfigMapManager {
  const manager = strategy(client.resource('configmaps'), getConfigMapNames);
  return {
    getConfigMap: async (namespace, name) => asKind<V1ConfigMap>(await manager.getObject(namespace, name), 'ConfigMap', namespace, name),
    registerPod: (pod) => manager.registerPod(pod),
    unregisterPod: (pod) => manager.unregisterPod(pod),
    entries: () => manager.entries?.() ?? [],
  };
}

/** A GET for every getSecret; registration is a no-op. */
export function newSimpleSecretManager(client: Client): SecretManager {
  return secretManager(client, simple);
}

/** Secrets of registered pods cached for the node's TTL (`getTTL`), one minute by default; re-registering a pod refreshes its secrets. */
export function newCachingSecretManager(client: Client, getTTL: GetObjectTTLFunc, options: ManagerOptions = {}): SecretManager {
  return secretManager(client, caching(getTTL, options));
}

/** One watch per secret registered pods reference; idle for 5 x resyncIntervalMs stops it until the next get. */
export function newWatchingSecretManager(client: Client, resyncIntervalMs: number, options: ManagerOptions = {}): SecretManager {
  return secretManager(client, watching(resyncIntervalMs, options));
}

/** A GET for every getConfigMap; registration is a no-op. */
export function newSimpleConfigMapManager(client: Client): ConfigMapManager {
  return configMapManager(client, simple);
}

/** ConfigMaps of registered pods cached for the node's TTL (`getTTL`), one minute by default. */
export function newCachingConfigMapManager(client: Client, getTTL: GetObjectTTLFunc, options: ManagerOptions = {}): ConfigMapManager {
  return configMapManager(client, caching(getTTL, options));
}

/** One watch per configmap registered pods reference; idle for 5 x resyncIntervalMs stops it until the next get. */
export function newWatchingConfigMapManager(client: Client, resyncIntervalMs: number, options: ManagerOptions = {}): ConfigMapManager {
  return configMapManager(client, watching(resyncIntervalMs, options));
}
