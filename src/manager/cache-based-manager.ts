import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { checkObjectName } from './object-names.ts';
import type { Manager, Store, StoreEntry } from './types.ts';

export interface CacheBasedManagerOptions {
  /**
   * What registering an updated pod (same namespace, name and UID) does to
   * the names both versions reference. true, the seed's (kubelet v1.26)
   * behaviour: every name is added again, which invalidates TTL-cached copies,
   * so every re-registration fetches every object again. false, the kubelet's
   * since v1.29 (kubernetes#120126): only names the pod did not reference are
   * added and only names it no longer references are dropped, so a
   * re-registration on every pod status update costs nothing. A new pod (a
   * new UID) always adds, and so fetches, every name.
   * @default true
   */
  refreshOnReRegister?: boolean;
}

interface RegisteredPod {
  namespace: string;
  uid: string;
  names: ReadonlySet<string>;
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

class CacheBasedManager implements Manager {
  readonly #store: Store;
  readonly #getReferencedObjects: (pod: V1Pod) => Set<string>;
  readonly #pods = new Map<string, RegisteredPod>();
  readonly #refreshOnReRegister: boolean;

  constructor(store: Store, getReferencedObjects: (pod: V1Pod) => Set<string>, refreshOnReRegister: boolean) {
    this.#store = store;
    this.#getReferencedObjects = getReferencedObjects;
    this.#refreshOnReRegister = refreshOnReRegister;
  }

  getObject(namespace: string, name: string): Promise<KubernetesObject> {
    return this.#store.get(namespace, name);
  }

  entries(): StoreEntry[] {
    return this.#store.entries?.() ?? [];
  }

  registerPod(pod: V1Pod): void {
    const { key, namespace, uid } = podIdentity(pod, 'registerPod');
    // Everything that can throw happens before the first change of state.
    const names = new Set<string>();
    for (const name of this.#getReferencedObjects(pod)) {
      checkObjectName(namespace, name);
      names.add(name);
    }
    const prev = this.#pods.get(key);
    if (prev !== undefined && !this.#refreshOnReRegister) {
      // Only what changed: names both versions reference keep their one reference.
      for (const name of names) if (!prev.names.has(name)) this.#store.addReference(namespace, name, uid);
      this.#pods.set(key, { namespace, uid, names });
      for (const name of prev.names) if (!names.has(name)) this.#store.deleteReference(prev.namespace, name, prev.uid);
      return;
    }
    for (const name of names) this.#store.addReference(namespace, name, uid);
    this.#pods.set(key, { namespace, uid, names });
    if (prev !== undefined) {
      for (const name of prev.names) this.#store.deleteReference(prev.namespace, name, prev.uid);
    }
  }

  unregisterPod(pod: V1Pod): void {
    const { key } = podIdentity(pod, 'unregisterPod');
    const prev = this.#pods.get(key);
    if (prev === undefined) return;
    this.#pods.delete(key);
    for (const name of prev.names) this.#store.deleteReference(prev.namespace, name, prev.uid);
  }
}

function podIdentity(pod: V1Pod, operation: string): { key: string; namespace: string; uid: string } {
  if (pod === null || typeof pod !== 'object') throw new TypeError(`${operation}: pod must be an object, got ${String(pod)}`);
  const meta = pod.metadata;
  if (meta === null || typeof meta !== 'object') throw new TypeError(`${operation}: pod has no metadata`);
  const { namespace, name, uid } = meta;
  if (typeof namespace !== 'string' || namespace === '') throw new TypeError(`${operation}: pod ${JSON.stringify(name ?? '')} has no metadata.namespace`);
  if (typeof name !== 'string' || name === '') throw new TypeError(`${operation}: pod in namespace "${namespace}" has no metadata.name`);
  if (uid !== undefined && uid !== null && typeof uid !== 'string') throw new TypeError(`${operation}: pod "${namespace}"/"${name}" has a non-string metadata.uid`);
  const podUid = uid ?? '';
  return { key: `${namespace}/${name}/${podUid}`, namespace, uid: podUid };
}
