// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { pod, req, secret } from './helpers.ts';

const NS = '/api/v1/namespaces/default';

describe('apiserver CRUD', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  it('creates with server-set uid, resourceVersion, creationTimestamp; generation only for pods', async () => {
    const r = await req(server, 'POST', `${NS}/secrets`, { body: secret('crud-a', undefined, { metadata: { name: 'crud-a', uid: 'mine', creationTimestamp: '2000-01-01T00:00:00Z' } }) });
    assert.equal(r.status, 201);
    assert.equal(r.json.kind, 'Secret');
    assert.equal(r.json.metadata.namespace, 'default');
    assert.match(r.json.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.notEqual(r.json.metadata.uid, 'mine');
    assert.match(r.json.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.notEqual(r.json.metadata.creationTimestamp, '2000-01-01T00:00:00Z');
    assert.match(r.json.metadata.resourceVersion, /^\d+$/);
    assert.equal(r.json.metadata.generation, undefined);
    assert.equal(r.json.type, 'Opaque');
    const p = await req(server, 'POST', `${NS}/pods`, { body: pod('crud-p') });
    assert.equal(p.status, 201);
    assert.equal(p.json.metadata.generation, 1);
    assert.equal(p.json.status.phase, 'Pending');
  });

  it('folds stringData into base64 data and never stores it', async () => {
    const r = await req(server, 'POST', `${NS}/secrets`, { body: { metadata: { name: 'crud-sd' }, stringData: { pw: 'hunter2' } } });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json.data, { pw: Buffer.from('hunter2').toString('base64') });
    assert.equal(r.json.stringData, undefined);
  });

  it('generates names from generateName', async () => {
    const r = await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { generateName: 'gen-' } } });
    assert.equal(r.status, 201);
    assert.match(r.json.metadata.name, /^gen-[a-z0-9]{5}$/);
  });

  it('answers 409 AlreadyExists for a duplicate and 404 NotFound for a missing object', async () => {
    await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name: 'dup' } } });
    const d = await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name: 'dup' } } });
    assert.equal(d.status, 409);
    assert.deepEqual(
      { kind: d.json.kind, apiVersion: d.json.apiVersion, status: d.json.status, reason: d.json.reason, code: d.json.code, message: d.json.message },
      { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409, message: 'configmaps "dup" already exists' },
    );
    assert.deepEqual(d.json.details, { name: 'dup', kind: 'configmaps' });
    const n = await req(server, 'GET', `${NS}/secrets/nope`);
    assert.equal(n.status, 404);
    assert.equal(n.json.reason, 'NotFound');
    assert.equal(n.json.message, 'secrets "nope" not found');
  });

  it('update: 409 Conflict on a stale resourceVersion, no-op keeps the RV, changes bump it', async () => {
    const created = (await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name: 'upd' }, data: { a: '1' } } })).json;
    const changed = await req(server, 'PUT', `${NS}/configmaps/upd`, { body: { ...created, data: { a: '2' } } });
    assert.equal(changed.status, 200);
    assert.ok(Number(changed.json.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
    const stale = await req(server, 'PUT', `${NS}/configmaps/upd`, { body: { ...created, data: { a: '3' } } });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.reason, 'Conflict');
    assert.equal(stale.json.message, 'Operation cannot be fulfilled on configmaps "upd": the object has been modified; please apply your changes to the latest version and try again');
    const same = await req(server, 'PUT', `${NS}/configmaps/upd`, { body: changed.json });
    assert.equal(same.json.metadata.resourceVersion, changed.json.metadata.resourceVersion);
    const unconditional = await req(server, 'PUT', `${NS}/configmaps/upd`, { body: { metadata: { name: 'upd' }, data: { a: '4' } } });
    assert.equal(unconditional.status, 200);
    assert.equal(unconditional.json.metadata.uid, created.metadata.uid);
    assert.equal(unconditional.json.metadata.creationTimestamp, created.metadata.creationTimestamp);
    const mismatch = await req(server, 'PUT', `${NS}/configmaps/upd`, { body: { metadata: { name: 'other' } } });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.json.message, 'the name of the object (other) does not match the name on the URL (upd)');
    const missing = await req(server, 'PUT', `${NS}/configmaps/none`, { body: { metadata: { name: 'none' } } });
    assert.equal(missing.status, 404);
  });

  it('bumps a pod generation on spec changes only', async () => {
    const p = (await req(server, 'POST', `${NS}/pods`, { body: pod('gen-pod') })).json;
    const labelled = await req(server, 'PATCH', `${NS}/pods/gen-pod`, { body: { metadata: { labels: { a: 'b' } } }, contentType: 'application/merge-patch+json' });
    assert.equal(labelled.json.metadata.generation, 1);
    const img = await req(server, 'PATCH', `${NS}/pods/gen-pod`, {
      body: { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } },
      contentType: 'application/strategic-merge-patch+json',
    });
    assert.equal(img.json.metadata.generation, 2);
    assert.equal(img.json.spec.containers.length, 1);
    assert.equal(p.metadata.uid, img.json.metadata.uid);
  });

  it('patches with merge, JSON and strategic-merge patches; 415 for other types; 409 on a stale RV in the patch', async () => {
    await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name: 'pt' }, data: { a: '1', b: '2' } } });
    const m = await req(server, 'PATCH', `${NS}/configmaps/pt`, { body: { data: { a: null, c: '3' } }, contentType: 'application/merge-patch+json' });
    assert.deepEqual(m.json.data, { b: '2', c: '3' });
    const j = await req(server, 'PATCH', `${NS}/configmaps/pt`, {
      body: [{ op: 'test', path: '/data/b', value: '2' }, { op: 'add', path: '/data/d', value: '4' }],
      contentType: 'application/json-patch+json',
    });
    assert.deepEqual(j.json.data, { b: '2', c: '3', d: '4' });
    const failed = await req(server, 'PATCH', `${NS}/configmaps/pt`, { body: [{ op: 'test', path: '/data/b', value: 'x' }], contentType: 'application/json-patch+json' });
    assert.equal(failed.status, 422);
    const s = await req(server, 'PATCH', `${NS}/configmaps/pt`, { body: { data: { e: '5' } }, contentType: 'application/strategic-merge-patch+json' });
    assert.equal(s.json.data.e, '5');
    const bad = await req(server, 'PATCH', `${NS}/configmaps/pt`, { body: {}, contentType: 'text/plain' });
    assert.equal(bad.status, 415);
    assert.equal(bad.json.reason, 'UnsupportedMediaType');
    const stale = await req(server, 'PATCH', `${NS}/configmaps/pt`, { body: { metadata: { resourceVersion: '1' } }, contentType: 'application/merge-patch+json' });
    assert.equal(stale.status, 409);
    const missing = await req(server, 'PATCH', `${NS}/configmaps/none`, { body: {}, contentType: 'application/merge-patch+json' });
    assert.equal(missing.status, 404);
  });

  it('rejects data changes to immutable Secrets and ConfigMaps with 422 Invalid', async () => {
    await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name: 'imm' }, data: { a: '1' }, immutable: true } });
    const r = await req(server, 'PATCH', `${NS}/configmaps/imm`, { body: { data: { a: '2' } }, contentType: 'application/merge-patch+json' });
    assert.equal(r.status, 422);
    assert.equal(r.json.reason, 'Invalid');
    assert.equal(r.json.message, 'ConfigMap "imm" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    assert.deepEqual(r.json.details.causes, [{ reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'data' }]);
    const unset = await req(server, 'PATCH', `${NS}/configmaps/imm`, { body: { immutable: false }, contentType: 'application/merge-patch+json' });
    assert.equal(unset.status, 422);
    const labels = await req(server, 'PATCH', `${NS}/configmaps/imm`, { body: { metadata: { labels: { x: 'y' } } }, contentType: 'application/merge-patch+json' });
    assert.equal(labels.status, 200);
    await req(server, 'POST', `${NS}/secrets`, { body: secret('imm-s', undefined, { immutable: true }) });
    const s = await req(server, 'PUT', `${NS}/secrets/imm-s`, { body: secret('imm-s', { k: 'eHl6' }, { immutable: true }) });
    assert.equal(s.status, 422);
    assert.equal(s.json.details.kind, 'Secret');
    assert.ok(!s.text.includes('eHl6'), 'secret data must not appear in errors');
  });

  it('validates names and pod containers with 422 naming the field', async () => {
    const bad = await req(server, 'POST', `${NS}/secrets`, { body: secret('Bad_Name') });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.details.causes[0].field, 'metadata.name');
    assert.match(bad.json.message, /^Secret "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    const noContainers = await req(server, 'POST', `${NS}/pods`, { body: { metadata: { name: 'empty' }, spec: {} } });
    assert.equal(noContainers.status, 422);
    assert.equal(noContainers.json.details.causes[0].field, 'spec.containers');
    const wrongKind = await req(server, 'POST', `${NS}/secrets`, { body: { kind: 'ConfigMap', metadata: { name: 'x' } } });
    assert.equal(wrongKind.status, 400);
    const otherNs = await req(server, 'POST', `${NS}/secrets`, { body: { metadata: { name: 'x', namespace: 'kube-system' } } });
    assert.equal(otherNs.status, 400);
    assert.equal(otherNs.json.message, 'the namespace of the provided object does not match the namespace sent on the request');
    const badJson = await req(server, 'POST', `${NS}/secrets`, { body: '{not json' });
    assert.equal(badJson.status, 400);
  });

  it('checks namespaces: 404 for a missing one, deletion removes contents', async () => {
    const missing = await req(server, 'POST', '/api/v1/namespaces/ghost/secrets', { body: secret('x') });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'namespaces "ghost" not found');
    assert.deepEqual(missing.json.details, { name: 'ghost', kind: 'namespaces' });
    const ns = await req(server, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'doomed' } } });
    assert.equal(ns.status, 201);
    assert.equal(ns.json.status.phase, 'Active');
    assert.equal(ns.json.metadata.labels['kubernetes.io/metadata.name'], 'doomed');
    await req(server, 'POST', '/api/v1/namespaces/doomed/secrets', { body: secret('inside') });
    const del = await req(server, 'DELETE', '/api/v1/namespaces/doomed');
    assert.equal(del.status, 200);
    assert.equal(del.json.status.phase, 'Terminating');
    assert.equal((await req(server, 'GET', '/api/v1/namespaces/doomed/secrets/inside')).status, 404);
    assert.equal((await req(server, 'GET', '/api/v1/namespaces/doomed')).status, 404);
  });

  it('refuses creates in a Terminating namespace with 403', async () => {
    await req(server, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'term', finalizers: ['example.com/hold'] } } });
    // A namespace object's own metadata.finalizers do not hold it in kube either; use a pod finalizer instead.
    await req(server, 'POST', '/api/v1/namespaces/term/pods', { body: pod('held', { metadata: { name: 'held', finalizers: ['example.com/hold'] } }) });
    const del = await req(server, 'DELETE', '/api/v1/namespaces/term/pods/held');
    assert.equal(del.status, 202);
    assert.ok(del.json.metadata.deletionTimestamp);
    const still = await req(server, 'GET', '/api/v1/namespaces/term/pods/held');
    assert.equal(still.status, 200);
    const released = await req(server, 'PATCH', '/api/v1/namespaces/term/pods/held', { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    assert.equal(released.status, 200);
    assert.equal((await req(server, 'GET', '/api/v1/namespaces/term/pods/held')).status, 404);
  });

  it('deletes: Success Status for secrets (with uid), the object for pods, preconditions 409', async () => {
    const s = (await req(server, 'POST', `${NS}/secrets`, { body: secret('del-s') })).json;
    const pre = await req(server, 'DELETE', `${NS}/secrets/del-s`, { body: { preconditions: { uid: 'wrong' } } });
    assert.equal(pre.status, 409);
    const d = await req(server, 'DELETE', `${NS}/secrets/del-s`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
    assert.equal(d.status, 200);
    assert.deepEqual(d.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'del-s', kind: 'secrets', uid: s.metadata.uid } });
    await req(server, 'POST', `${NS}/pods`, { body: pod('del-p') });
    const p = await req(server, 'DELETE', `${NS}/pods/del-p`);
    assert.equal(p.json.kind, 'Pod');
    assert.equal((await req(server, 'DELETE', `${NS}/pods/del-p`)).status, 404);
  });

  it('deletecollection deletes what the selectors match', async () => {
    await req(server, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'dc' } } });
    for (const [name, tier] of [['a', 'x'], ['b', 'x'], ['c', 'y']] as const) {
      await req(server, 'POST', '/api/v1/namespaces/dc/configmaps', { body: { metadata: { name, labels: { tier } } } });
    }
    const r = await req(server, 'DELETE', '/api/v1/namespaces/dc/configmaps?labelSelector=tier%3Dx');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['a', 'b']);
    const left = await req(server, 'GET', '/api/v1/namespaces/dc/configmaps');
    assert.deepEqual(left.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['c']);
    assert.equal((await req(server, 'DELETE', '/api/v1/namespaces')).status, 405);
  });

  it('serves the status subresource and keeps status out of main-resource updates', async () => {
    await req(server, 'POST', `${NS}/pods`, { body: pod('st') });
    const main = await req(server, 'PATCH', `${NS}/pods/st`, { body: { status: { phase: 'Running' } }, contentType: 'application/merge-patch+json' });
    assert.equal(main.json.status.phase, 'Pending');
    const sub = await req(server, 'PATCH', `${NS}/pods/st/status`, { body: { status: { phase: 'Running' } }, contentType: 'application/merge-patch+json' });
    assert.equal(sub.status, 200);
    assert.equal(sub.json.status.phase, 'Running');
    assert.ok(server.metrics().requests['patch pods/status'] !== undefined);
  });

  it('answers unknown paths 404 and wrong methods 405, both as Status', async () => {
    const u = await req(server, 'GET', '/api/v1/widgets');
    assert.equal(u.status, 404);
    assert.deepEqual(u.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource: the embedded API server does not serve the resource "widgets" in v1', reason: 'NotFound', details: {}, code: 404 });
    assert.equal((await req(server, 'GET', '/apis/apps/v1')).status, 404);
    assert.equal((await req(server, 'GET', '/api/v1/namespaces/%E0%A4%A/secrets')).status, 400, 'a malformed escape: kube-apiserver (Go) answers 400');
    assert.equal((await req(server, 'POST', '/api/v1/secrets', { body: secret('x') })).status, 405);
  });

  it('requires a bearer token (401) and JSON (406)', async () => {
    const none = await req(server, 'GET', `${NS}/secrets`, { token: null });
    assert.equal(none.status, 401);
    assert.equal(none.json.reason, 'Unauthorized');
    assert.equal((await req(server, 'GET', `${NS}/secrets`, { token: 'wrong' })).status, 401);
    assert.equal((await req(server, 'GET', '/healthz', { token: null })).status, 200);
    const open = await startApiServer({ tls: false, allowAnonymous: true });
    try {
      assert.equal((await req(open, 'GET', `${NS}/secrets`, { token: null })).status, 200);
      assert.equal((await req(open, 'GET', `${NS}/secrets`, { token: 'wrong' })).status, 401);
    } finally {
      await open.close();
    }
    const proto = await req(server, 'GET', `${NS}/secrets`, { headers: { accept: 'application/vnd.kubernetes.protobuf' } });
    assert.equal(proto.status, 406);
    const either = await req(server, 'GET', `${NS}/secrets`, { headers: { accept: 'application/vnd.kubernetes.protobuf, application/json' } });
    assert.equal(either.status, 200);
  });

  it('serves discovery, version and the OpenAPI v3 documents', async () => {
    const api = await req(server, 'GET', '/api');
    assert.deepEqual(api.json.versions, ['v1']);
    assert.equal(api.json.kind, 'APIVersions');
    const v1 = await req(server, 'GET', '/api/v1');
    const names = v1.json.resources.map((r: { name: string }) => r.name);
    for (const r of ['namespaces', 'nodes', 'pods', 'secrets', 'configmaps', 'serviceaccounts']) assert.ok(names.includes(r), r);
    const pods = v1.json.resources.find((r: { name: string }) => r.name === 'pods');
    assert.deepEqual(pods.shortNames, ['po']);
    assert.equal(pods.namespaced, true);
    const groups = (await req(server, 'GET', '/apis')).json;
    assert.equal(groups.kind, 'APIGroupList');
    assert.deepEqual(groups.groups.map((g: { name: string }) => g.name), ['events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io']);
    assert.equal((await req(server, 'GET', '/version')).json.major, '1');
    const root = await req(server, 'GET', '/openapi/v3');
    const url: string = root.json.paths['api/v1'].serverRelativeURL;
    const doc = await req(server, 'GET', url);
    const patch = doc.json.paths['/api/v1/namespaces/{namespace}/secrets/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Secret' });
    assert.ok(patch.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));
    const v2 = await req(server, 'GET', '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    assert.equal(v2.status, 200);
    assert.equal(v2.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.ok(v2.text.startsWith('\n\x032.0'), 'gnostic Document{swagger: "2.0", ...}');
    assert.equal((await req(server, 'GET', '/openapi/v2')).json.swagger, '2.0');
  });
});
