import type { V1Status } from '@kubernetes/client-node';
import { StatusError } from '../api/status-error.ts';
import { badRequest, statusError } from './status.ts';

/** The parts of a request target (`req.url`, or `:path` over HTTP/2), read without any normalisation. */
export interface RequestTarget {
  /**
   * The path with its %-escapes decoded once, as Go's URL.Path: `.` and `..`
   * segments are kept as they are (never resolved), `%2F` becomes `/`.
   * undefined when an escape is malformed (`%ZZ`, a lone `%`).
   */
  path: string | undefined;
  query: URLSearchParams;
}

const malformedEscape = /%(?![0-9A-Fa-f]{2})/;

/**
 * Splits a raw request target. It is not parsed as a WHATWG URL, which would
 * resolve `secrets/..` (or `%2E%2E`) to the namespace path above it.
 */
export function parseRequestTarget(target: string): RequestTarget {
  const q = target.indexOf('?');
  const raw = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  if (malformedEscape.test(raw)) return { path: undefined, query };
  // Every escape is well formed: each run of them is decoded as UTF-8 (a bad sequence becomes U+FFFD, a name nobody has).
  const path = raw.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'));
  return { path, query };
}

/**
 * kube-apiserver's check of an object name taken from the path
 * (`path.IsValidPathSegmentName`): a 400 for `.`, `..` or a name with `%`
 * (a `/` cannot occur: it splits segments).
 */
export function checkPathSegmentName(name: string): void {
  let problem: string | undefined;
  if (name === '.' || name === '..') problem = `may not be '${name}'`;
  else if (name.includes('%')) problem = "may not contain '%'";
  if (problem !== undefined) throw badRequest(`Name parameter invalid: ${JSON.stringify(name)}: ${problem}`);
}

/** True for the namespaces a storage key cannot hold (`.` and `..`). */
export function isDotSegment(segment: string): boolean {
  return segment === '.' || segment === '..';
}

/**
 * What kube-apiserver answers for a `.` or `..` namespace in the path: its
 * storage refuses the key with a 500 that has no reason (`invalid key:
 * "/secrets/.."`), and a create fails in the namespace lookup.
 */
export function dotNamespaceError(verb: string, resource: string, namespace: string, name: string | undefined): StatusError {
  if (verb === 'create') {
    const cause = `invalid resource name ${JSON.stringify(namespace)}: [may not be '${namespace}']`;
    return statusError(500, 'InternalError', `Internal error occurred: ${cause}`, { causes: [{ message: cause }] });
  }
  const item = verb === 'get' || verb === 'update' || verb === 'patch' || verb === 'delete';
  const key = item && name !== undefined ? `/${resource}/${namespace}/${name}` : `/${resource}/${namespace}`;
  const status: V1Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `invalid key: ${JSON.stringify(key)}`, code: 500 };
  return new StatusError(status);
}
