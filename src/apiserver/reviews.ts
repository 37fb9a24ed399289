import type { IncomingHttpHeaders } from 'node:http';
import { groupVersion } from './resources.ts';
import type { ResourceInfo } from './resources.ts';
import { badRequest, statusError } from './status.ts';

/**
 * The create-only reviews kubectl's `auth can-i` and `auth whoami` send
 * (authorization.k8s.io/v1 SelfSubjectAccessReview and
 * SelfSubjectRulesReview, authentication.k8s.io/v1 SelfSubjectReview). As in
 * kube-apiserver they are answered from the request and never stored. The
 * embedded server has one credential, allowed everything; a request without
 * one (only accepted with `allowAnonymous`) is the anonymous user, allowed
 * everything too.
 */

/** The user the embedded server's bearer token authenticates as. */
export const SERVER_USER = { username: 'kom-apiserver', groups: ['system:masters', 'system:authenticated'] };
const ANONYMOUS_USER = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The body as a review of `info`'s kind: 400 for another kind or version, as kube's decoder answers. */
function reviewBody(info: ResourceInfo, body: unknown): Rec {
  if (!isRecord(body)) throw badRequest(`the body of the request was not a JSON object of kind ${info.kind}`);
  const kind = typeof body['kind'] === 'string' && body['kind'] !== '' ? body['kind'] : info.kind;
  const apiVersion = typeof body['apiVersion'] === 'string' && body['apiVersion'] !== '' ? body['apiVersion'] : groupVersion(info);
  if (kind !== info.kind || apiVersion !== groupVersion(info)) {
    throw badRequest(`${kind} in version "${apiVersion.split('/').pop() ?? ''}" cannot be handled as a ${info.kind}`);
  }
  if (body['metadata'] !== undefined && !isRecord(body['metadata'])) throw badRequest('metadata must be a JSON object');
  return body;
}

function accessReview(info: ResourceInfo, body: Rec): Rec {
  const spec = isRecord(body['spec']) ? body['spec'] : {};
  const resource = isRecord(spec['resourceAttributes']);
  const nonResource = isRecord(spec['nonResourceAttributes']);
  if (resource === nonResource) {
    // kube validates the internal object, whose kind is empty: hence the message's leading dot.
    const detail = 'exactly one of nonResourceAttributes or resourceAttributes must be specified';
    // kube names the nonResourceAttributes as the invalid value (Go field names), null when neither is set.
    const nr = isRecord(spec['nonResourceAttributes']) ? spec['nonResourceAttributes'] : undefined;
    const value = nr === undefined ? 'null' : JSON.stringify({ Path: typeof nr['path'] === 'string' ? nr['path'] : '', Verb: typeof nr['verb'] === 'string' ? nr['verb'] : '' });
    throw statusError(422, 'Invalid', `.${info.group} "" is invalid: spec: Invalid value: ${value}: ${detail}`, {
      group: info.group,
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${detail}`, field: 'spec' }],
    });
  }
  return { kind: info.kind, apiVersion: groupVersion(info), metadata: {}, spec, status: { allowed: true } };
}

function rulesReview(info: ResourceInfo, body: Rec): Rec {
  const spec = isRecord(body['spec']) ? body['spec'] : {};
  const namespace = spec['namespace'];
  if (typeof namespace !== 'string' || namespace === '') throw badRequest('no namespace on request');
  // kube answers a new review holding only the status: the spec sent is not echoed.
  return {
    kind: info.kind,
    apiVersion: groupVersion(info),
    metadata: {},
    spec: {},
    status: {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    },
  };
}

function subjectReview(info: ResourceInfo, headers: IncomingHttpHeaders, nowMs: number): Rec {
  const user = (headers.authorization ?? '') === '' ? ANONYMOUS_USER : SERVER_USER;
  const creationTimestamp = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { kind: info.kind, apiVersion: groupVersion(info), metadata: { creationTimestamp }, status: { userInfo: { username: user.username, groups: [...user.groups] } } };
}

/**
 * Answers a POST of a create-only review (201). The request already passed
 * authentication: it carries the server's token, or none when anonymous
 * requests are allowed.
 */
export function serveReview(info: ResourceInfo, body: unknown, headers: IncomingHttpHeaders, nowMs: number): Rec {
  const review = reviewBody(info, body);
  switch (info.kind) {
    case 'SelfSubjectAccessReview':
      return accessReview(info, review);
    case 'SelfSubjectRulesReview':
      return rulesReview(info, review);
    case 'SelfSubjectReview':
      return subjectReview(info, headers, nowMs);
    default:
      throw statusError(500, 'InternalError', `Internal error occurred: no review handler for ${info.kind}`);
  }
}
