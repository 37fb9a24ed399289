import type { V1Pod } from '@kubernetes/client-node';
import type { ObjectReference, ReferrerType } from './referrer-registry.ts';

/** A pod that passed checkPod: it has a namespace and a name, and its UID, if any, is a string. */
export type IdentifiedPod = V1Pod & { metadata: { namespace: string; name: string; uid?: string } };

/**
 * Throws a TypeError naming what is missing unless the pod has what
 * identifies it: metadata with a namespace and a name (the UID may be
 * absent: such pods are one registration per namespace and name, with the
 * referrer ""). `operation` starts the message (`registerPod: ...`).
 */
export function checkPod(pod: unknown, operation: string): asserts pod is IdentifiedPod {
  if (pod === null || typeof pod !== 'object') throw new TypeError(`${operation}: pod must be an object, got ${String(pod)}`);
  const meta = (pod as V1Pod).metadata;
  if (meta === null || typeof meta !== 'object') throw new TypeError(`${operation}: pod has no metadata`);
  const { namespace, name, uid } = meta;
  if (typeof namespace !== 'string' || namespace === '') throw new TypeError(`${operation}: pod ${JSON.stringify(name ?? '')} has no metadata.namespace`);
  if (typeof name !== 'string' || name === '') throw new TypeError(`${operation}: pod in namespace "${namespace}" has no metadata.name`);
  if (uid !== undefined && uid !== null && typeof uid !== 'string') throw new TypeError(`${operation}: pod "${namespace}"/"${name}" has a non-string metadata.uid`);
}

/**
 * Pods as referrers, as the kubelet keys them: by namespace, name and UID
 * (a re-created pod is another registration), counted in the store by UID,
 * referencing the names `getReferencedObjects` returns in the pod's
 * namespace. Give it only pods that passed checkPod.
 */
export function podReferrerType(getReferencedObjects: (pod: V1Pod) => Set<string>): ReferrerType<V1Pod> {
  return {
    key: (pod) => `${(pod as IdentifiedPod).metadata.namespace}/${(pod as IdentifiedPod).metadata.name}/${uidOf(pod)}`,
    id: uidOf,
    references: (pod) => namesIn((pod as IdentifiedPod).metadata.namespace, getReferencedObjects(pod)),
  };
}

function uidOf(pod: V1Pod): string {
  return pod.metadata?.uid ?? '';
}

function* namesIn(namespace: string, names: Iterable<string>): Iterable<ObjectReference> {
  for (const name of names) yield { namespace, name };
}
