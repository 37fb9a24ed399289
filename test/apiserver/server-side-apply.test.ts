// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { req } from './helpers.ts';

// Every answer asserted here was first taken from kube-apiserver v1.37.2
// (test/kube/server-side-apply.test.ts sends many of them to both).
const NS = '/api/v1/namespaces/default';
const APPLY = 'application/apply-patch+yaml';
const MERGE = 'application/merge-patch+json';
const T0 = Date.parse('2030-01-02T03:04:05Z');

const cm = (name: string, data?: Record<string, string>, meta: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...meta },
  ...(data === undefined ? {} : { data }),
});

/** managedFields as [manager, operation, fieldsV1] triples. */
function owners(obj: { metadata: { managedFields?: { manager: string; operation: string; fieldsV1: unknown }[] } }): [string, string, unknown][] {
  return (obj.metadata.managedFields ?? []).map((e) => [e.manager, e.operation, e.fieldsV1]);
}

describe('managedFields and server-side apply', () => {
  let server: ApiServer;
  let clock: FakeClock;
  before(async () => {
    clock = new FakeClock(T0);
    server = await startApiServer({ clock });
  });
  after(() => server.close());

  const apply = (path: string, body: unknown, query = 'fieldManager=applier') =>
    req(server, 'PATCH', `${path}${path.includes('?') ? '&' : '?'}${query}`, { body: typeof body === 'string' ? body : JSON.stringify(body), contentType: APPLY });

  it('create, update and patch record the manager (fieldManager, else the User-Agent) with the fields it set', async () => {
    const made = await req(server, 'POST', `${NS}/configmaps?fieldManager=creator`, { body: cm('mf', { a: '1' }, { labels: { x: 'y' } }) });
    assert.equal(made.status, 201);
    assert.deepEqual(made.json.metadata.managedFields, [
      { manager: 'creator', operation: 'Update', apiVersion: 'v1', time: '2030-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } } },
    ]);
    clock.step(5000);
    const patched = await req(server, 'PATCH', `${NS}/configmaps/mf`, { body: { data: { a: '2', b: '3' } }, contentType: MERGE, headers: { 'user-agent': 'my-tool/1.2 (linux)' } });
    assert.equal(patched.status, 200);
    assert.deepEqual(owners(patched.json), [
      ['creator', 'Update', { 'f:data': {}, 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } }],
      ['my-tool', 'Update', { 'f:data': { 'f:a': {}, 'f:b': {} } }],
    ]);
    assert.equal(patched.json.metadata.managedFields[1].time, '2030-01-02T03:04:10Z');
    const same = await req(server, 'PATCH', `${NS}/configmaps/mf?fieldManager=idle`, { body: { data: { a: '2' } }, contentType: MERGE });
    assert.equal(same.json.metadata.resourceVersion, patched.json.metadata.resourceVersion, 'a change-free patch stays change-free');
    const removed = await req(server, 'PUT', `${NS}/configmaps/mf?fieldManager=putter`, { body: { ...patched.json, data: { a: '2' } } });
    assert.deepEqual(owners(removed.json), [
      ['creator', 'Update', { 'f:data': {}, 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } }],
      ['my-tool', 'Update', { 'f:data': { 'f:a': {} } }],
    ], 'a removed field leaves every set; a manager that changed nothing gets no entry');
  });

  it('records keyed lists (k:{...}), defaults included, and leaves status and server-set metadata out', async () => {
    const pod = { metadata: { name: 'mf-pod' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }], volumes: [{ name: 'v', emptyDir: {} }] } };
    const made = await req(server, 'POST', `${NS}/pods?fieldManager=creator`, { body: pod });
    assert.equal(made.status, 201);
    const fields = made.json.metadata.managedFields[0].fieldsV1;
    const container = fields['f:spec']['f:containers']['k:{"name":"c"}'];
    assert.deepEqual(container['.'], {});
    assert.deepEqual(container['f:env'], { '.': {}, 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } });
    assert.deepEqual(container['f:ports'], { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } });
    assert.deepEqual(fields['f:spec']['f:volumes'], { '.': {}, 'k:{"name":"v"}': { '.': {}, 'f:emptyDir': {}, 'f:name': {} } });
    assert.deepEqual(fields['f:spec']['f:restartPolicy'], {}, 'defaulted fields belong to the creator');
    assert.equal(fields['f:status'], undefined);
    assert.equal(fields['f:metadata'], undefined);
  });

  it('fieldManager is checked as kube checks it; client-set managedFields are kept when they decode, ignored when not, and [{}] clears them', async () => {
    const long = await req(server, 'POST', `${NS}/configmaps?fieldManager=${'m'.repeat(129)}`, { body: cm('bad') });
    assert.equal(long.status, 422);
    assert.equal(long.json.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes');
    const ctl = await req(server, 'POST', `${NS}/configmaps?fieldManager=a%0Ab`, { body: cm('bad') });
    assert.equal(ctl.json.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\nb": invalid character U+000A (at position 1)');
    const given = { manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:z': {} } } };
    const kept = await req(server, 'POST', `${NS}/configmaps?fieldManager=c`, { body: cm('given', { k: 'v' }, { managedFields: [given] }) });
    assert.deepEqual(owners(kept.json), [['m', 'Update', { 'f:data': { 'f:z': {} } }], ['c', 'Update', { 'f:data': { '.': {}, 'f:k': {} } }]]);
    const bogus = await req(server, 'POST', `${NS}/configmaps?fieldManager=c`, { body: cm('bogus', { k: 'v' }, { managedFields: [{ ...given, fieldsType: 'FieldsV2' }] }) });
    assert.deepEqual(owners(bogus.json), [['c', 'Update', { 'f:data': { '.': {}, 'f:k': {} } }]]);
    const cleared = await req(server, 'PATCH', `${NS}/configmaps/bogus?fieldManager=c`, { body: { metadata: { managedFields: [{}] } }, contentType: MERGE });
    assert.equal(cleared.json.metadata.managedFields, undefined);
    const untracked = await req(server, 'PATCH', `${NS}/configmaps/bogus?fieldManager=d`, { body: { data: { k: 'w' } }, contentType: MERGE });
    assert.equal(untracked.json.metadata.managedFields, undefined, 'an object without managedFields stays untracked on update');
    const first = await apply(`${NS}/configmaps/bogus`, cm('bogus', { n: '1' }));
    assert.deepEqual(owners(first.json), [['applier', 'Apply', { 'f:data': { 'f:n': {} } }], ['before-first-apply', 'Update', { 'f:data': { '.': {}, 'f:k': {} } }]]);
  });

  it('apply creates (201) from YAML or JSON, updates (200), and needs fieldManager', async () => {
    const yaml = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: applied\nstringData:\n  pw: hunter2\n';
    const made = await apply(`${NS}/secrets/applied`, yaml);
    assert.equal(made.status, 201);
    assert.equal(made.json.data.pw, Buffer.from('hunter2').toString('base64'));
    assert.deepEqual(owners(made.json), [['applier', 'Apply', { 'f:stringData': { 'f:pw': {} } }]]);
    const ns = await apply('/api/v1/namespaces/default', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { team: 'a' }, annotations: { note: 'n' } } });
    assert.equal(ns.status, 200);
    assert.deepEqual(ns.json.metadata.labels, { 'kubernetes.io/metadata.name': 'default', team: 'a' });
    assert.deepEqual(owners(ns.json)[0], ['applier', 'Apply', { 'f:metadata': { 'f:annotations': { 'f:note': {} }, 'f:labels': { 'f:team': {} } } }]);
    const none = await req(server, 'PATCH', `${NS}/configmaps/x`, { body: JSON.stringify(cm('x')), contentType: APPLY });
    assert.equal(none.status, 422);
    assert.equal(none.json.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const kind = await apply(`${NS}/configmaps/x`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } });
    assert.equal(kind.json.message, 'invalid object type: /v1, Kind=Secret');
    const mf = await apply(`${NS}/configmaps/x`, cm('x', {}, { managedFields: [{ manager: 'q' }] }));
    assert.equal(mf.json.message, 'metadata.managedFields must be nil');
    const noName = await apply(`${NS}/configmaps/x`, { apiVersion: 'v1', kind: 'ConfigMap' });
    assert.equal(noName.json.message, 'the name of the object (x based on URL) was undeterminable: name must be provided');
    const force = await req(server, 'PATCH', `${NS}/configmaps/x?fieldManager=m&force=true`, { body: {}, contentType: MERGE });
    assert.equal(force.json.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  });

  it('an applied port without protocol is keyed with kube\'s default TCP, and matches the stored, defaulted port', async () => {
    const pod = (image: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ported' }, spec: { containers: [{ name: 'c', image, ports: [{ containerPort: 80 }] }] } });
    const made = await apply(`${NS}/pods/ported`, pod('i1'));
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const [, , fields] = owners(made.json)[0] ?? [];
    const container = (fields as any)['f:spec']['f:containers']['k:{"name":"c"}']; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(container['f:ports'], { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } });
    const again = await apply(`${NS}/pods/ported`, pod('i2'));
    assert.equal(again.status, 200);
    assert.deepEqual(again.json.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }], 'one port, not a second unkeyed copy');
  });

  it('conflicts are kube\'s 409 (one cause per field, Update managers "using v1"); force takes the fields', async () => {
    await req(server, 'POST', `${NS}/configmaps?fieldManager=creator`, { body: cm('conf', { a: '1', b: '2' }) });
    await apply(`${NS}/configmaps/conf`, cm('conf', { c: '3' }), 'fieldManager=other');
    const many = await apply(`${NS}/configmaps/conf`, cm('conf', { a: 'A', b: 'B', c: 'C' }));
    assert.equal(many.status, 409);
    assert.equal(many.json.reason, 'Conflict');
    assert.equal(many.json.message, 'Apply failed with 3 conflicts: conflicts with "creator" using v1:\n- .data.a\n- .data.b\nconflicts with "other":\n- .data.c');
    assert.deepEqual(many.json.details.causes[2], { reason: 'FieldManagerConflict', message: 'conflict with "other"', field: '.data.c' });
    const one = await apply(`${NS}/configmaps/conf`, cm('conf', { a: 'A' }));
    assert.equal(one.json.message, 'Apply failed with 1 conflict: conflict with "creator" using v1: .data.a');
    const shared = await apply(`${NS}/configmaps/conf`, cm('conf', { a: '1' }));
    assert.equal(shared.status, 200, 'applying the value another manager set is shared ownership, not a conflict');
    const forced = await apply(`${NS}/configmaps/conf`, cm('conf', { a: 'A', b: 'B' }), 'fieldManager=applier&force=true');
    assert.equal(forced.status, 200);
    assert.deepEqual(forced.json.data, { a: 'A', b: 'B', c: '3' });
    assert.deepEqual(owners(forced.json), [
      ['applier', 'Apply', { 'f:data': { 'f:a': {}, 'f:b': {} } }],
      ['other', 'Apply', { 'f:data': { 'f:c': {} } }],
      ['creator', 'Update', { 'f:data': {} }],
    ]);
    const image = await req(server, 'POST', `${NS}/pods?fieldManager=creator`, { body: { metadata: { name: 'conf-pod' }, spec: { containers: [{ name: 'c', image: 'i:1' }] } } });
    assert.equal(image.status, 201);
    const podConflict = await apply(`${NS}/pods/conf-pod`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'conf-pod' }, spec: { containers: [{ name: 'c', image: 'i:2' }] } });
    assert.equal(podConflict.json.message, 'Apply failed with 1 conflict: conflict with "creator" using v1: .spec.containers[name="c"].image');
  });

  it('a field the manager stops applying is removed unless another manager owns it; sets and keyed lists merge item by item', async () => {
    await apply(`${NS}/configmaps/prune`, cm('prune', { a: '1', b: '2', c: '3' }, { finalizers: ['x.io/a', 'x.io/b'], labels: { l: '1' } }));
    await apply(`${NS}/configmaps/prune`, cm('prune', { b: '2' }, { finalizers: ['x.io/c'] }), 'fieldManager=other');
    const after = await apply(`${NS}/configmaps/prune`, cm('prune', { a: '1' }, { finalizers: ['x.io/a'] }));
    assert.equal(after.status, 200);
    assert.deepEqual(after.json.data, { a: '1', b: '2' });
    assert.deepEqual(after.json.metadata.finalizers, ['x.io/a', 'x.io/c']);
    assert.equal(after.json.metadata.labels, undefined);
    const owner = { apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u-1' };
    const refs = await apply(`${NS}/configmaps/prune`, cm('prune', { a: '1' }, { finalizers: ['x.io/a'], ownerReferences: [owner] }));
    const refs2 = await apply(`${NS}/configmaps/prune`, cm('prune', {}, { ownerReferences: [{ ...owner, name: 'p', uid: 'u-2' }] }), 'fieldManager=other');
    assert.equal(refs.status, 200);
    assert.deepEqual(refs2.json.metadata.ownerReferences.map((r: { uid: string }) => r.uid), ['u-1', 'u-2']);
    assert.deepEqual(owners(refs2.json)[1]?.[2], { 'f:data': {}, 'f:metadata': { 'f:ownerReferences': { 'k:{"uid":"u-2"}': {} } } });
  });

  it('a keyed list merges item by item across managers; an item its manager drops goes whole; /status conflicts name the subresource', async () => {
    await req(server, 'POST', `${NS}/pods`, { body: { metadata: { name: 'cond' }, spec: { containers: [{ name: 'c', image: 'i' }] } } });
    const conditions = (...types: [string, string][]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cond' }, status: { conditions: types.map(([type, status]) => ({ type, status })) } });
    await apply(`${NS}/pods/cond/status`, conditions(['PodScheduled', 'True'], ['example.com/x', 'True']), 'fieldManager=cond-a');
    await apply(`${NS}/pods/cond/status`, conditions(['example.com/y', 'False']), 'fieldManager=cond-b');
    const dropped = await apply(`${NS}/pods/cond/status`, conditions(['PodScheduled', 'True']), 'fieldManager=cond-a');
    assert.equal(dropped.status, 200);
    const types = dropped.json.status.conditions.map((c: { type: string }) => c.type);
    assert.deepEqual(types.filter((t: string) => t !== 'Ready' && t !== 'Initialized' && t !== 'ContainersReady'), ['PodScheduled', 'example.com/y']);
    assert.ok(dropped.json.status.conditions.every((c: { type?: string }) => typeof c.type === 'string'), 'no husk of the dropped item is left');
    const entry = dropped.json.metadata.managedFields.find((e: { manager: string }) => e.manager === 'cond-a');
    assert.equal(entry.subresource, 'status');
    assert.deepEqual(entry.fieldsV1, { 'f:status': { 'f:conditions': { 'k:{"type":"PodScheduled"}': { '.': {}, 'f:status': {}, 'f:type': {} } } } });
    const conflict = await apply(`${NS}/pods/cond/status`, conditions(['example.com/y', 'False'], ['PodScheduled', 'False']), 'fieldManager=cond-b');
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json.message, 'Apply failed with 1 conflict: conflict with "cond-a" with subresource "status": .status.conditions[type="PodScheduled"].status');
  });

  it('dry-run apply answers the result and stores nothing', async () => {
    const rv = server.metrics().resourceVersion;
    const dry = await apply(`${NS}/configmaps/dry-apply`, cm('dry-apply', { k: 'v' }), 'fieldManager=applier&dryRun=All');
    assert.equal(dry.status, 201);
    assert.deepEqual(owners(dry.json), [['applier', 'Apply', { 'f:data': { 'f:k': {} } }]]);
    assert.equal(server.metrics().resourceVersion, rv);
    assert.equal((await req(server, 'GET', `${NS}/configmaps/dry-apply`)).status, 404);
  });

  it('reads YAML 1.1 as kube does and refuses what the schema does not declare with kube\'s 500', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y11, labels: &b {x: "1"}}\ndata:\n  <<: *b\n  d: 2020-01-01\n  yes: "k"\n';
    const read = await apply(`${NS}/configmaps/y11`, yaml, 'fieldManager=y&dryRun=All');
    assert.equal(read.status, 201);
    assert.deepEqual(read.json.data, { x: '1', d: '2020-01-01', true: 'k' });
    const on = await apply(`${NS}/configmaps/y11`, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y11}\ndata: {m: on}\n');
    assert.equal(on.status, 500);
    assert.equal(on.json.message, 'failed to create typed patch object (/y11; /v1, Kind=ConfigMap): .data.m: expected string, got &value.valueUnstructured{Value:true}');
    const secret = await apply(`${NS}/secrets/y11`, 'apiVersion: v1\nkind: Secret\nmetadata: {name: y11}\nstringData: {pin: 918273}\n');
    assert.equal(secret.status, 500);
    assert.equal(secret.json.message, 'failed to create typed patch object (/y11; /v1, Kind=Secret): .stringData.pin: expected string, got a number');
    const bogus = await apply(`${NS}/pods/y11`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'y11' }, spec: { containers: [{ name: 'c', image: 'i', bogus: 1 }] } });
    assert.equal(bogus.json.message, 'failed to create typed patch object (/y11; /v1, Kind=Pod): .spec.containers[name="c"].bogus: field not declared in schema');
    const dup = await apply(`${NS}/pods/y11`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'y11' }, spec: { containers: [{ name: 'c', image: 'i' }, { name: 'c', image: 'j' }] } });
    assert.equal(dup.json.message, 'failed to create typed patch object (/y11; /v1, Kind=Pod): .spec.containers: duplicate entries for key [name="c"]');
    assert.equal((await req(server, 'GET', `${NS}/pods/y11`)).status, 404);
  });

  it('refuses bodies that are not YAML, or that YAML aliases blow up, without quoting them', async () => {
    const bad = await apply(`${NS}/configmaps/y`, 'data: [secret-value');
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /^error decoding patch: yaml: line \d+: /);
    assert.doesNotMatch(bad.json.message, /secret-value/);
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const laughs = await apply(`${NS}/configmaps/y`, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n${bomb}`);
    assert.equal(laughs.status, 400);
    assert.equal(laughs.json.message, 'error decoding patch: the apply configuration is too large');
  });
});
