import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceClient } from '../client/types.ts';
import type { ReferrerType } from '../manager/referrer-registry.ts';
import { newObjectStore } from '../manager/object-store.ts';
import { realClock } from '../util/clock.ts';
import { checkDurationMs } from '../util/duration.ts';
import { cachingOptionNames, checkStrategyOptions, type CachingFields, type CachingReferenceManagerOptions } from './options.ts';
import { checkReferrerType, checkResource, describeByKey, storeReferenceManager, type DescribeReferrer } from './reference-manager.ts';
import type { ReferenceManager } from './types.ts';

/** The kubelet's default TTL of cached objects when the node sets none. */
export const defaultCacheTTLMs = 60_000;

/**
 * The caching strategy, a TTL cache: each object registered referrers
 * reference is fetched on its first read and again once its copy is older
 * than the TTL (`getTTL()` when it gives one, else `ttlMs`), by
 * newObjectStore's rules (a refresh asks with resourceVersion "0"; a failed
 * refresh keeps serving the held copy; NotFound is cached; concurrent reads
 * share one fetch). Registering a referrer again fetches its objects again
 * on their next read, or only the newly referenced ones with
 * `refreshOnReRegister: false`.
 *
 * Options: clock, getTTL, ttlMs, refreshOnReRegister; any other is refused.
 */
export function newCachingReferenceManager<R, T extends KubernetesObject = KubernetesObject>(
  resource: ResourceClient<T>,
  referrers: ReferrerType<R>,
  options?: CachingReferenceManagerOptions,
): ReferenceManager<R, T> {
  const what = 'newCachingReferenceManager';
  checkResource(what, resource);
  checkReferrerType(what, referrers);
  const fields = checkStrategyOptions(what, 'caching', options, cachingOptionNames);
  return cachingReferenceManager(what, resource, referrers, fields, describeByKey);
}

/** The caching strategy, from checked arguments; `what` names the factory in errors about option values. */
export function cachingReferenceManager<R, T extends KubernetesObject>(
  what: string,
  resource: ResourceClient<T>,
  referrers: ReferrerType<R>,
  fields: Partial<CachingFields>,
  describe: DescribeReferrer,
): ReferenceManager<R, T> {
  const { clock = realClock, getTTL = noTTL, ttlMs = defaultCacheTTLMs, refreshOnReRegister = true } = fields;
  if (typeof getTTL !== 'function') throw new TypeError(`${what}: options.getTTL must be a function`);
  checkDurationMs(`${what}: options.ttlMs`, ttlMs);
  if (typeof refreshOnReRegister !== 'boolean') throw new TypeError(`${what}: options.refreshOnReRegister must be a boolean`);
  const store = newObjectStore(resource.getObject, clock, getTTL, ttlMs);
  return storeReferenceManager(store, referrers, refreshOnReRegister, describe);
}

const noTTL = (): undefined => undefined;
