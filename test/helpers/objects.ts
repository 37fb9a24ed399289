import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { newWatchBasedManager, type Client, type Manager } from '../../src/index.ts';
import type { FakeClock, FakeObjectSource } from '../../src/testing.ts';

export function secret(namespace: string, name: string, data: Record<string, string> = {}, extra: Record<string, unknown> = {}): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { namespace, name }, data, ...extra } as KubernetesObject;
}

/** A pod whose referenced names are its volume names (getReferencedObjects below reads them). */
export function pod(namespace: string, name: string, uid: string, refs: string[]): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, uid },
    spec: { containers: [], volumes: refs.map((ref) => ({ name: ref, secret: { secretName: ref } })) },
  };
}

export function referencedNames(p: V1Pod): Set<string> {
  return new Set((p.spec?.volumes ?? []).flatMap((v) => (v.secret?.secretName === undefined ? [] : [v.secret.secretName])));
}

export const isImmutable = (o: KubernetesObject): boolean => (o as { immutable?: boolean }).immutable === true;

/**
 * The watching manager over a fake source, keyed by the volume names of
 * pod() (referencedNames), on the given clock; aborting `signal` stops it.
 */
export function watchingManagerOver(source: FakeObjectSource, clock: FakeClock, signal: AbortSignal, resyncIntervalMs = 60_000): Manager {
  return newWatchBasedManager({
    listObject: source.listObject,
    watchObject: source.watchObject,
    isImmutable,
    groupResource: source.groupResource,
    resyncIntervalMs,
    getReferencedObjects: referencedNames,
    clock,
    signal,
  });
}

/** A Client whose every resource is `source`, for the typed managers. */
export function clientOver(source: Pick<FakeObjectSource, 'groupResource' | 'getObject' | 'listObject' | 'watchObject'>): Client {
  const resource = { groupResource: source.groupResource, getObject: source.getObject, listObject: source.listObject, watchObject: source.watchObject };
  return { resource: () => resource, close: () => Promise.resolve() } as unknown as Client;
}
