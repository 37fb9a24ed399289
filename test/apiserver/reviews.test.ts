// The create-only reviews behind `kubectl auth can-i` (SelfSubjectAccessReview,
// SelfSubjectRulesReview) and `kubectl auth whoami` (SelfSubjectReview),
// answered as kube-apiserver v1.37.2 answers them and never stored.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { req } from './helpers.ts';
import { rawRequest } from './raw-request.ts';

const SSAR = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const SSRR = '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews';
const SSR = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
const authz = { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1' };

/** Protobuf: a length-delimited field. */
function field(num: number, bytes: Buffer | string): Buffer {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return Buffer.concat([Buffer.from([(num << 3) | 2, b.length]), b]);
}

/** The body kubectl v1.37 sends for `auth can-i get secrets` (k8s\0 + runtime.Unknown). */
function protobufAccessReview(): Buffer {
  const attrs = Buffer.concat([field(1, 'default'), field(2, 'get'), field(5, 'secrets')]);
  const raw = Buffer.concat([field(1, Buffer.alloc(0)), field(2, field(1, attrs))]);
  const typeMeta = Buffer.concat([field(1, 'authorization.k8s.io/v1'), field(2, 'SelfSubjectAccessReview')]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, typeMeta), field(2, raw)]);
}

describe('apiserver: SelfSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview', () => {
  let server: ApiServer;
  const clock = new FakeClock(Date.parse('2026-05-01T10:00:00Z'));
  before(async () => {
    server = await startApiServer({ clock });
  });
  after(() => server.close());

  it('allows every resource and non-resource request of the server credential, echoing the spec', async () => {
    const spec = { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'secrets' } };
    const r = await req(server, 'POST', SSAR, { body: { ...authz, spec } });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, { ...authz, metadata: {}, spec, status: { allowed: true } });
    const nonResource = { nonResourceAttributes: { path: '/healthz', verb: 'get' } };
    const n = await req(server, 'POST', SSAR, { body: { spec: nonResource } });
    assert.equal(n.status, 201);
    assert.deepEqual(n.json.status, { allowed: true });
    assert.deepEqual(n.json.spec, nonResource);
  });

  it('refuses a review with neither or both attributes as kube does (422), and a body of another kind (400)', async () => {
    const detail = 'exactly one of nonResourceAttributes or resourceAttributes must be specified';
    const neither = await req(server, 'POST', SSAR, { body: { ...authz, spec: {} } });
    assert.equal(neither.status, 422);
    assert.deepEqual(neither.json, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422,
      message: `.authorization.k8s.io "" is invalid: spec: Invalid value: null: ${detail}`,
      details: { group: 'authorization.k8s.io', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: null: ${detail}`, field: 'spec' }] },
    });
    const both = await req(server, 'POST', SSAR, { body: { ...authz, spec: { resourceAttributes: { verb: 'get' }, nonResourceAttributes: { path: '/', verb: 'get' } } } });
    assert.equal(both.status, 422);
    assert.equal(both.json.message, `.authorization.k8s.io "" is invalid: spec: Invalid value: {"Path":"/","Verb":"get"}: ${detail}`);
    const wrong = await req(server, 'POST', SSAR, { body: { kind: 'ConfigMap', apiVersion: 'v1' } });
    assert.equal(wrong.status, 400);
    assert.match(wrong.json.message, /^ConfigMap in version "v1" cannot be handled as a SelfSubjectAccessReview/);
  });

  it('decodes the protobuf body kubectl sends', async () => {
    const r = await rawRequest(server, 'h1', { method: 'POST', path: SSAR, body: protobufAccessReview(), contentType: 'application/vnd.kubernetes.protobuf' });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.spec, { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'secrets' } });
    assert.deepEqual(r.json.status, { allowed: true });
  });

  it('lists the rules of a namespace: everything allowed; a review without a namespace is a 400', async () => {
    const r = await req(server, 'POST', SSRR, { body: { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', spec: { namespace: 'default' } } });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, {
      kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec: {},
      status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false },
    });
    const none = await req(server, 'POST', SSRR, { body: { spec: {} } });
    assert.equal(none.status, 400);
    assert.equal(none.json.message, 'no namespace on request');
  });

  it('tells who the credential is; the anonymous user when the server allows requests without one', async () => {
    const r = await req(server, 'POST', SSR, { body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' } });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, {
      kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: '2026-05-01T10:00:00Z' },
      status: { userInfo: { username: 'kom-apiserver', groups: ['system:masters', 'system:authenticated'] } },
    });
    const open = await startApiServer({ tls: false, allowAnonymous: true });
    try {
      const anon = await req(open, 'POST', SSR, { body: {}, token: null });
      assert.equal(anon.status, 201);
      assert.deepEqual(anon.json.status.userInfo, { username: 'system:anonymous', groups: ['system:unauthenticated'] });
    } finally {
      await open.close();
    }
  });

  it('serves only create on the collection, stores nothing, and counts the requests', async () => {
    const before = server.metrics().resourceVersion;
    assert.equal((await req(server, 'GET', SSAR)).status, 405);
    assert.equal((await req(server, 'DELETE', SSAR)).status, 405);
    assert.equal((await req(server, 'GET', `${SSAR}/x`)).status, 404);
    assert.equal((await req(server, 'POST', '/apis/authorization.k8s.io/v1/namespaces/default/selfsubjectaccessreviews', { body: {} })).status, 404);
    assert.equal((await req(server, 'POST', SSR, { body: {} })).status, 201);
    assert.equal(server.metrics().resourceVersion, before, 'no write happened');
    assert.ok((server.metrics().requests['create selfsubjectreviews'] ?? 0) >= 1);
  });
});
