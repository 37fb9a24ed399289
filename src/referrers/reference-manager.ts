import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceClient } from '../client/types.ts';
import { ReferrerRegistry, type ReferrerType } from '../manager/referrer-registry.ts';
import type { Store } from '../manager/types.ts';
import { describeValue } from '../util/object-names.ts';
import type { ReferenceManager } from './types.ts';

/**
 * How a referrer is named in errors about its references, or undefined for
 * the bare message (the pod managers word their errors as the kubelet's).
 */
export type DescribeReferrer = ((key: string) => string) | undefined;

/** Names a referrer by its key in errors: `register: referrer "uid-1": ...`. */
export const describeByKey: DescribeReferrer = (key) => `register: referrer ${describeValue(key)}`;

/** A ReferenceManager over a Store (the caching and watching strategies). */
export function storeReferenceManager<R, T extends KubernetesObject>(
  store: Store,
  type: ReferrerType<R>,
  refreshOnReRegister: boolean,
  describe: DescribeReferrer,
): ReferenceManager<R, T> {
  const registry = new ReferrerRegistry(store, type, refreshOnReRegister, describe);
  return {
    register: (referrer) => registry.register(referrer),
    unregister: (referrer) => registry.unregister(referrer),
    // The store holds what the resource client returned: a T.
    getObject: (namespace, name) => store.get(namespace, name) as Promise<T>,
    entries: () => store.entries?.() ?? [],
  };
}

/** Throws a TypeError naming the argument unless `resource` has the functions and groupResource a ResourceClient has. */
export function checkResource(what: string, resource: unknown): asserts resource is ResourceClient {
  if (resource === null || typeof resource !== 'object') throw new TypeError(`${what}: resource must be a ResourceClient (client.resource(...)), got ${describeValue(resource)}`);
  const r = resource as Partial<ResourceClient>;
  for (const fn of ['getObject', 'listObject', 'watchObject'] as const) {
    if (typeof r[fn] !== 'function') throw new TypeError(`${what}: resource.${fn} must be a function`);
  }
  if (typeof r.groupResource?.resource !== 'string' || r.groupResource.resource === '') {
    throw new TypeError(`${what}: resource.groupResource.resource must be a non-empty string`);
  }
}

/** Throws a TypeError naming the field unless `type` has key and references functions (and id, if given). */
export function checkReferrerType(what: string, type: unknown): asserts type is ReferrerType<unknown> {
  if (type === null || typeof type !== 'object') throw new TypeError(`${what}: referrers must be an object { key, references }, got ${describeValue(type)}`);
  const t = type as Partial<ReferrerType<unknown>>;
  if (typeof t.key !== 'function') throw new TypeError(`${what}: referrers.key must be a function`);
  if (typeof t.references !== 'function') throw new TypeError(`${what}: referrers.references must be a function`);
  if (t.id !== undefined && typeof t.id !== 'function') throw new TypeError(`${what}: referrers.id must be a function when given`);
}
