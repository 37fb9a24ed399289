import type { KubernetesObject } from '@kubernetes/client-node';
import { describeValue as describe, escapeFieldSelectorValue } from '../util/object-names.ts';
import { UnexpectedObjectError } from './errors.ts';

/** The key of an object in a namespace. */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks the arguments that address a namespaced object, naming the bad one:
 * the namespace must be a DNS-1123 label (kube-apiserver accepts no other
 * namespace, so anything else is a caller's mistake) and the name a non-empty
 * string. Any non-empty name is accepted: kube-apiserver accepts pods that
 * reference names no object can have (`Registry_Creds`), and such a name
 * answers NotFound rather than refusing the pod (see `unreachableName`).
 */
export function checkObjectName(namespace: unknown, name: unknown): asserts name is string {
  if (typeof namespace !== 'string' || namespace === '') {
    throw new TypeError(`namespace must be a non-empty string, got ${describe(namespace)}`);
  }
  if (namespace.length > 63 || !dnsLabel.test(namespace)) {
    throw new TypeError(`namespace ${describe(namespace)} is not a valid DNS label (at most 63 lowercase alphanumerics or '-', starting and ending alphanumeric)`);
  }
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`name must be a non-empty string, got ${describe(name)}`);
  }
}

/**
 * The field selector that selects exactly the object `name`, with the value
 * escaped as the API server's field selector grammar requires (`\`, `,` and
 * `=`), so that no name can add a term or widen the selection.
 */
export function nameFieldSelector(name: string): string {
  return `metadata.name=${escapeFieldSelectorValue(name)}`;
}

/** The group an apiVersion names: '' for the core group's `v1`, `apps` for `apps/v1`. */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/**
 * Whether `object` is the object `name` in `namespace`, of `group` when
 * given: anything else the server sends for it is not the object. Namespace
 * "" is a cluster-scoped object's (which has no metadata.namespace). An
 * object whose apiVersion names another group is not it; objects without an
 * apiVersion (list items of kube's built-in kinds carry none) are taken.
 */
export function isObject(object: KubernetesObject, namespace: string, name: string, group?: string): boolean {
  if (object.metadata?.name !== name || (object.metadata.namespace ?? '') !== namespace) return false;
  return group === undefined || typeof object.apiVersion !== 'string' || groupOf(object.apiVersion) === group;
}

/** Throws UnexpectedObjectError unless `object` is `namespace/name` of `group` (see isObject; `what` names the request). */
export function checkIsObject(object: KubernetesObject, namespace: string, name: string, what: string, group?: string): void {
  if (isObject(object, namespace, name, group)) return;
  const version = typeof object.apiVersion === 'string' ? ` of apiVersion ${describe(object.apiVersion)}` : '';
  const got = `${describe(object.metadata?.namespace)}/${describe(object.metadata?.name)}${version}`;
  throw new UnexpectedObjectError(`${what} "${namespace}"/"${name}": the server answered with the object ${got}; it is ignored`);
}
