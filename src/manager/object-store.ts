import type { KubernetesObject } from '@kubernetes/client-node';
import type { Clock } from '../util/clock.ts';
import { checkDurationMs } from '../util/duration.ts';
import { deepFreeze } from '../util/freeze.ts';
import { isNotFound, isSourceClosed, StatusError } from '../api/status-error.ts';
import { NotRegisteredError } from './errors.ts';
import { describeValue as describe, unreachableName } from '../util/object-names.ts';
import { checkIsObject, checkObjectName, objectKey } from './object-names.ts';
import { ReferenceCounts, anonymousReferrer } from './references.ts';
import { isOlderResourceVersion } from './resource-version.ts';
import type { GetObjectFunc } from '../api/types.ts';
import type { GetObjectTTLFunc, Store, StoreEntry } from './types.ts';

/** What the last fetch of an object gave: the object, or NotFound. */
interface Fetched {
  object: KubernetesObject | undefined;
  error: unknown;
  fetchedAt: number;
}

/** One generation of data: replaced (not mutated) when invalidated. */
interface ObjectData {
  last: Fetched | undefined;
  inFlight: Promise<KubernetesObject> | undefined;
}

interface Item {
  readonly refs: ReferenceCounts;
  data: ObjectData;
  /** Answers that were another object than the one asked for, ignored. */
  ignoredObjects: number;
}

/**
 * Creates the TTL-based Store of the seed. get() of a registered object
 * fetches it when nothing is held, when the last fetch failed, or when the
 * held copy is older than the TTL (`getTTL()` when it gives one, else
 * `ttlMs`); otherwise it answers from memory.
 *
 * - A refresh of an object already held asks with resourceVersion "0", which
 *   the API server answers from its watch cache.
 * - A fetch failing with anything but NotFound keeps serving the held object;
 *   NotFound is cached like an object; an answer older (smaller
 *   resourceVersion) than the held object does not replace it.
 * - Concurrent gets of one object share one fetch.
 * - addReference invalidates the held copy: the next get fetches.
 * - An answer that is another object (name or namespace) is ignored like a
 *   failed fetch; after the source is closed (ClientClosedError) nothing held
 *   is served.
 * - A name no object can have as a path segment (".", "..", "/" or "%" in
 *   it, or longer than 253 characters: `unreachableName`) is never fetched:
 *   its get answers NotFound and its entry is `missing` with the reason.
 */
export function newObjectStore(getObject: GetObjectFunc, clock: Clock, getTTL: GetObjectTTLFunc, ttlMs: number): Store {
  if (typeof getObject !== 'function') throw new TypeError('newObjectStore: getObject must be a function');
  if (typeof getTTL !== 'function') throw new TypeError('newObjectStore: getTTL must be a function');
  checkDurationMs('newObjectStore: ttlMs', ttlMs);
  return new ObjectStore(getObject, clock, getTTL, ttlMs);
}

class ObjectStore implements Store {
  readonly #getObject: GetObjectFunc;
  readonly #clock: Clock;
  readonly #getTTL: GetObjectTTLFunc;
  readonly #defaultTTLMs: number;
  readonly #items = new Map<string, Item>();

  constructor(getObject: GetObjectFunc, clock: Clock, getTTL: GetObjectTTLFunc, ttlMs: number) {
    this.#getObject = getObject;
    this.#clock = clock;
    this.#getTTL = getTTL;
    this.#defaultTTLMs = ttlMs;
  }

  addReference(namespace: string, name: string, referencedFrom: string = anonymousReferrer): void {
    checkObjectName(namespace, name);
    const key = objectKey(namespace, name);
    let item = this.#items.get(key);
    if (item === undefined) {
      item = { refs: new ReferenceCounts(), data: emptyData(), ignoredObjects: 0 };
      this.#items.set(key, item);
    }
    item.refs.add(referencedFrom);
    // A (re-)registered pod must see fresh data: the next get fetches.
    item.data = emptyData();
  }

  deleteReference(namespace: string, name: string, referencedFrom: string = anonymousReferrer): void {
    const key = objectKey(namespace, name);
    const item = this.#items.get(key);
    if (item === undefined) return;
    item.refs.delete(referencedFrom);
    if (item.refs.empty) this.#items.delete(key);
  }

  entries(): StoreEntry[] {
    return [...this.#items].map(([key, item]) => {
      const slash = key.indexOf('/');
      const last = item.data.last;
      const name = key.slice(slash + 1);
      const unreachable = unreachableName(name);
      const entry: StoreEntry = {
        namespace: key.slice(0, slash),
        name,
        referrers: item.refs.referrers(),
        // Only objects and NotFound are ever held: other failures are not cached.
        state: unreachable !== undefined || (last !== undefined && last.object === undefined) ? 'missing' : last === undefined ? 'pending' : 'synced',
      };
      if (unreachable !== undefined) entry.lastError = unreachable;
      const rv = last?.object?.metadata?.resourceVersion;
      if (rv !== undefined) entry.resourceVersion = rv;
      if (item.ignoredObjects > 0) entry.ignoredObjects = item.ignoredObjects;
      return entry;
    });
  }

  async get(namespace: string, name: string): Promise<KubernetesObject> {
    checkObjectName(namespace, name);
    const item = this.#items.get(objectKey(namespace, name));
    if (item === undefined) throw new NotRegisteredError(namespace, name);
    // Its path would reach another object (`secrets/..` is the namespace): never asked for.
    const unreachable = unreachableName(name);
    if (unreachable !== undefined) throw StatusError.of(404, 'NotFound', `object "${namespace}"/${describe(name)} not found: ${unreachable}`, { name });
    const data = item.data;
    if (data.inFlight !== undefined) return data.inFlight;
    const last = data.last;
    // A failed last fetch (NotFound included) is always retried, as the kubelet does.
    if (last !== undefined && last.error === undefined && (await this.#isFresh(last))) return answer(last);
    // The freshness check may have awaited: another get may have started the fetch.
    if (data.inFlight !== undefined) return data.inFlight;
    const fetch = this.#fetch(namespace, name, item, data);
    data.inFlight = fetch;
    try {
      return await fetch;
    } finally {
      data.inFlight = undefined;
    }
  }

  async #fetch(namespace: string, name: string, item: Item, data: ObjectData): Promise<KubernetesObject> {
    const held = data.last?.object;
    const options = held !== undefined ? { resourceVersion: '0' } : {};
    let object: KubernetesObject;
    try {
      object = await this.#getObject(namespace, name, options);
      if (object === null || typeof object !== 'object') {
        throw new TypeError(`getObject for "${namespace}"/"${name}" returned ${String(object)}, not an object`);
      }
      try {
        checkIsObject(object, namespace, name, 'get');
      } catch (err) {
        item.ignoredObjects++;
        throw err;
      }
    } catch (err) {
      if (isNotFound(err)) {
        data.last = { object: undefined, error: err, fetchedAt: this.#clock.now() };
        throw err;
      }
      // Keep serving what we had, unless the source is gone for good; with
      // nothing held, the error is the answer and is not cached (the next get
      // tries again).
      if (data.last !== undefined && !isSourceClosed(err)) return answer(data.last);
      throw err;
    }
    if (held !== undefined && data.last !== undefined && isOlderResourceVersion(object.metadata?.resourceVersion, held.metadata?.resourceVersion)) {
      // A lagging cache answered: keep the newer copy (and refetch next time).
      return answer(data.last);
    }
    const frozen = deepFreeze(object);
    data.last = { object: frozen, error: undefined, fetchedAt: this.#clock.now() };
    return frozen;
  }

  async #isFresh(fetched: Fetched): Promise<boolean> {
    let ttl: number | undefined;
    try {
      ttl = await this.#getTTL();
    } catch {
      ttl = undefined;
    }
    const ttlMs = ttl !== undefined && Number.isFinite(ttl) ? ttl : this.#defaultTTLMs;
    return this.#clock.now() < fetched.fetchedAt + ttlMs;
  }
}

function emptyData(): ObjectData {
  return { last: undefined, inFlight: undefined };
}

function answer(fetched: Fetched): KubernetesObject {
  if (fetched.object !== undefined) return fetched.object;
  throw fetched.error;
}
