import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { checkPod, podReferrerType } from './pod-referrer.ts';
import { ReferrerRegistry } from './referrer-registry.ts';
import type { Manager, Store, StoreEntry } from './types.ts';

export interface CacheBasedManagerOptions {
  /**
   * What registering a referrer again (a pod with the same namespace, name
   * and UID; any referrer with the same key) does to the objects both
   * registrations reference. true, the seed's (kubelet v1.26) behaviour:
   * every object is added again, which invalidates TTL-cached copies, so
   * every re-registration fetches every object again. false, the kubelet's
   * since v1.29 (kubernetes#120126): only newly referenced objects are added
   * and only objects no longer referenced are dropped, so re-registering on
   * every status update costs nothing. A new referrer (a pod with a new UID)
   * always adds, and so fetches, every object.
   * @default true
   */
  refreshOnReRegister?: boolean;
}

/**
 * Creates a Manager over a Store. Pods are keyed by namespace, name and UID.
 *
 * registerPod adds a reference (from the pod's UID) for every name
 * `getReferencedObjects` returns, then, for a pod registered before, drops
 * one reference for every name of the previous registration: names only the
 * old version had go away, names both have stay at one reference per pod, and
 * every name is re-added, which invalidates TTL-cached copies (the next get
 * fetches). The names are computed at registration, so a pod object mutated
 * afterwards changes nothing until it is registered again. unregisterPod drops
 * the references of the registration it finds; both are idempotent.
 * `options.refreshOnReRegister: false` keeps the names both versions
 * reference untouched instead (see CacheBasedManagerOptions).
 *
 * Any non-empty name is registered (kube-apiserver accepts pods naming
 * objects that cannot exist; those answer NotFound): registerPod throws only
 * for a pod without namespace or name, or when the store is stopped, and
 * then changes nothing.
 */
export function newCacheBasedManager(
  store: Store,
  getReferencedObjects: (pod: V1Pod) => Set<string>,
  options: CacheBasedManagerOptions = {},
): Manager {
  if (store === null || typeof store !== 'object') throw new TypeError('newCacheBasedManager: store must be a Store');
  if (typeof getReferencedObjects !== 'function') throw new TypeError('newCacheBasedManager: getReferencedObjects must be a function');
  const refresh = options.refreshOnReRegister ?? true;
  if (typeof refresh !== 'boolean') throw new TypeError('newCacheBasedManager: options.refreshOnReRegister must be a boolean');
  return new CacheBasedManager(store, getReferencedObjects, refresh);
}

/** The seed's manager: pods (checked, with the caller's operation in errors) through the generic ReferrerRegistry. */
class CacheBasedManager implements Manager {
  readonly #store: Store;
  readonly #pods: ReferrerRegistry<V1Pod>;

  constructor(store: Store, getReferencedObjects: (pod: V1Pod) => Set<string>, refreshOnReRegister: boolean) {
    this.#store = store;
    this.#pods = new ReferrerRegistry(store, podReferrerType(getReferencedObjects), refreshOnReRegister);
  }

  getObject(namespace: string, name: string): Promise<KubernetesObject> {
    return this.#store.get(namespace, name);
  }

  entries(): StoreEntry[] {
    return this.#store.entries?.() ?? [];
  }

  registerPod(pod: V1Pod): void {
    checkPod(pod, 'registerPod');
    this.#pods.register(pod);
  }

  unregisterPod(pod: V1Pod): void {
    checkPod(pod, 'unregisterPod');
    this.#pods.unregister(pod);
  }
}
