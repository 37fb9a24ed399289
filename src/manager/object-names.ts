import type { KubernetesObject } from '@kubernetes/client-node';
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

/** Longest name any Kubernetes object can have (a DNS-1123 subdomain). */
const maxObjectNameLength = 253;

/**
 * Why no object can have this name, or undefined when one might: names of
 * every kind are at most 253 characters and valid path segments (not "." or
 * "..", no "/" or "%"), so such a name is never sent to the server, where its
 * path would reach another object. Other names the server may refuse for a
 * kind (upper case, "_") are sent as they are, escaped, and answer NotFound.
 */
export function unreachableName(name: string): string | undefined {
  if (name.length > maxObjectNameLength) return `name ${describe(name)} is longer than ${maxObjectNameLength} characters`;
  if (name === '.' || name === '..' || name.includes('/') || name.includes('%')) {
    return `name ${describe(name)} is not a valid path segment ("." and ".." and names with "/" or "%" cannot exist)`;
  }
  return undefined;
}

/**
 * The field selector that selects exactly the object `name`, with the value
 * escaped as the API server's field selector grammar requires (`\`, `,` and
 * `=`), so that no name can add a term or widen the selection.
 */
export function nameFieldSelector(name: string): string {
  return `metadata.name=${escapeFieldSelectorValue(name)}`;
}

/** A field selector value escaped so that it is one value: `\`, `,` and `=` get a backslash. */
export function escapeFieldSelectorValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Whether `object` is `namespace/name`: anything else the server sends for it is not the object. */
export function isObject(object: KubernetesObject, namespace: string, name: string): boolean {
  return object.metadata?.name === name && object.metadata.namespace === namespace;
}

/** Throws UnexpectedObjectError unless `object` is `namespace/name` (`what` names the request). */
export function checkIsObject(object: KubernetesObject, namespace: string, name: string, what: string): void {
  if (isObject(object, namespace, name)) return;
  const got = `${describe(object.metadata?.namespace)}/${describe(object.metadata?.name)}`;
  throw new UnexpectedObjectError(`${what} "${namespace}"/"${name}": the server answered with the object ${got}; it is ignored`);
}

const maxDescribed = 64;

/** A value for an error message: quoted, and truncated when long. */
export function describe(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  if (value.length <= maxDescribed) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, maxDescribed))}... (${value.length} characters)`;
}
