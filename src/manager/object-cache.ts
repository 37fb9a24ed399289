import type { KubernetesObject } from '@kubernetes/client-node';
import { Reflector, type ReflectorError, type ReflectorStore } from '../cache/reflector.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { deepFreeze } from '../util/freeze.ts';
import { formatGroupResource, newNotFound, type GroupResource } from '../util/status-error.ts';
import { ReferenceCounts, anonymousReferrer, checkObjectName, objectKey } from './references.ts';
import type { ListObjectFunc, Store, StoreEntry, WatchObjectFunc } from './types.ts';

export interface ObjectCacheOptions {
  listObject: ListObjectFunc;
  watchObject: WatchObjectFunc;
  isImmutable: (object: KubernetesObject) => boolean;
  groupResource: GroupResource;
  /** @default realClock */
  clock?: Clock;
  /** Watches of objects not read for this long stop; raised to 60_000 when lower. */
  maxIdleTimeMs: number;
  /** How long get() waits for the first sync. @default 1_000 */
  syncTimeoutMs?: number;
  /** Aborting stops every watch and starts no new one. */
  signal?: AbortSignal;
  /** Hears every error a watch recovered from (it keeps retrying with backoff). */
  onError?: (error: ReflectorError, object: { namespace: string; name: string }) => void;
}

/** Watches are checked for idleness this often, as in the kubelet. */
export const idleCheckIntervalMs = 60_000;
const minMaxIdleTimeMs = 60_000;

/**
 * Creates the watch-based Store of the seed: the first reference to an object
 * starts a reflector that lists and watches that one object (field selector
 * `metadata.name=<name>` in its namespace); the last reference stops it.
 *
 * get() waits up to `syncTimeoutMs` for the first list (woken by the list, not
 * by polling), then answers from memory: the object, or a 404 StatusError. An
 * object found immutable stops its watch and is served from memory for good.
 * A watch whose object has not been read for `maxIdleTimeMs` stops (checked
 * every minute, never before its first sync); the next get() restarts it and
 * waits for a fresh sync. An object's idle time counts from its first
 * reference until it is read. Returned objects are frozen and shared.
 */
export function newObjectCache(options: ObjectCacheOptions): Store {
  const { listObject, watchObject, isImmutable, groupResource, maxIdleTimeMs } = options;
  if (typeof listObject !== 'function') throw new TypeError('newObjectCache: listObject must be a function');
  if (typeof watchObject !== 'function') throw new TypeError('newObjectCache: watchObject must be a function');
  if (typeof isImmutable !== 'function') throw new TypeError('newObjectCache: isImmutable must be a function');
  if (typeof groupResource?.resource !== 'string' || groupResource.resource === '') {
    throw new TypeError('newObjectCache: groupResource.resource must be a non-empty string');
  }
  if (!Number.isFinite(maxIdleTimeMs)) throw new TypeError(`newObjectCache: maxIdleTimeMs must be a finite number, got ${String(maxIdleTimeMs)}`);
  const syncTimeoutMs = options.syncTimeoutMs ?? 1_000;
  if (!Number.isFinite(syncTimeoutMs) || syncTimeoutMs < 0) {
    throw new TypeError(`newObjectCache: syncTimeoutMs must be a finite number >= 0, got ${String(syncTimeoutMs)}`);
  }
  return new ObjectCache({ ...options, maxIdleTimeMs: Math.max(maxIdleTimeMs, minMaxIdleTimeMs), syncTimeoutMs });
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/** One watched object: its reflector, what it holds, and who references it. */
class CacheItem implements ReflectorStore {
  readonly refs = new ReferenceCounts();
  readonly namespace: string;
  readonly name: string;
  readonly reflector: Reflector;
  object: KubernetesObject | undefined;
  /** Highest resourceVersion applied: nothing older is ever applied after it. */
  resourceVersion = -1n;
  synced = false;
  immutable = false;
  lastAccessMs: number;
  running: AbortController | undefined;
  /** Gets waiting for the first sync; made when the first one waits. */
  waiters: Set<Waiter> | undefined;

  constructor(cache: ObjectCache, namespace: string, name: string, nowMs: number) {
    this.namespace = namespace;
    this.name = name;
    this.lastAccessMs = nowMs;
    const o = cache.options;
    const fieldSelector = `metadata.name=${name}`;
    this.reflector = new Reflector({
      name: `${formatGroupResource(o.groupResource)} "${namespace}"/"${name}"`,
      list: (options, signal) => o.listObject(namespace, { ...options, fieldSelector }, signal),
      watch: (options, signal) => o.watchObject(namespace, { ...options, fieldSelector }, signal),
      store: this,
      clock: cache.clock,
      onError: (error) => o.onError?.(error, { namespace, name }),
    });
  }

  replace(objects: KubernetesObject[], resourceVersion: string): void {
    const listed = objects.find((o) => o?.metadata?.name === this.name);
    const listRv = parseRv(resourceVersion);
    if (listRv !== undefined && listRv >= this.resourceVersion) {
      this.object = listed === undefined ? undefined : deepFreeze(listed);
      this.resourceVersion = listRv;
    }
    this.synced = true;
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters !== undefined) for (const waiter of waiters) waiter.resolve();
  }

  add(object: KubernetesObject): void {
    this.#apply(object, object);
  }

  update(object: KubernetesObject): void {
    this.#apply(object, object);
  }

  delete(object: KubernetesObject): void {
    this.#apply(object, undefined);
  }

  #apply(event: KubernetesObject, next: KubernetesObject | undefined): void {
    if (event.metadata?.name !== this.name) return;
    const rv = parseRv(event.metadata.resourceVersion);
    if (rv !== undefined && rv < this.resourceVersion) return;
    if (rv !== undefined) this.resourceVersion = rv;
    this.object = next === undefined ? undefined : deepFreeze(next);
  }

  rejectWaiters(error: () => Error): void {
    const waiters = this.waiters;
    if (waiters === undefined) return;
    this.waiters = undefined;
    const err = error();
    for (const waiter of waiters) waiter.reject(err);
  }
}

function itemState(item: CacheItem): StoreEntry['state'] {
  if (item.immutable) return 'immutable';
  if (item.running === undefined && !item.synced) return 'idle';
  if (item.reflector.lastError !== undefined) return 'error';
  if (!item.synced) return 'pending';
  return item.object === undefined ? 'missing' : 'synced';
}

function parseRv(rv: string | undefined): bigint | undefined {
  return rv !== undefined && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}

class ObjectCache implements Store {
  readonly options: ObjectCacheOptions & { syncTimeoutMs: number };
  readonly clock: Clock;
  readonly #items = new Map<string, CacheItem>();
  #idleTimer: unknown;
  #stopped = false;

  constructor(options: ObjectCacheOptions & { syncTimeoutMs: number }) {
    this.options = options;
    this.clock = options.clock ?? realClock;
    const signal = options.signal;
    if (signal?.aborted === true) this.#stopped = true;
    signal?.addEventListener('abort', () => this.#stopAll(), { once: true });
  }

  addReference(namespace: string, name: string, referencedFrom: string = anonymousReferrer): void {
    checkObjectName(namespace, name);
    const key = objectKey(namespace, name);
    let item = this.#items.get(key);
    if (item === undefined) {
      item = new CacheItem(this, namespace, name, this.clock.now());
      this.#items.set(key, item);
      this.#start(item);
      this.#scheduleIdleCheck();
    }
    item.refs.add(referencedFrom);
  }

  deleteReference(namespace: string, name: string, referencedFrom: string = anonymousReferrer): void {
    const key = objectKey(namespace, name);
    const item = this.#items.get(key);
    if (item === undefined) return;
    item.refs.delete(referencedFrom);
    if (!item.refs.empty) return;
    this.#items.delete(key);
    this.#stop(item);
    item.rejectWaiters(() => notRegistered(namespace, name));
    if (this.#items.size === 0) this.#cancelIdleCheck();
  }

  entries(): StoreEntry[] {
    return [...this.#items.values()].map((item) => {
      const entry: StoreEntry = { namespace: item.namespace, name: item.name, referrers: item.refs.referrers(), state: itemState(item) };
      const rv = item.object?.metadata?.resourceVersion;
      if (rv !== undefined) entry.resourceVersion = rv;
      const error = item.reflector.lastError;
      if (entry.state === 'error' && error !== undefined) entry.lastError = error.message;
      return entry;
    });
  }

  async get(namespace: string, name: string): Promise<KubernetesObject> {
    checkObjectName(namespace, name);
    const item = this.#items.get(objectKey(namespace, name));
    if (item === undefined) throw notRegistered(namespace, name);
    item.lastAccessMs = this.clock.now();
    // Stopped for idleness: start again; the wait below is for a fresh sync.
    if (item.running === undefined && !item.immutable) this.#start(item);
    if (!item.synced) await this.#waitForSync(item);
    const object = item.object;
    if (object === undefined) throw newNotFound(this.options.groupResource, name);
    if (!item.immutable && this.options.isImmutable(object)) {
      item.immutable = true;
      this.#stop(item);
    }
    return object;
  }

  #start(item: CacheItem): void {
    if (this.#stopped || item.running !== undefined) return;
    const controller = new AbortController();
    item.running = controller;
    void item.reflector.run(controller.signal);
  }

  #stop(item: CacheItem): void {
    // One shared reason: abort() without one builds a DOMException (and a
    // stack trace when the stream is destroyed with it) per stopped watch.
    item.running?.abort(watchStopped);
    item.running = undefined;
  }

  #waitForSync(item: CacheItem): Promise<void> {
    const { groupResource, syncTimeoutMs } = this.options;
    if (this.#stopped) return Promise.reject(new Error(`${formatGroupResource(groupResource)} cache is stopped`));
    return new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        item.waiters?.delete(waiter);
        const last = item.reflector.lastError;
        const detail = last === undefined ? '' : ` (last error: ${last.message})`;
        reject(
          new Error(
            `failed to sync ${formatGroupResource(groupResource)} cache for "${item.namespace}"/"${item.name}": timed out after ${syncTimeoutMs} ms${detail}`,
            { cause: last },
          ),
        );
      }, syncTimeoutMs);
      const waiter: Waiter = {
        resolve: () => {
          this.clock.clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          this.clock.clearTimeout(timer);
          reject(error);
        },
      };
      (item.waiters ??= new Set()).add(waiter);
    });
  }

  #scheduleIdleCheck(): void {
    if (this.#idleTimer !== undefined || this.#stopped) return;
    this.#idleTimer = this.clock.setTimeout(() => {
      this.#idleTimer = undefined;
      this.#stopIdle();
      if (this.#items.size > 0) this.#scheduleIdleCheck();
    }, idleCheckIntervalMs);
  }

  #cancelIdleCheck(): void {
    if (this.#idleTimer === undefined) return;
    this.clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #stopIdle(): void {
    const now = this.clock.now();
    for (const item of this.#items.values()) {
      // Never stop a watch before its first sync: the list would be wasted.
      if (item.running !== undefined && item.synced && now - item.lastAccessMs > this.options.maxIdleTimeMs) {
        this.#stop(item);
        // What it holds may go stale while stopped: the next get waits for a fresh list.
        item.synced = false;
      }
    }
  }

  #stopAll(): void {
    this.#stopped = true;
    this.#cancelIdleCheck();
    const stopped = new Error(`${formatGroupResource(this.options.groupResource)} cache is stopped`);
    for (const item of this.#items.values()) {
      this.#stop(item);
      item.rejectWaiters(() => stopped);
    }
  }
}

/** Why a watch was stopped (no longer referenced, immutable, idle or shut down). */
const watchStopped = new Error('watch stopped by the object cache');

function notRegistered(namespace: string, name: string): Error {
  return new Error(`object "${namespace}"/"${name}" not registered`);
}
