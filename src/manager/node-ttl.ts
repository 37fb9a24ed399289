import type { V1Node } from '@kubernetes/client-node';
import type { GetObjectTTLFunc } from './types.ts';

/** The node annotation that sets the TTL of cached objects, in whole seconds. */
export const objectTTLAnnotationKey = 'node.alpha.kubernetes.io/ttl';

/**
 * A GetObjectTTLFunc reading the node's `node.alpha.kubernetes.io/ttl`
 * annotation: an integer number of seconds (as Go's strconv.Atoi reads it,
 * so "+30" counts; a negative value means every get refetches). No node, no
 * annotation, a value that is not an integer, or a failing getNode: undefined,
 * so the store's default TTL applies.
 */
export function getObjectTTLFromNodeFunc(getNode: () => V1Node | undefined | Promise<V1Node | undefined>): GetObjectTTLFunc {
  if (typeof getNode !== 'function') throw new TypeError('getObjectTTLFromNodeFunc: getNode must be a function');
  return async () => {
    let node: V1Node | undefined;
    try {
      node = await getNode();
    } catch {
      return undefined;
    }
    const value: unknown = node?.metadata?.annotations?.[objectTTLAnnotationKey];
    if (typeof value !== 'string' || !/^[+-]?\d+$/.test(value)) return undefined;
    const seconds = Number(value);
    if (!Number.isSafeInteger(seconds)) return undefined;
    return Math.max(0, seconds) * 1000;
  };
}
