// What the per-object peers (client-node's informer and
// kubernetes-fluent-client's Watch, one per referenced secret) share: a
// watch started by the first pod that references a secret and stopped by the
// last, counted by pod.
import type { V1Pod } from '@kubernetes/client-node';
import { getSecretNames } from '../../src/index.ts';

/** One secret's watch, as a peer keeps it. */
export interface ObjectWatch {
  stop(): void;
}

export interface PerObjectWatches<W extends ObjectWatch> {
  /** The watch of `namespace/name`, while a registered pod references it. */
  get(namespace: string, name: string): W | undefined;
  /** Every watch held. */
  all(): W[];
  /** Starts a watch for each secret the pod references that none has yet (arrow-typed: may be passed on unbound). */
  readonly registerPod: (pod: V1Pod) => void;
  /** Stops the watch of each secret no other registered pod references. */
  readonly unregisterPod: (pod: V1Pod) => void;
  /** Stops every watch and forgets it. */
  stopAll(): void;
}

const podKey = (pod: V1Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}/${pod.metadata?.uid ?? ''}`;

export function perObjectWatches<W extends ObjectWatch>(start: (namespace: string, name: string) => W): PerObjectWatches<W> {
  const held = new Map<string, { watch: W; refs: Set<string> }>();
  const add = (namespace: string, name: string, referrer: string): void => {
    const key = `${namespace}/${name}`;
    let entry = held.get(key);
    if (entry === undefined) {
      entry = { watch: start(namespace, name), refs: new Set() };
      held.set(key, entry);
    }
    entry.refs.add(referrer);
  };
  const remove = (namespace: string, name: string, referrer: string): void => {
    const key = `${namespace}/${name}`;
    const entry = held.get(key);
    if (entry === undefined) return;
    entry.refs.delete(referrer);
    if (entry.refs.size > 0) return;
    held.delete(key);
    entry.watch.stop();
  };
  return {
    get: (namespace, name) => held.get(`${namespace}/${name}`)?.watch,
    all: () => [...held.values()].map((e) => e.watch),
    registerPod: (pod) => {
      for (const name of getSecretNames(pod)) add(pod.metadata?.namespace ?? '', name, podKey(pod));
    },
    unregisterPod: (pod) => {
      for (const name of getSecretNames(pod)) remove(pod.metadata?.namespace ?? '', name, podKey(pod));
    },
    stopAll: () => {
      const all = [...held.values()];
      held.clear();
      for (const e of all) e.watch.stop();
    },
  };
}
