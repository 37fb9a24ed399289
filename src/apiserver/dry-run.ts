import { objectKey } from './resources.ts';
import type { KObject } from './resources.ts';
import { invalid } from './status.ts';
import type { FieldError } from './status.ts';
import { Storage } from './storage.ts';
import type { EventType, StoredEvent } from './storage.ts';

/** The options kind kube names in its errors for each write verb. */
export function optionsKind(verb: string): string {
  switch (verb) {
    case 'create':
      return 'CreateOptions';
    case 'update':
      return 'UpdateOptions';
    case 'patch':
      return 'PatchOptions';
    default:
      return 'DeleteOptions';
  }
}

/** kube's 422 for bad request options: `CreateOptions.meta.k8s.io "" is invalid: ...`. */
export function optionsInvalid(verb: string, errors: FieldError[]): Error {
  const err = invalid(optionsKind(verb), '', errors, 'meta.k8s.io');
  // kube leaves the empty name out of the details.
  if (err.status.details !== undefined) delete err.status.details.name;
  return err;
}

/**
 * The `dryRun` values of a write (query parameters, and for deletes the
 * DeleteOptions body too), checked as kube-apiserver checks them: every value
 * must be `All` (an empty value included), else 422 naming the options kind.
 * Answers whether the write is a dry run.
 */
export function checkDryRun(verb: string, values: readonly string[]): boolean {
  if (values.length === 0) return false;
  if (values.some((v) => v !== 'All')) {
    throw optionsInvalid(verb, [{ field: 'dryRun', type: 'NotSupported', value: values, detail: 'supported values: "All"' }]);
  }
  return true;
}

/**
 * A storage view for one dry-run request: reads see the real storage with
 * this request's own changes on top, and commits go only to that overlay, so
 * nothing is stored, no resourceVersion is used and no watcher hears of it.
 * Objects keep the resourceVersion they had (none for a new one), as
 * kube-apiserver answers a dry run.
 */
export class DryRunStorage extends Storage {
  #base: Storage;
  /** resource -> key -> the object as this request left it, or null when it deleted it. */
  #overlay = new Map<string, Map<string, KObject | null>>();

  constructor(base: Storage) {
    super({ maxHistory: 0 });
    this.#base = base;
  }

  override get resourceVersion(): number {
    return this.#base.resourceVersion;
  }

  override get(resource: string, key: string): KObject | undefined {
    const mine = this.#overlay.get(resource)?.get(key);
    if (mine === null) return undefined;
    return mine ?? this.#base.get(resource, key);
  }

  override list(resource: string, namespace?: string): KObject[] {
    const mine = this.#overlay.get(resource);
    const base = this.#base.list(resource, namespace);
    if (mine === undefined) return base;
    const out = new Map(base.map((o) => [objectKey(o.metadata.namespace, o.metadata.name ?? ''), o]));
    for (const [key, obj] of mine) {
      if (obj === null) out.delete(key);
      else if (namespace === undefined || obj.metadata.namespace === namespace) out.set(key, obj);
    }
    return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
  }

  override nextResourceVersion(): number {
    return this.#base.resourceVersion + 1;
  }

  override commit(resource: string, type: EventType, object: KObject, prev: KObject | undefined): StoredEvent {
    const rv = prev?.metadata.resourceVersion;
    if (rv === undefined) delete object.metadata.resourceVersion;
    else object.metadata.resourceVersion = rv;
    const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
    let table = this.#overlay.get(resource);
    if (table === undefined) {
      table = new Map();
      this.#overlay.set(resource, table);
    }
    table.set(key, type === 'DELETED' ? null : object);
    return { rv: this.#base.resourceVersion, type, resource, key, object, prev };
  }
}
