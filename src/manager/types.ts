import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';

/**
 * Registers the objects that pods reference and serves them. The
 * counterpart of the kubelet's `manager.Manager`.
 */
export interface Manager {
  /** The object `namespace/name`; rejects when no registered pod references it. */
  getObject(namespace: string, name: string): Promise<KubernetesObject>;
  /** Registers every object the pod references. Idempotent; re-registering an updated pod moves its references. */
  registerPod(pod: V1Pod): void;
  /** Drops the pod's references. Idempotent; unknown pods are ignored. */
  unregisterPod(pod: V1Pod): void;
  /** A snapshot of every object registered pods reference and its state (empty for strategies that hold nothing). */
  entries?(): StoreEntry[];
}

/** What a store holds for one referenced object; never the object's data. */
export interface StoreEntry {
  namespace: string;
  name: string;
  /** UIDs of the pods referencing it ("" for references without a referrer). */
  referrers: string[];
  /**
   * pending: not read yet (or first sync under way); synced: held and current;
   * missing: the server says it does not exist; immutable: held for good, no
   * watch; idle: watch stopped for idleness, restarted by the next get;
   * error: the last fetch or sync failed (see lastError).
   */
  state: 'pending' | 'synced' | 'missing' | 'immutable' | 'idle' | 'error';
  /** resourceVersion of the held object, when one is held. */
  resourceVersion?: string;
  /** Message of the last error, when the state is error; for missing, why no object can have the name, when none can. */
  lastError?: string;
  /**
   * How many list items, watch events or get answers for this object were
   * another object (another name or namespace) and were ignored: a sign of a
   * broken or hostile server or proxy. Absent when none were.
   */
  ignoredObjects?: number;
}

/**
 * A reference-counted object cache behind a Manager. References are counted
 * per referrer (`referencedFrom`, the UID of the referencing pod): an object
 * stays while any referrer holds a reference, and a delete from a referrer
 * that holds none is a no-op.
 */
export interface Store {
  addReference(namespace: string, name: string, referencedFrom?: string): void;
  deleteReference(namespace: string, name: string, referencedFrom?: string): void;
  get(namespace: string, name: string): Promise<KubernetesObject>;
  /** A snapshot of every referenced object and its state, for inspection. */
  entries?(): StoreEntry[];
}

/** The TTL in milliseconds, or undefined when none is set (the store's default applies). */
export type GetObjectTTLFunc = () => number | undefined | Promise<number | undefined>;
