import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { ReflectorStore } from '../reflector/reflector.ts';
import { isImmutable, type ConfigMapManager, type SecretManager } from '../kubelet/managers.ts';
import { getConfigMapNames, getSecretNames } from '../kubelet/pod-references.ts';
import type { StoreEntry } from '../manager/types.ts';
import { isNotFound } from '../api/status-error.ts';

export type ObjectKind = 'Secret' | 'ConfigMap';
export type ObjectState = StoreEntry['state'];

/** One referenced object as /objects shows it: never its data. */
export interface ObjectView {
  kind: ObjectKind;
  namespace: string;
  name: string;
  state: ObjectState;
  /** The referencing pods, as namespace/name. */
  referrers: string[];
  resourceVersion?: string;
  lastError?: string;
  /** Answers for this object that were another object, ignored (a broken or hostile server or proxy). */
  ignoredObjects?: number;
}

/** What the agent reports as it goes (stderr lines). */
export interface AgentEvents {
  podAdded?(pod: V1Pod, secrets: number, configMaps: number): void;
  podRemoved?(pod: V1Pod, why: string): void;
  /** The managers refused the pod (no namespace or name, or they are stopped); it is not stored, so a later event retries. */
  podRejected?(pod: V1Pod, error: unknown): void;
  read?(kind: ObjectKind, result: 'ok' | 'missing' | 'error'): void;
}

interface ReadResult {
  state: ObjectState;
  resourceVersion?: string;
  lastError?: string;
}

const terminalPhases = new Set(['Succeeded', 'Failed']);

function keyOf(kind: ObjectKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function podName(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/**
 * The agent's view of its node: a ReflectorStore for the node's pods that
 * registers each running pod with both managers (and unregisters pods that
 * were deleted or reached Succeeded/Failed), reads every object a pod
 * references once when the pod arrives (as the kubelet does when it starts
 * the pod) and again on resync(), and answers what /objects, /readyz and
 * /metrics show.
 *
 * Ready: the first pod list has been applied and every object the registered
 * pods reference has been read once (found, missing or failed all count).
 * Once ready, it stays ready: a pod arriving later does not make it unready.
 */
export class AgentState implements ReflectorStore {
  readonly #secrets: SecretManager;
  readonly #configMaps: ConfigMapManager;
  readonly #events: AgentEvents;
  readonly #pods = new Map<string, V1Pod>();
  readonly #reads = new Map<string, ReadResult>();
  readonly #inFlight = new Map<string, Promise<void>>();
  #listed = false;
  #ready = false;
  #firstList: () => void = () => undefined;
  /** Resolves when the first pod list has been applied. */
  readonly listed: Promise<void>;

  constructor(secrets: SecretManager, configMaps: ConfigMapManager, events: AgentEvents = {}) {
    this.#secrets = secrets;
    this.#configMaps = configMaps;
    this.#events = events;
    this.listed = new Promise((resolve) => (this.#firstList = resolve));
  }

  replace(objects: KubernetesObject[]): void {
    const seen = new Set<string>();
    for (const object of objects) {
      const uid = (object as V1Pod).metadata?.uid;
      if (uid !== undefined) seen.add(uid);
      this.#upsert(object);
    }
    for (const [uid, pod] of this.#pods) {
      if (!seen.has(uid)) this.#remove(pod, 'gone');
    }
    if (!this.#listed) {
      this.#listed = true;
      this.#firstList();
    }
  }

  add(object: KubernetesObject): void {
    this.#upsert(object);
  }

  update(object: KubernetesObject): void {
    this.#upsert(object);
  }

  delete(object: KubernetesObject): void {
    this.#remove(object, 'deleted');
  }

  /** Reads every referenced object again (what a periodic pod sync does); resolves when all reads settled. */
  async resync(): Promise<void> {
    await Promise.all([...this.#referenced().values()].map((ref) => this.#read(ref.kind, ref.namespace, ref.name)));
  }

  /** Registered pods. */
  get podCount(): number {
    return this.#pods.size;
  }

  /** Whether the agent is ready, and why not. */
  readiness(): { ready: boolean; reason: string } {
    if (this.#ready) return { ready: true, reason: 'ok' };
    if (!this.#listed) return { ready: false, reason: 'waiting for the first list of the node\'s pods' };
    const refs = [...this.#referenced().keys()];
    const unread = refs.filter((key) => !this.#reads.has(key)).length;
    if (unread > 0) return { ready: false, reason: `${unread} of ${refs.length} referenced objects not read yet` };
    this.#ready = true;
    return { ready: true, reason: 'ok' };
  }

  /** Every object the registered pods reference, sorted by kind, namespace and name. */
  objects(): ObjectView[] {
    const held = new Map<string, StoreEntry>();
    for (const entry of this.#secrets.entries()) held.set(keyOf('Secret', entry.namespace, entry.name), entry);
    for (const entry of this.#configMaps.entries()) held.set(keyOf('ConfigMap', entry.namespace, entry.name), entry);
    const views: ObjectView[] = [];
    for (const [key, ref] of this.#referenced()) {
      // The manager's own entry is the truth about its cache; the simple
      // strategy holds nothing, so the agent's last read stands in for it.
      const source: ReadResult = held.get(key) ?? this.#reads.get(key) ?? { state: 'pending' };
      const view: ObjectView = { kind: ref.kind, namespace: ref.namespace, name: ref.name, state: source.state, referrers: ref.referrers.sort() };
      if (source.resourceVersion !== undefined) view.resourceVersion = source.resourceVersion;
      if (source.lastError !== undefined) view.lastError = source.lastError;
      const ignored = held.get(key)?.ignoredObjects;
      if (ignored !== undefined) view.ignoredObjects = ignored;
      views.push(view);
    }
    return views.sort((a, b) => a.kind.localeCompare(b.kind) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }

  #referenced(): Map<string, { kind: ObjectKind; namespace: string; name: string; referrers: string[] }> {
    const refs = new Map<string, { kind: ObjectKind; namespace: string; name: string; referrers: string[] }>();
    const note = (kind: ObjectKind, pod: V1Pod, name: string): void => {
      const namespace = pod.metadata?.namespace ?? '';
      const key = keyOf(kind, namespace, name);
      const ref = refs.get(key) ?? { kind, namespace, name, referrers: [] };
      ref.referrers.push(podName(pod));
      refs.set(key, ref);
    };
    for (const pod of this.#pods.values()) {
      for (const name of getSecretNames(pod)) note('Secret', pod, name);
      for (const name of getConfigMapNames(pod)) note('ConfigMap', pod, name);
    }
    return refs;
  }

  #upsert(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (uid === undefined) return;
    const phase = pod.status?.phase ?? '';
    if (terminalPhases.has(phase)) {
      this.#remove(pod, phase);
      return;
    }
    const known = this.#pods.get(uid);
    if (known !== undefined && known.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
    // Registered before it is stored: a pod the managers refuse is not
    // known, so its next event tries again (a throw here would make the pod
    // reflector relist).
    try {
      this.#secrets.registerPod(pod);
      try {
        this.#configMaps.registerPod(pod);
      } catch (err) {
        if (known === undefined) this.#secrets.unregisterPod(pod);
        else this.#secrets.registerPod(known);
        throw err;
      }
    } catch (err) {
      this.#events.podRejected?.(pod, err);
      return;
    }
    this.#pods.set(uid, pod);
    const secrets = getSecretNames(pod);
    const configMaps = getConfigMapNames(pod);
    if (known === undefined) this.#events.podAdded?.(pod, secrets.size, configMaps.size);
    const namespace = pod.metadata?.namespace ?? '';
    // Reads run in the background; their results land in #reads. The
    // kubelet reads a pod's objects when it starts the pod: so does the agent.
    for (const name of secrets) void this.#read('Secret', namespace, name);
    for (const name of configMaps) void this.#read('ConfigMap', namespace, name);
  }

  #remove(pod: V1Pod, why: string): void {
    const uid = pod.metadata?.uid;
    if (uid === undefined || !this.#pods.has(uid)) return;
    const known = this.#pods.get(uid) ?? pod;
    this.#pods.delete(uid);
    this.#secrets.unregisterPod(known);
    this.#configMaps.unregisterPod(known);
    this.#events.podRemoved?.(known, why);
    const referenced = this.#referenced();
    for (const key of this.#reads.keys()) if (!referenced.has(key)) this.#reads.delete(key);
  }

  /** Reads one object through its manager and records the outcome; never rejects. Concurrent reads of one object share one. */
  #read(kind: ObjectKind, namespace: string, name: string): Promise<void> {
    const key = keyOf(kind, namespace, name);
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running;
    const get = (): Promise<KubernetesObject> =>
      kind === 'Secret' ? this.#secrets.getSecret(namespace, name) : this.#configMaps.getConfigMap(namespace, name);
    const done = get().then(
      (object) => {
        const result: ReadResult = { state: isImmutable(object) ? 'immutable' : 'synced' };
        const rv = object.metadata?.resourceVersion;
        if (rv !== undefined) result.resourceVersion = rv;
        this.#reads.set(key, result);
        this.#events.read?.(kind, 'ok');
      },
      (err: unknown) => {
        if (isNotFound(err)) {
          this.#reads.set(key, { state: 'missing' });
          this.#events.read?.(kind, 'missing');
        } else {
          this.#reads.set(key, { state: 'error', lastError: err instanceof Error ? err.message : String(err) });
          this.#events.read?.(kind, 'error');
        }
      },
    ).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, done);
    return done;
  }
}
