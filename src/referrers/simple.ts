import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceClient } from '../client/types.ts';
import { newNotFound } from '../api/status-error.ts';
import { checkIsObject } from '../manager/object-names.ts';
import { unreachableName } from '../util/object-names.ts';
import { checkResource, checkReferrerType } from './reference-manager.ts';
import { checkStrategyOptions, simpleOptionNames, type SimpleReferenceManagerOptions } from './options.ts';
import type { ReferenceManager, ReferrerType } from './types.ts';

/**
 * The simple strategy: a GET for every getObject, nothing held.
 * Registration is a no-op, as in the kubelet's simple managers: any object
 * is served, referenced or not, and entries() is empty. A name no object
 * can have (`..`, `a/b`) answers 404 without a request; an answer that is
 * another object is refused (UnexpectedObjectError).
 *
 * `referrers` is checked but not used. It takes no options.
 */
export function newSimpleReferenceManager<R, T extends KubernetesObject = KubernetesObject>(
  resource: ResourceClient<T>,
  referrers: ReferrerType<R>,
  options?: SimpleReferenceManagerOptions,
): ReferenceManager<R, T> {
  const what = 'newSimpleReferenceManager';
  checkResource(what, resource);
  checkReferrerType(what, referrers);
  checkStrategyOptions(what, 'simple', options, simpleOptionNames);
  return simpleReferenceManager(resource);
}

/** The simple strategy, its arguments checked. */
export function simpleReferenceManager<R, T extends KubernetesObject>(resource: ResourceClient<T>): ReferenceManager<R, T> {
  return {
    getObject: async (namespace, name) => {
      // No object has such a name, and its path would reach another one: not asked for.
      if (typeof name === 'string' && unreachableName(name) !== undefined) throw newNotFound(resource.groupResource, name);
      const object = await resource.getObject(namespace, name, {});
      checkIsObject(object, namespace, name, `get ${resource.groupResource.resource}`, resource.groupResource.group);
      return object;
    },
    register: () => undefined,
    unregister: () => undefined,
    entries: () => [],
  };
}
