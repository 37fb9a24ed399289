import type { KubernetesObject } from '@kubernetes/client-node';
import type { Clock } from '../util/clock.ts';
import { deepFreeze } from '../util/freeze.ts';
import { isNotFound } from '../util/status-error.ts';
import { ReferenceCounts, anonymousReferrer, checkObjectName, objectKey } from './references.ts';
import type { GetObjectFunc, GetObjectTTLFunc, Store, StoreEntry } from './types.ts';

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
 */
export function newObjectStore(getObject: GetObjectFunc, clock: Clock, getTTL: GetObjectTTLFunc, ttlMs: number): Store {
  if (typeof getObject !== 'function') throw new TypeError('newObjectStore: getObject must be a function');
  if (typeof getTTL !== 'function') throw new TypeError('newObjectStore: getTTL must be a function');
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new TypeError(`newObjectStore: ttlMs must be a finite number >= 0, got ${String(ttlMs)}`);
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
      item = { refs: new ReferenceCounts(), data: emptyData() };
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
      const entry: StoreEntry = {
        namespace: key.slice(0, slash),
        name: key.slice(slash + 1),
        referrers: item.refs.referrers(),
        // Only objects and NotFound are ever held: other failures are not cached.
        state: last === undefined ? 'pending' : last.object !== undefined ? 'synced' : 'missing',
      };
      const rv = last?.object?.metadata?.resourceVersion;
      if (rv !== undefined) entry.resourceVersion = rv;
      return entry;
    });
  }

  async get(namespace: string, name: string): Promise<KubernetesObject> {
    checkObjectName(namespace, name);
    const item = this.#items.get(objectKey(namespace, name));
    if (item === undefined) throw new Error(`object "${namespace}"/"${name}" not registered`);
    const data = item.data;
    if (data.inFlight !== undefined) return data.inFlight;
    const last = data.last;
    // A failed last fetch (NotFound included) is always retried, as the kubelet does.
    if (last !== undefined && last.error === undefined && (await this.#isFresh(last))) return answer(last);
    // The freshness check may have awaited: another get may have started the fetch.
    if (data.inFlight !== undefined) return data.inFlight;
    const fetch = this.#fetch(namespace, name, data);
    data.inFlight = fetch;
    try {
      return await fetch;
    } finally {
      data.inFlight = undefined;
    }
  }

  async #fetch(namespace: string, name: string, data: ObjectData): Promise<KubernetesObject> {
    const held = data.last?.object;
    const options = held !== undefined ? { resourceVersion: '0' } : {};
    let object: KubernetesObject;
    try {
      object = await this.#getObject(namespace, name, options);
    } catch (err) {
      if (isNotFound(err)) {
        data.last = { object: undefined, error: err, fetchedAt: this.#clock.now() };
        throw err;
      }
      // Keep serving what we had; with nothing held, the error is the answer
      // and is not cached (the next get tries again).
      if (data.last !== undefined) return answer(data.last);
      throw err;
    }
    if (object === null || typeof object !== 'object') {
      throw new TypeError(`getObject for "${namespace}"/"${name}" returned ${String(object)}, not an object`);
    }
    if (held !== undefined && data.last !== undefined && isOlder(object, held)) {
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

/** Whether `a` has a smaller resourceVersion than `b`; unparsable versions are never older. */
function isOlder(a: KubernetesObject, b: KubernetesObject): boolean {
  const av = parseResourceVersion(a.metadata?.resourceVersion);
  const bv = parseResourceVersion(b.metadata?.resourceVersion);
  return av !== undefined && bv !== undefined && av < bv;
}

function parseResourceVersion(rv: string | undefined): bigint | undefined {
  if (rv === undefined || !/^\d+$/.test(rv)) return undefined;
  return BigInt(rv);
}
