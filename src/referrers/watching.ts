import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceClient } from '../client/types.ts';
import type { ReferrerType } from '../manager/referrer-registry.ts';
import { newObjectCache } from '../manager/object-cache.ts';
import { checkDurationMs } from '../util/duration.ts';
import { checkStrategyOptions, watchingOptionNames, type WatchingFields, type WatchingReferenceManagerOptions } from './options.ts';
import { checkReferrerType, checkResource, describeByKey, storeReferenceManager, type DescribeReferrer } from './reference-manager.ts';
import type { ReferenceManager } from './types.ts';

/**
 * Whether an object is marked `immutable: true`, as Secrets and ConfigMaps
 * can be: it never changes, so its watch stops and it is served from memory
 * for good. Objects of other kinds carry no such field.
 */
export function isImmutable(object: KubernetesObject): boolean {
  return (object as { immutable?: unknown }).immutable === true;
}

/** The kubelet's idle time of a watch: 5 x its default resync interval of a minute. */
const defaultMaxIdleTimeMs = 5 * 60_000;

/**
 * The watching strategy: one list+watch per object registered referrers
 * reference (field selector `metadata.name=<name>` in its
 * namespace; one WatchList request where the server serves it), started by
 * the first referrer and stopped by the last; newObjectCache's rules. A read
 * waits up to `syncTimeoutMs` for the object's first sync, then answers from
 * memory. An immutable object (`isImmutable`) stops its watch and is kept;
 * a watch whose object was not read for `maxIdleTimeMs` (at least a minute)
 * stops until the next read. Aborting `signal` stops every watch.
 *
 * Options: clock, signal, onError, syncTimeoutMs, maxIdleTimeMs (default 5
 * minutes), isImmutable (default: `immutable: true`); any other is refused.
 */
export function newWatchingReferenceManager<R, T extends KubernetesObject = KubernetesObject>(
  resource: ResourceClient<T>,
  referrers: ReferrerType<R>,
  options?: WatchingReferenceManagerOptions,
): ReferenceManager<R, T> {
  const what = 'newWatchingReferenceManager';
  checkResource(what, resource);
  checkReferrerType(what, referrers);
  const fields = checkStrategyOptions(what, 'watching', options, watchingOptionNames);
  return watchingReferenceManager(what, resource, referrers, fields, describeByKey);
}

/** The watching strategy, from checked arguments; `what` names the factory in errors about option values. */
export function watchingReferenceManager<R, T extends KubernetesObject>(
  what: string,
  resource: ResourceClient<T>,
  referrers: ReferrerType<R>,
  fields: Partial<WatchingFields>,
  describe: DescribeReferrer,
): ReferenceManager<R, T> {
  const { maxIdleTimeMs = defaultMaxIdleTimeMs, isImmutable: immutable = isImmutable, ...watchOptions } = fields;
  checkDurationMs(`${what}: options.maxIdleTimeMs`, maxIdleTimeMs);
  if (watchOptions.syncTimeoutMs !== undefined) checkDurationMs(`${what}: options.syncTimeoutMs`, watchOptions.syncTimeoutMs);
  if (typeof immutable !== 'function') throw new TypeError(`${what}: options.isImmutable must be a function`);
  if (watchOptions.onError !== undefined && typeof watchOptions.onError !== 'function') throw new TypeError(`${what}: options.onError must be a function`);
  if (watchOptions.signal !== undefined && !(watchOptions.signal instanceof AbortSignal)) throw new TypeError(`${what}: options.signal must be an AbortSignal`);
  const store = newObjectCache({
    ...watchOptions,
    listObject: resource.listObject,
    watchObject: resource.watchObject,
    groupResource: resource.groupResource,
    isImmutable: immutable,
    maxIdleTimeMs,
  });
  // A watched object is never invalidated by a new reference: re-registering costs nothing either way.
  return storeReferenceManager(store, referrers, true, describe);
}
