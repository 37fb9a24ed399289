import { randomUUID, randomInt } from 'node:crypto';
import type { Clock } from '../util/clock.ts';
import { admit } from './admission.ts';
import { changesBeyondMetadata } from './extra-resources.ts';
import { objectKey, qualifiedResource, resources } from './resources.ts';
import type { KObject, ResourceInfo } from './resources.ts';
import { trackUpdate } from './managed-fields.ts';
import type { Writer } from './managed-fields.ts';
import type { Storage } from './storage.ts';
import { alreadyExists, badRequest, conflict, invalid, notFound, STALE_OBJECT, statusError, successStatus } from './status.ts';
import type { FieldError } from './status.ts';
import { applyDefaults, checkBody, deepEqual, validateObject, validateUpdate } from './validation.ts';
import { deletePreconditionFailed, uidPreconditionFailed } from './preconditions.ts';
import { DryRunStorage } from './dry-run.ts';

/** DeleteOptions fields the server reads (delete-options.ts decodes and checks them). */
export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
}

/** What a delete answered: the object or a Success Status, and whether it is gone. */
export interface DeleteResult {
  body: unknown;
  gone: boolean;
}

const namespacesInfo = resources.get('namespaces') as ResourceInfo;
const nameChars = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The write rules of kube-apiserver's registry for core/v1 objects: server-set
 * fields, defaults, validation, optimistic concurrency, namespace lifecycle,
 * finalizers and the immutable Secret/ConfigMap rule. Reads go to Storage.
 */
export class Registry {
  readonly storage: Storage;
  #clock: Clock;
  /** The server's extra resources: a deleted namespace is emptied of theirs too. */
  #extras: readonly ResourceInfo[];

  constructor(storage: Storage, clock: Clock, extras: readonly ResourceInfo[] = []) {
    this.storage = storage;
    this.#clock = clock;
    this.#extras = extras;
  }

  /** A registry with the same rules over another storage (a dry run's overlay). */
  withStorage(storage: Storage): Registry {
    return new Registry(storage, this.#clock, this.#extras);
  }

  #timestamp(): string {
    return new Date(this.#clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  #stamp(obj: KObject): KObject {
    obj.metadata.resourceVersion = String(this.storage.nextResourceVersion());
    return obj;
  }

  /** The object or a 404 naming the resource. */
  get(info: ResourceInfo, namespace: string | undefined, name: string): KObject {
    const obj = this.storage.get(qualifiedResource(info), objectKey(namespace, name));
    if (obj === undefined) throw notFound(info.name, name);
    return obj;
  }

  #checkNamespaceWritable(namespace: string): void {
    const ns = this.storage.get('namespaces', namespace);
    if (ns === undefined) throw notFound('namespaces', namespace);
    if (ns.metadata.deletionTimestamp !== undefined) {
      throw statusError(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: namespace,
        kind: 'namespaces',
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  /** POST: stores a new object and answers it (201). */
  create(info: ResourceInfo, namespace: string | undefined, body: unknown, writer?: Writer): KObject {
    const obj = structuredClone(checkBody(info, body));
    const meta = obj.metadata;
    if (info.namespaced) {
      const ns = namespace ?? '';
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ns;
      this.#checkNamespaceWritable(ns);
    } else delete meta.namespace;
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
      throw statusError(500, 'InternalError', 'Internal error occurred: resourceVersion should not be set on objects to be created', {
        causes: [{ message: 'resourceVersion should not be set on objects to be created' }],
      });
    }
    if ((meta.name === undefined || meta.name === '') && meta.generateName !== undefined && meta.generateName !== '') {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += nameChars[randomInt(nameChars.length)];
      meta.name = meta.generateName + suffix;
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = this.#timestamp() as unknown as Date;
    delete meta.deletionTimestamp;
    if (info.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    applyDefaults(info, obj);
    validateObject(info, obj);
    admit(info, obj, undefined, this.storage);
    if (this.storage.get(qualifiedResource(info), objectKey(meta.namespace, meta.name ?? '')) !== undefined) throw alreadyExists(info.name, meta.name ?? '');
    this.#track(info, undefined, obj, writer);
    this.storage.commit(qualifiedResource(info), 'ADDED', this.#stamp(obj), undefined);
    return obj;
  }

  /**
   * PUT (whole object, or `status` only for the status subresource). A set
   * resourceVersion that differs from the stored one is a 409 Conflict; a
   * change-free update answers the stored object with no new RV and no event.
   */
  update(info: ResourceInfo, namespace: string | undefined, name: string, body: unknown, subresource?: string, writer?: Writer): KObject {
    return this.#update(info, namespace, name, body, subresource, writer, 'update');
  }

  /**
   * An update or a patch: a PUT's metadata.uid is a precondition (409 when it
   * differs from the stored one); a patch that changes it is a 422 on the
   * immutable field, as kube-apiserver answers.
   */
  #update(info: ResourceInfo, namespace: string | undefined, name: string, body: unknown, subresource: string | undefined, writer: Writer | undefined, how: 'update' | 'patch'): KObject {
    const old = this.get(info, namespace, name);
    const input = checkBody(info, body);
    if (input.metadata.name !== undefined && input.metadata.name !== name) {
      throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (info.namespaced && input.metadata.namespace !== undefined && input.metadata.namespace !== '' && input.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const uid = input.metadata.uid;
    const uidChanged = uid !== undefined && uid !== null && uid !== '' && uid !== old.metadata.uid;
    if (uidChanged && how === 'update') throw uidPreconditionFailed(info, old, String(uid), this.storage instanceof DryRunStorage);
    const metaUpdate: FieldError[] = uidChanged ? [{ field: 'metadata.uid', type: 'Invalid', value: uid, detail: 'field is immutable' }] : [];
    const rv = input.metadata.resourceVersion;
    // A custom resource allows no unconditional update (kube's CRD strategy).
    if (info.custom === true && how === 'update' && (rv === undefined || rv === '')) {
      throw invalid(info.name, name, [{ field: 'metadata.resourceVersion', type: 'Invalid', value: 0, detail: 'must be specified for an update' }], info.group);
    }
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) throw conflict(info.name, name, STALE_OBJECT);
    let obj: KObject;
    if (subresource === 'status') {
      obj = { ...structuredClone(old), status: structuredClone(input['status']) };
      // A server-side apply to /status brings the managedFields it computed.
      if (writer?.operation === 'Apply') obj.metadata.managedFields = structuredClone(input.metadata.managedFields);
    }
    else {
      obj = structuredClone(input);
      const meta = obj.metadata;
      meta.name = name;
      if (info.namespaced) meta.namespace = namespace;
      else delete meta.namespace;
      meta.uid = old.metadata.uid;
      meta.creationTimestamp = old.metadata.creationTimestamp;
      if (old.metadata.deletionTimestamp !== undefined) meta.deletionTimestamp = old.metadata.deletionTimestamp;
      else delete meta.deletionTimestamp;
      if (subresource === 'finalize') obj = { ...structuredClone(old), spec: structuredClone(input['spec']) };
      // The main resource does not write status; a custom resource without a status subresource does, like any field.
      else if (info.custom !== true) {
        if (old['status'] !== undefined) obj['status'] = structuredClone(old['status']);
        else delete obj['status'];
      }
    }
    obj.metadata.generation = old.metadata.generation;
    if (obj.metadata.generation === undefined) delete obj.metadata.generation;
    applyDefaults(info, obj);
    validateUpdate(info, old, obj, metaUpdate);
    admit(info, obj, old, this.storage);
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    this.#track(info, old, obj, writer);
    if (deepEqual(obj, old)) return old;
    // kube bumps a custom resource's generation for any change outside metadata, a built-in's for a spec change.
    const specChanged = info.custom === true ? changesBeyondMetadata(old, obj, deepEqual) : !deepEqual(obj['spec'], old['spec']);
    if (info.tracksGeneration && specChanged) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
    this.storage.commit(qualifiedResource(info), 'MODIFIED', this.#stamp(obj), old);
    if (obj.metadata.deletionTimestamp !== undefined && (obj.metadata.finalizers ?? []).length === 0) {
      this.#remove(info, obj);
    }
    return obj;
  }

  /** PATCH: applies `apply` to the stored object, then updates like PUT. */
  patch(info: ResourceInfo, namespace: string | undefined, name: string, apply: (current: KObject) => unknown, subresource?: string, writer?: Writer): KObject {
    const old = this.get(info, namespace, name);
    const patched = apply(structuredClone(old));
    return this.#update(info, namespace, name, patched, subresource, writer, 'patch');
  }

  /** Records managed fields for an Update by `writer` (an Apply brings its own; internal writes keep what is there). */
  #track(info: ResourceInfo, old: KObject | undefined, obj: KObject, writer: Writer | undefined): void {
    if (writer !== undefined && writer.operation === 'Update') trackUpdate(info, old, obj, writer, this.#timestamp());
  }

  #remove(info: ResourceInfo, obj: KObject): KObject {
    const last = structuredClone(obj);
    this.storage.commit(qualifiedResource(info), 'DELETED', this.#stamp(last), obj);
    return last;
  }

  /**
   * DELETE of one object. Objects with finalizers only get a
   * deletionTimestamp (MODIFIED) until the last finalizer is removed; a
   * namespace is marked Terminating, emptied, then removed.
   */
  delete(info: ResourceInfo, namespace: string | undefined, name: string, options: DeleteOptions = {}): DeleteResult {
    const old = this.get(info, namespace, name);
    const failed = deletePreconditionFailed(info, old, options.preconditions);
    if (failed !== undefined) throw failed;
    if (info === namespacesInfo) return { body: this.#deleteNamespace(old), gone: true };
    if ((old.metadata.finalizers ?? []).length > 0) {
      if (old.metadata.deletionTimestamp !== undefined) return { body: old, gone: false };
      const marked = structuredClone(old);
      marked.metadata.deletionTimestamp = this.#timestamp() as unknown as Date;
      marked.metadata.deletionGracePeriodSeconds = 0;
      this.storage.commit(qualifiedResource(info), 'MODIFIED', this.#stamp(marked), old);
      return { body: marked, gone: false };
    }
    const last = this.#remove(info, old);
    return {
      body: info.returnsDeletedObject ? last : successStatus({ name, kind: info.name, uid: old.metadata.uid }),
      gone: true,
    };
  }

  #deleteNamespace(ns: KObject): KObject {
    const name = ns.metadata.name ?? '';
    let terminating = ns;
    if (ns.metadata.deletionTimestamp === undefined) {
      terminating = structuredClone(ns);
      terminating.metadata.deletionTimestamp = this.#timestamp() as unknown as Date;
      terminating['status'] = { phase: 'Terminating' };
      this.storage.commit('namespaces', 'MODIFIED', this.#stamp(terminating), ns);
    }
    for (const info of [...resources.values(), ...this.#extras]) {
      if (!info.namespaced) continue;
      for (const obj of this.storage.list(qualifiedResource(info), name)) this.#remove(info, obj);
    }
    this.#remove(namespacesInfo, terminating);
    return terminating;
  }

  /** DELETE on a collection: deletes every object `select` accepts; answers the list of them. */
  deleteCollection(info: ResourceInfo, namespace: string | undefined, select: (obj: KObject) => boolean): KObject[] {
    const deleted: KObject[] = [];
    for (const obj of this.storage.list(qualifiedResource(info), namespace)) {
      if (!select(obj)) continue;
      const result = this.delete(info, obj.metadata.namespace, obj.metadata.name ?? '');
      deleted.push(result.gone ? obj : (result.body as KObject));
    }
    return deleted;
  }

  /** Creates the namespaces every cluster has: default, kube-system, kube-public, kube-node-lease. */
  bootstrap(): void {
    for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
      if (this.storage.get('namespaces', name) === undefined) this.create(namespacesInfo, undefined, { metadata: { name } }, { manager: 'kube-apiserver', operation: 'Update', subresource: undefined });
    }
  }
}
