import type { KubernetesObject } from '@kubernetes/client-node';
import { Reflector, type ReflectorError, type ReflectorOptions, type ReflectorStore } from '../reflector/reflector.ts';
import type { WatchListSupport } from '../api/watch-list-support.ts';
import { realClock, type Clock, type ClockOptions } from '../util/clock.ts';
import { checkDurationMs } from '../util/duration.ts';
import { deepFreeze } from '../util/freeze.ts';
import { unreachableName } from '../util/object-names.ts';
import { formatGroupResource, newNotFound, type GroupResource } from '../api/status-error.ts';
import { CacheStoppedError, NotRegisteredError, SyncTimeoutError } from './errors.ts';
import { checkObjectName, isObject, nameFieldSelector, objectKey } from './object-names.ts';
import { ReferenceCounts, anonymousReferrer } from './references.ts';
import { isOlderResourceVersion } from './resource-version.ts';
import type { ListObjectFunc, ListOptions, WatchObjectFunc } from '../api/types.ts';
import type { Store, StoreEntry } from './types.ts';

/** The resource an object cache watches, one object at a time. */
export interface WatchedResource {
  listObject: ListObjectFunc;
  watchObject: WatchObjectFunc;
  /** Whether an object can no longer change (Secrets and ConfigMaps: `immutable: true`): its watch stops and it is served from memory for good. */
  isImmutable: (object: KubernetesObject) => boolean;
  /** Names the resource in errors and 404s: `{ group: '', resource: 'secrets' }`. */
  groupResource: GroupResource;
}

/** How per-object watches are stopped, reported and waited for. */
export interface ObjectWatchOptions {
  /** Aborting stops every watch and starts no new one; gets of mutable objects then reject with CacheStoppedError. */
  signal?: AbortSignal;
  /** Hears every error a watch recovered from (it keeps retrying with backoff), with the object watched. */
  onError?: (error: ReflectorError, object: { namespace: string; name: string }) => void;
  /** How long a get waits for an object's first sync before it rejects with SyncTimeoutError. @default 1_000 (the kubelet's) */
  syncTimeoutMs?: number;
}

export interface ObjectCacheOptions extends WatchedResource, ClockOptions, ObjectWatchOptions {
  /** Watches of objects not read for this long stop; raised to 60_000 when lower, at most 2^31-1. */
  maxIdleTimeMs: number;
}

/** Watches are checked for idleness this often, as in the kubelet. */
export const idleCheckIntervalMs = 60_000;
const minMaxIdleTimeMs = 60_000;
/**
 * Per-object watches ask for a server timeout in [30, 60) minutes, as the
 * kubelet does since v1.31: each re-watch costs the server, and a watch on
 * one object is cheap to keep.
 */
export const objectWatchMinTimeoutMs = 30 * 60_000;

/**
 * Creates the watch-based Store of the seed: the first reference to an object
 * starts a reflector that lists and watches that one object (field selector
 * `metadata.name=<name>` in its namespace); the last reference stops it.
 * When `watchObject` carries a WatchListSupport (our client's do), the list
 * and the watch are one WatchList request while the server serves it.
 *
 * get() waits up to `syncTimeoutMs` for the first list (woken by the list, not
 * by polling), then answers from memory: the object, or a 404 StatusError. An
 * object found immutable stops its watch and is served from memory for good.
 * A watch whose object has not been read for `maxIdleTimeMs` stops (checked
 * every minute, never before its first sync); the next get() restarts it and
 * waits for a fresh sync. An object's idle time counts from its first
 * reference until it is read. Returned objects are frozen and shared.
 *
 * List items and events for any other object than the watched one (another
 * name or namespace) are ignored and counted (`entries()`). ResourceVersions
 * are opaque: compared as integers only when both are, else the newest
 * arrival wins. Once stopped (the signal aborted, or the source closed for
 * good), addReference throws CacheStoppedError and get() serves only objects
 * found immutable; everything else rejects with that error.
 */
export function newObjectCache(options: ObjectCacheOptions): Store {
  const { listObject, watchObject, isImmutable, groupResource, maxIdleTimeMs } = options;
  if (typeof listObject !== 'function') throw new TypeError('newObjectCache: listObject must be a function');
  if (typeof watchObject !== 'function') throw new TypeError('newObjectCache: watchObject must be a function');
  if (typeof isImmutable !== 'function') throw new TypeError('newObjectCache: isImmutable must be a function');
  if (typeof groupResource?.resource !== 'string' || groupResource.resource === '') {
    throw new TypeError('newObjectCache: groupResource.resource must be a non-empty string');
  }
  checkDurationMs('newObjectCache: maxIdleTimeMs', maxIdleTimeMs, { min: -Infinity });
  const syncTimeoutMs = checkDurationMs('newObjectCache: syncTimeoutMs', options.syncTimeoutMs ?? 1_000);
  return new ObjectCache({ ...options, maxIdleTimeMs: Math.max(maxIdleTimeMs, minMaxIdleTimeMs), syncTimeoutMs });
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * One watched object: its reflector, what it holds, and who references it.
 * It is also its reflector's options (list, watch and onError are its
 * methods, the name a getter): ten thousand watches then carry no options
 * object, no closures and no name string each (the name is built only for
 * an error message).
 */
class CacheItem implements ReflectorStore, ReflectorOptions {
  readonly refs = new ReferenceCounts();
  readonly cache: ObjectCache;
  readonly namespace: string;
  /** The object's name (`name` is the reflector's, as ReflectorOptions has it). */
  readonly objectName: string;
  readonly reflector: Reflector;
  object: KubernetesObject | undefined;
  /** resourceVersion of the last list or event applied: nothing known to be older is applied after it. */
  resourceVersion: string | undefined;
  /** List items and watch events the server sent for this watch that were another object, ignored. */
  ignoredObjects = 0;
  /** Why no object can have this name (it is never requested), when none can. */
  readonly unreachable: string | undefined;
  synced = false;
  immutable = false;
  lastAccessMs: number;
  running: AbortController | undefined;
  /** Gets waiting for the first sync; made when the first one waits. */
  waiters: Set<Waiter> | undefined;

  constructor(cache: ObjectCache, namespace: string, name: string, nowMs: number) {
    this.cache = cache;
    this.namespace = namespace;
    this.objectName = name;
    this.lastAccessMs = nowMs;
    this.unreachable = unreachableName(name);
    // Never requested: it holds NotFound from the start.
    if (this.unreachable !== undefined) this.synced = true;
    this.reflector = new Reflector(this);
  }

  // ReflectorOptions, read by the reflector as properties of this item.

  /** The reflector's name, for error messages: `secrets "ns"/"name"`. */
  get name(): string {
    return `${formatGroupResource(this.cache.options.groupResource)} "${this.namespace}"/"${this.objectName}"`;
  }

  get store(): ReflectorStore {
    return this;
  }

  get clock(): Clock {
    return this.cache.clock;
  }

  get minWatchTimeoutMs(): number {
    return objectWatchMinTimeoutMs;
  }

  get watchList(): WatchListSupport | undefined {
    return this.cache.options.watchObject.watchList;
  }

  list(options: ListOptions, signal: AbortSignal): ReturnType<ListObjectFunc> {
    return this.cache.options.listObject(this.namespace, { ...options, fieldSelector: nameFieldSelector(this.objectName) }, signal);
  }

  watch(options: ListOptions, signal: AbortSignal): ReturnType<WatchObjectFunc> {
    return this.cache.options.watchObject(this.namespace, { ...options, fieldSelector: nameFieldSelector(this.objectName) }, signal);
  }

  onError(error: ReflectorError): void {
    this.cache.options.onError?.(error, { namespace: this.namespace, name: this.objectName });
  }

  replace(objects: KubernetesObject[], resourceVersion: string): void {
    let listed: KubernetesObject | undefined;
    for (const o of objects) {
      if (o !== null && typeof o === 'object' && listed === undefined && isObject(o, this.namespace, this.objectName, this.cache.options.groupResource.group)) listed = o;
      else this.ignoredObjects++;
    }
    if (!isOlderResourceVersion(resourceVersion, this.resourceVersion)) {
      this.object = listed === undefined ? undefined : deepFreeze(listed);
      this.resourceVersion = resourceVersion;
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
    if (!isObject(event, this.namespace, this.objectName, this.cache.options.groupResource.group)) {
      this.ignoredObjects++;
      return;
    }
    const rv = event.metadata?.resourceVersion;
    if (isOlderResourceVersion(rv, this.resourceVersion)) return;
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
  if (item.unreachable !== undefined) return 'missing';
  if (item.immutable) return 'immutable';
  if (item.running === undefined && !item.synced) return 'idle';
  if (item.reflector.lastError !== undefined) return 'error';
  if (!item.synced) return 'pending';
  return item.object === undefined ? 'missing' : 'synced';
}

class ObjectCache implements Store {
  readonly options: ObjectCacheOptions & { syncTimeoutMs: number };
  readonly clock: Clock;
  readonly #items = new Map<string, CacheItem>();
  #idleTimer: unknown;
  /** Set once the cache stops: the error every later start or wait gets. */
  #stopped: CacheStoppedError | undefined;

  constructor(options: ObjectCacheOptions & { syncTimeoutMs: number }) {
    this.options = options;
    this.clock = options.clock ?? realClock;
    const signal = options.signal;
    if (signal?.aborted === true) this.#stopped = this.#stoppedError(undefined);
    else signal?.addEventListener('abort', () => this.#stopAll(undefined), { once: true });
  }

  addReference(namespace: string, name: string, referencedFrom: string = anonymousReferrer): void {
    checkObjectName(namespace, name);
    // A stopped cache takes no reference: what it refers to could not be kept fresh.
    if (this.#stopped !== undefined) throw this.#stopped;
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
    item.rejectWaiters(() => new NotRegisteredError(namespace, name));
    if (this.#items.size === 0) this.#cancelIdleCheck();
  }

  entries(): StoreEntry[] {
    return [...this.#items.values()].map((item) => {
      const entry: StoreEntry = { namespace: item.namespace, name: item.objectName, referrers: item.refs.referrers(), state: itemState(item) };
      const rv = item.object?.metadata?.resourceVersion;
      if (rv !== undefined) entry.resourceVersion = rv;
      const error = item.reflector.lastError;
      if (item.unreachable !== undefined) entry.lastError = item.unreachable;
      else if (entry.state === 'error' && error !== undefined) entry.lastError = error.message;
      if (item.ignoredObjects > 0) entry.ignoredObjects = item.ignoredObjects;
      return entry;
    });
  }

  async get(namespace: string, name: string): Promise<KubernetesObject> {
    checkObjectName(namespace, name);
    const item = this.#items.get(objectKey(namespace, name));
    if (item === undefined) throw new NotRegisteredError(namespace, name);
    item.lastAccessMs = this.clock.now();
    if (!item.immutable) {
      // Nothing that may have changed is served once the watches are gone.
      if (this.#stopped !== undefined) throw this.#stopped;
      // Stopped for idleness: start again; the wait below is for a fresh sync.
      if (item.running === undefined) this.#start(item);
    }
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
    if (this.#stopped !== undefined || item.running !== undefined || item.unreachable !== undefined) return;
    const controller = new AbortController();
    item.running = controller;
    void item.reflector.run(controller.signal).then(() => {
      // The reflector only ends by itself when its source is closed for good
      // (the client was closed): no watch of this cache can run again.
      if (!controller.signal.aborted) this.#stopAll(item.reflector.lastError);
    });
  }

  #stop(item: CacheItem): void {
    // One shared reason: abort() without one builds a DOMException (and a
    // stack trace when the stream is destroyed with it) per stopped watch.
    item.running?.abort(watchStopped);
    item.running = undefined;
  }

  #waitForSync(item: CacheItem): Promise<void> {
    const { groupResource, syncTimeoutMs } = this.options;
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    return new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        item.waiters?.delete(waiter);
        const last = item.reflector.lastError;
        const detail = last === undefined ? '' : ` (last error: ${last.message})`;
        reject(
          new SyncTimeoutError(
            `failed to sync ${formatGroupResource(groupResource)} cache for "${item.namespace}"/"${item.objectName}": timed out after ${syncTimeoutMs} ms${detail}`,
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
    if (this.#idleTimer !== undefined || this.#stopped !== undefined) return;
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

  #stoppedError(cause: Error | undefined): CacheStoppedError {
    const gr = formatGroupResource(this.options.groupResource);
    if (cause === undefined) return new CacheStoppedError(`${gr} cache is stopped`);
    return new CacheStoppedError(`${gr} cache is stopped: its source is closed (${cause.message})`, { cause });
  }

  /** Stops every watch for good; only immutable objects are served after this. */
  #stopAll(cause: Error | undefined): void {
    if (this.#stopped !== undefined) return;
    const stopped = this.#stoppedError(cause);
    this.#stopped = stopped;
    this.#cancelIdleCheck();
    for (const item of this.#items.values()) {
      this.#stop(item);
      item.rejectWaiters(() => stopped);
    }
  }
}

/** Why a watch was stopped (no longer referenced, immutable, idle or shut down). */
const watchStopped = new Error('watch stopped by the object cache');
