import type { Clock } from '../util/clock.ts';
import { objectKey } from './resources.ts';
import type { KObject } from './resources.ts';
import { tooOldResourceVersion } from './status.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, as kept in the bounded history. */
export interface StoredEvent {
  readonly rv: number;
  readonly type: EventType;
  readonly resource: string;
  readonly key: string;
  /** New state; for DELETED the last state stamped with the delete's RV. Never mutated. */
  readonly object: KObject;
  /** The state before the change (undefined for ADDED). */
  readonly prev: KObject | undefined;
}

/**
 * Objects of every resource, one global resourceVersion counter (like an etcd
 * revision) and a bounded history of changes for watch resumption and
 * consistent paginated lists. Stored objects are never mutated: every change
 * stores a new object, so readers may share them.
 */
export class Storage {
  #rv = 0;
  #objects = new Map<string, Map<string, KObject>>();
  #history: StoredEvent[] = [];
  #historyStart = 0;
  #maxHistory: number;
  /** Newest RV whose event was dropped; a resume from an RV below it is too old. */
  #compactedRv = 0;
  #listeners = new Set<(ev: StoredEvent) => void>();
  #waiters = new Set<{ rv: number; resolve: (reached: boolean) => void }>();

  constructor(options: { maxHistory: number }) {
    this.#maxHistory = options.maxHistory;
  }

  /** The current global resourceVersion. */
  get resourceVersion(): number {
    return this.#rv;
  }

  /** The oldest RV a watch may resume from or a list may read at. */
  get compactedResourceVersion(): number {
    return this.#compactedRv;
  }

  #table(resource: string): Map<string, KObject> {
    let t = this.#objects.get(resource);
    if (t === undefined) {
      t = new Map();
      this.#objects.set(resource, t);
    }
    return t;
  }

  get(resource: string, key: string): KObject | undefined {
    return this.#objects.get(resource)?.get(key);
  }

  /** Current objects of a resource (in one namespace when given), sorted by key. */
  list(resource: string, namespace?: string): KObject[] {
    const table = this.#objects.get(resource);
    if (table === undefined) return [];
    const out: KObject[] = [];
    for (const o of table.values()) if (namespace === undefined || o.metadata.namespace === namespace) out.push(o);
    return out.sort(byKey);
  }

  /**
   * The objects of a resource as they were at `rv`, sorted by key; rebuilt by
   * undoing history. Throws 410 Expired when `rv` is older than the history.
   */
  listAt(resource: string, rv: number, namespace?: string): KObject[] {
    if (rv >= this.#rv) return this.list(resource, namespace);
    if (rv < this.#compactedRv) throw tooOldResourceVersion(rv, this.#compactedRv);
    const state = new Map(this.#objects.get(resource));
    for (let i = this.#history.length - 1; i >= this.#historyStart; i--) {
      const ev = this.#history[i];
      if (ev === undefined || ev.rv <= rv) break;
      if (ev.resource !== resource) continue;
      if (ev.type === 'ADDED') state.delete(ev.key);
      else if (ev.prev !== undefined) state.set(ev.key, ev.prev);
    }
    const out: KObject[] = [];
    for (const o of state.values()) if (namespace === undefined || o.metadata.namespace === namespace) out.push(o);
    return out.sort(byKey);
  }

  /** Events of a resource with RV > `rv`, oldest first; throws 410 when some were compacted away. */
  eventsSince(resource: string, rv: number): StoredEvent[] {
    if (rv < this.#compactedRv) throw tooOldResourceVersion(rv, this.#compactedRv);
    const out: StoredEvent[] = [];
    for (let i = this.#history.length - 1; i >= this.#historyStart; i--) {
      const ev = this.#history[i];
      if (ev === undefined || ev.rv <= rv) break;
      if (ev.resource === resource) out.push(ev);
    }
    return out.reverse();
  }

  /** The next resourceVersion; call once per change, then commit the object stamped with it. */
  nextResourceVersion(): number {
    return this.#rv + 1;
  }

  /**
   * Records a change stamped with `nextResourceVersion()`: stores or removes
   * the object, appends to history and tells every listener synchronously.
   */
  commit(resource: string, type: EventType, object: KObject, prev: KObject | undefined): StoredEvent {
    const rv = Number(object.metadata.resourceVersion);
    if (rv !== this.#rv + 1) throw new Error(`storage: commit out of order (rv ${rv}, current ${this.#rv})`);
    this.#rv = rv;
    const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
    const table = this.#table(resource);
    if (type === 'DELETED') table.delete(key);
    else table.set(key, object);
    const ev: StoredEvent = { rv, type, resource, key, object, prev };
    this.#history.push(ev);
    if (this.#history.length - this.#historyStart > this.#maxHistory) {
      this.#compactedRv = this.#history[this.#historyStart]?.rv ?? this.#compactedRv;
      this.#history[this.#historyStart] = undefined as unknown as StoredEvent;
      this.#historyStart++;
      if (this.#historyStart > this.#maxHistory) {
        this.#history = this.#history.slice(this.#historyStart);
        this.#historyStart = 0;
      }
    }
    for (const l of this.#listeners) l(ev);
    for (const w of this.#waiters) {
      if (w.rv <= rv) {
        this.#waiters.delete(w);
        w.resolve(true);
      }
    }
    return ev;
  }

  /** Drops the whole history: resuming from any RV before now answers 410. */
  compact(): void {
    this.#history = [];
    this.#historyStart = 0;
    this.#compactedRv = this.#rv;
  }

  /** Calls `fn` for every committed change until the returned function is called. */
  subscribe(fn: (ev: StoredEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Resolves true once the RV reaches `rv`, or false after `timeoutMs`. */
  waitFor(rv: number, clock: Clock, timeoutMs: number): Promise<boolean> {
    if (this.#rv >= rv) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        rv,
        resolve: (reached: boolean) => {
          clock.clearTimeout(timer);
          resolve(reached);
        },
      };
      const timer = clock.setTimeout(() => {
        this.#waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Resolves every pending waiter with false (server shutdown). */
  cancelWaiters(): void {
    for (const w of this.#waiters) w.resolve(false);
    this.#waiters.clear();
  }
}

function byKey(a: KObject, b: KObject): number {
  const ka = objectKey(a.metadata.namespace, a.metadata.name ?? '');
  const kb = objectKey(b.metadata.namespace, b.metadata.name ?? '');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
