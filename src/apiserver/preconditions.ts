import type { StatusError } from '../api/status-error.ts';
import { qualifiedResource } from './resources.ts';
import type { KObject, ResourceInfo } from './resources.ts';
import { conflict, statusError } from './status.ts';

/**
 * The etcd key kube-apiserver stores an object under (named in its
 * precondition errors); a dry run's storage names it without `/registry`.
 */
function storageKey(info: ResourceInfo, obj: KObject, dryRun: boolean): string {
  const resource = qualifiedResource(info);
  // A custom resource's key starts with its group: /registry/example.com/widgets/...
  const prefix = info.custom === true ? `${info.group}/${info.name}` : resource === 'nodes' ? 'minions' : resource === 'services' ? 'services/specs' : info.name;
  const namespace = obj.metadata.namespace;
  return `${dryRun ? '' : '/registry'}/${prefix}/${info.namespaced && namespace !== undefined ? `${namespace}/` : ''}${obj.metadata.name ?? ''}`;
}

/**
 * kube's 409 for an update whose metadata.uid is not the stored object's: its
 * storage layer checks the uid as a precondition and says so in its own words.
 */
export function uidPreconditionFailed(info: ResourceInfo, old: KObject, uid: string, dryRun: boolean): StatusError {
  const why = `StorageError: invalid object, Code: 4, Key: ${storageKey(info, old, dryRun)}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid ?? ''}`;
  return conflict(info.name, old.metadata.name ?? '', why);
}

/**
 * kube's 409 for a DeleteOptions precondition the stored object fails (uid
 * checked first), or undefined when it meets them. kube names the kind
 * (`ConfigMap "c"`) there, except for a namespace, whose own delete says
 * "Precondition failed: …" on the resource.
 */
export function deletePreconditionFailed(info: ResourceInfo, old: KObject, pre: { uid?: string; resourceVersion?: string } | undefined): StatusError | undefined {
  const name = old.metadata.name ?? '';
  const uid = old.metadata.uid ?? '';
  const rv = old.metadata.resourceVersion ?? '';
  if (qualifiedResource(info) === 'namespaces') {
    if (pre?.uid !== undefined && pre.uid !== uid) return conflict(info.name, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uid}`);
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== rv) {
      return conflict(info.name, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${rv}`);
    }
    return undefined;
  }
  let why: string | undefined;
  if (pre?.uid !== undefined && pre.uid !== uid) {
    why = `the UID in the precondition (${pre.uid}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`;
  } else if (pre?.resourceVersion !== undefined && pre.resourceVersion !== rv) {
    why = `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${rv}). The object might have been modified`;
  }
  if (why === undefined) return undefined;
  const what = info.group === '' ? info.kind : `${info.kind}.${info.group}`;
  return statusError(409, 'Conflict', `Operation cannot be fulfilled on ${what} "${name}": ${why}`, { name, ...(info.group === '' ? {} : { group: info.group }), kind: info.kind });
}
