import type { KubernetesObject } from '@kubernetes/client-node';
import type { StoreEntry } from '../manager/types.ts';

export type { ObjectReference, ReferrerType } from '../manager/referrer-registry.ts';

/**
 * Keeps the objects that registered referrers reference (of one resource)
 * and serves them, by one of three strategies: newSimpleReferenceManager (a
 * GET per read), newCachingReferenceManager (a TTL cache) and
 * newWatchingReferenceManager (one watch per referenced object). The
 * kubelet's Manager, for any type of referrer.
 */
export interface ReferenceManager<R, T extends KubernetesObject = KubernetesObject> {
  /**
   * Registers every object the referrer references. Registering a referrer
   * whose key is registered moves its references: objects it no longer
   * references are released. Idempotent. Throws a TypeError, and changes
   * nothing, when the referrer's key or a reference is invalid.
   */
  register(referrer: R): void;
  /** Releases the references of the registration with the referrer's key. Idempotent; unknown keys are ignored. */
  unregister(referrer: R): void;
  /**
   * The object, as fresh as the strategy keeps it. Rejects with a 404
   * StatusError when it does not exist, and (caching and watching) with
   * NotRegisteredError when no registered referrer references it. What the
   * caching and watching strategies return is shared and frozen: read it,
   * don't mutate it.
   */
  getObject(namespace: string, name: string): Promise<T>;
  /** Every referenced object, its referrers (ids) and its state; never its data. Empty for the simple strategy, which holds nothing. */
  entries(): StoreEntry[];
}
