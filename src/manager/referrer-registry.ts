import { describeValue } from '../util/object-names.ts';
import { checkObjectName, objectKey } from './object-names.ts';
import type { Store } from './types.ts';

/** An object a referrer references: a namespaced object of the store's resource. */
export interface ObjectReference {
  namespace: string;
  name: string;
}

/**
 * What the registry needs to know of a type of referrer (a Pod, an Ingress,
 * a custom resource, ...).
 */
export interface ReferrerType<R> {
  /**
   * The referrer's identity. Registering a referrer whose key is registered
   * already replaces that registration (its references move); unregistering
   * drops the registration of the key. For Kubernetes objects, the UID (or
   * namespace, name and UID, as the kubelet keys pods).
   */
  key(referrer: R): string;
  /** The objects the referrer references; repeats count once. Read at registration only. */
  references(referrer: R): Iterable<ObjectReference>;
  /**
   * Whom the store counts the references for, and entries() lists as the
   * referrer (pods: their UID). Two registrations with the same id share the
   * store's count, one reference each. @default key
   */
  id?(referrer: R): string;
}

interface Registration {
  /** The store's referrer (`referencedFrom`) of every reference below. */
  readonly from: string;
  /** The referenced objects by objectKey. */
  readonly refs: ReadonlyMap<string, ObjectReference>;
}

/**
 * The referrers registered with a Store and the references each holds: the
 * bookkeeping of the seed's cache-based manager, for any type of referrer.
 *
 * register() adds a reference (from the referrer's id) for every object it
 * references, then, for a key registered before, drops one reference for
 * every object of the previous registration: objects only the old one
 * referenced go away, objects both reference stay at one reference per
 * referrer, and every object is added again, which invalidates TTL-cached
 * copies. With `refreshOnReRegister` false, objects both reference are left
 * untouched instead. Everything that can throw (a bad key or reference)
 * throws before the first change; a stopped store throws on its first
 * addReference, before any change too.
 */
export class ReferrerRegistry<R> {
  readonly #store: Store;
  readonly #type: ReferrerType<R>;
  readonly #refreshOnReRegister: boolean;
  /** Prefixes errors about a referrer's key or references; none for pods, whose errors the caller words. */
  readonly #describe: ((key: string) => string) | undefined;
  readonly #registrations = new Map<string, Registration>();

  constructor(store: Store, type: ReferrerType<R>, refreshOnReRegister: boolean, describe?: (key: string) => string) {
    this.#store = store;
    this.#type = type;
    this.#refreshOnReRegister = refreshOnReRegister;
    this.#describe = describe;
  }

  register(referrer: R): void {
    const key = this.#key(referrer, 'register');
    const from = this.#type.id === undefined ? key : checkString(this.#type.id(referrer), 'id(referrer)', 'register');
    const refs = this.#references(referrer, key);
    const prev = this.#registrations.get(key);
    if (prev !== undefined && !this.#refreshOnReRegister && prev.from === from) {
      // Only what changed: objects both registrations reference keep their one reference.
      for (const [k, ref] of refs) if (!prev.refs.has(k)) this.#store.addReference(ref.namespace, ref.name, from);
      this.#registrations.set(key, { from, refs });
      for (const [k, ref] of prev.refs) if (!refs.has(k)) this.#store.deleteReference(ref.namespace, ref.name, prev.from);
      return;
    }
    for (const ref of refs.values()) this.#store.addReference(ref.namespace, ref.name, from);
    this.#registrations.set(key, { from, refs });
    if (prev !== undefined) this.#release(prev);
  }

  unregister(referrer: R): void {
    const key = this.#key(referrer, 'unregister');
    const prev = this.#registrations.get(key);
    if (prev === undefined) return;
    this.#registrations.delete(key);
    this.#release(prev);
  }

  #release(registration: Registration): void {
    for (const ref of registration.refs.values()) this.#store.deleteReference(ref.namespace, ref.name, registration.from);
  }

  #key(referrer: R, operation: string): string {
    return checkString(this.#type.key(referrer), 'key(referrer)', operation);
  }

  #references(referrer: R, key: string): Map<string, ObjectReference> {
    const refs = new Map<string, ObjectReference>();
    try {
      const listed: unknown = this.#type.references(referrer);
      if (listed === null || typeof listed !== 'object' || !(Symbol.iterator in listed)) {
        throw new TypeError(`references(referrer) must return an iterable of { namespace, name }, got ${describeValue(listed)}`);
      }
      for (const ref of listed as Iterable<unknown>) {
        if (ref === null || typeof ref !== 'object') throw new TypeError(`a reference must be an object { namespace, name }, got ${describeValue(ref)}`);
        const { namespace, name } = ref as Partial<ObjectReference>;
        checkObjectName(namespace, name);
        refs.set(objectKey(namespace as string, name), { namespace: namespace as string, name });
      }
    } catch (error) {
      if (this.#describe === undefined || !(error instanceof TypeError)) throw error;
      throw new TypeError(`${this.#describe(key)}: ${error.message}`, { cause: error });
    }
    return refs;
  }
}

function checkString(value: unknown, what: string, operation: string): string {
  if (typeof value !== 'string') throw new TypeError(`${operation}: ${what} must return a string, got ${describeValue(value)}`);
  return value;
}
