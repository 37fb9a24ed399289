// Extra resources a caller registers (ApiServerOptions.resources), served
// as kube-apiserver v1.37.2 serves a CRD whose schema preserves unknown
// fields: each answer below was checked against a real one (see also the
// `custom` group of the differential corpus, test/kube/differential).
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer, ExtraResource } from '../../src/apiserver/index.ts';
import { req, watch } from './helpers.ts';

const widget: ExtraResource = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true, shortNames: ['wd'] };
const gadget: ExtraResource = { group: 'example.com', version: 'v1', kind: 'Gadget', plural: 'gadgets', namespaced: false };
const otherWidget: ExtraResource = { group: 'other.example', version: 'v1alpha1', kind: 'Widget', plural: 'widgets', namespaced: true };
const lookalikeSecret: ExtraResource = { group: 'example.com', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
const ingress: ExtraResource = { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true, shortNames: ['ing'] };

const W = '/apis/example.com/v1/namespaces/shop/widgets';
const merge = 'application/merge-patch+json';

const widgetBody = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name, labels: { app: 'shop' } },
  spec: { size: 3, list: [1, 2] },
  ...extra,
});

describe('startApiServer({ resources }): option checks', () => {
  it('refuses resources that are not valid, naming the field', async () => {
    const bad: [unknown, RegExp][] = [
      [[{ ...widget, group: '' }], /resources\[0\]\.group must be a DNS subdomain/],
      [[{ ...widget, group: 'Example.com' }], /resources\[0\]\.group must be/],
      [[{ ...widget, group: 'a/b' }], /resources\[0\]\.group must be/],
      [[{ ...widget, group: 'events.k8s.io' }], /resources\[0\]\.group must be a group the server does not serve itself, got "events.k8s.io"/],
      [[{ ...widget, version: 'V1' }], /resources\[0\]\.version must be a DNS-1035 label/],
      [[{ ...widget, version: '1' }], /resources\[0\]\.version must be/],
      [[{ ...widget, kind: '1Widget' }], /resources\[0\]\.kind must be a kind/],
      [[{ ...widget, kind: undefined }], /resources\[0\]\.kind must be a kind/],
      [[{ ...widget, plural: 'Widgets' }], /resources\[0\]\.plural must be a lowercase plural/],
      [[{ ...widget, plural: 'wid/gets' }], /resources\[0\]\.plural must be/],
      [[{ ...widget, namespaced: 'yes' }], /resources\[0\]\.namespaced must be a boolean/],
      [[{ ...widget, shortNames: ['W'] }], /resources\[0\]\.shortNames\[0\] must be a DNS-1035 label/],
      [[widget, { ...widget, kind: 'Other' }], /resources\[1\] repeats the resource widgets\.example\.com/],
      [[widget, { ...widget, plural: 'others' }], /resources\[1\] repeats the kind example\.com\/v1\/Widget/],
      [{}, /resources must be an array/],
    ];
    for (const [resources, message] of bad) {
      await assert.rejects(startApiServer({ resources: resources as ExtraResource[] }), (err: unknown) => err instanceof TypeError && message.test(err.message), JSON.stringify(resources));
    }
  });
});

describe('apiserver: extra resources served like schema-less CRDs', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer({ resources: [widget, gadget, otherWidget, lookalikeSecret, ingress] });
    await req(server, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'shop' } } });
  });
  after(() => server.close());

  it('lists their groups and resources in discovery, with kube\'s verbs for custom resources', async () => {
    const groups = (await req(server, 'GET', '/apis')).json.groups.map((g: { name: string; preferredVersion: unknown }) => [g.name, g.preferredVersion]);
    assert.deepEqual(groups.slice(-3), [
      ['example.com', { groupVersion: 'example.com/v1', version: 'v1' }],
      ['other.example', { groupVersion: 'other.example/v1alpha1', version: 'v1alpha1' }],
      ['networking.k8s.io', { groupVersion: 'networking.k8s.io/v1', version: 'v1' }],
    ]);
    const group = await req(server, 'GET', '/apis/example.com');
    assert.deepEqual(group.json, { kind: 'APIGroup', apiVersion: 'v1', name: 'example.com', versions: [{ groupVersion: 'example.com/v1', version: 'v1' }], preferredVersion: { groupVersion: 'example.com/v1', version: 'v1' } });
    const list = await req(server, 'GET', '/apis/example.com/v1');
    assert.equal(list.json.groupVersion, 'example.com/v1');
    assert.deepEqual(list.json.resources[0], {
      name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget',
      verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'], shortNames: ['wd'],
      storageVersionHash: 'gIwvi5rymmg=', // kube-apiserver's for example.com/v1 Widget
    });
    assert.deepEqual(list.json.resources.map((r: { name: string; namespaced: boolean }) => [r.name, r.namespaced]), [['widgets', true], ['gadgets', false], ['secrets', true]]);
  });

  it('creates, gets and lists objects with every field kept, generation 1 and managedFields by key', async () => {
    const created = await req(server, 'POST', `${W}?fieldManager=test`, { body: widgetBody('w1', { status: { ok: true }, extra: 1 }) });
    assert.equal(created.status, 201);
    const obj = created.json;
    assert.deepEqual([obj.apiVersion, obj.kind, obj.metadata.name, obj.metadata.namespace, obj.metadata.generation], ['example.com/v1', 'Widget', 'w1', 'shop', 1]);
    assert.deepEqual([obj.spec, obj.status, obj.extra], [{ size: 3, list: [1, 2] }, { ok: true }, 1]);
    assert.deepEqual(obj.metadata.managedFields[0].apiVersion, 'example.com/v1');
    assert.deepEqual(obj.metadata.managedFields[0].fieldsV1, {
      'f:extra': {},
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': { '.': {}, 'f:list': {}, 'f:size': {} },
      'f:status': { '.': {}, 'f:ok': {} },
    });
    const got = await req(server, 'GET', `${W}/w1`);
    assert.deepEqual(got.json, obj);
    const list = await req(server, 'GET', W);
    assert.equal(list.json.kind, 'WidgetList');
    assert.equal(list.json.apiVersion, 'example.com/v1');
    assert.deepEqual(list.json.items, [obj], 'items keep their kind and apiVersion, as kube stores custom resources');
    const dup = await req(server, 'POST', W, { body: widgetBody('w1') });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.message, 'widgets.example.com "w1" already exists');
    assert.deepEqual(dup.json.details, { name: 'w1', group: 'example.com', kind: 'widgets' });
    const missing = await req(server, 'GET', `${W}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'widgets.example.com "nope" not found');
    assert.deepEqual(missing.json.details, { name: 'nope', group: 'example.com', kind: 'widgets' });
  });

  it('checks kind and apiVersion on writes as kube decodes a custom resource', async () => {
    const noKind = await req(server, 'POST', W, { body: { metadata: { name: 'x' } } });
    assert.equal(noKind.status, 400);
    assert.match(noKind.json.message, /^the object provided is unrecognized \(must be of type Widget\): Object 'Kind' is missing/);
    const noVersion = await req(server, 'POST', W, { body: { kind: 'Widget', metadata: { name: 'x' } } });
    assert.deepEqual([noVersion.status, noVersion.json.message], [400, 'the API version in the data () does not match the expected API version (example.com/v1)']);
    const wrongVersion = await req(server, 'POST', W, { body: { apiVersion: 'example.com/v2', kind: 'Widget', metadata: { name: 'x' } } });
    assert.deepEqual([wrongVersion.status, wrongVersion.json.message], [400, 'the API version in the data (example.com/v2) does not match the expected API version (example.com/v1)']);
    const wrongKind = await req(server, 'POST', W, { body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'x' } } });
    assert.equal(wrongKind.status, 422);
    assert.equal(wrongKind.json.message, 'Gadget.example.com "x" is invalid: kind: Invalid value: "Gadget": must be Widget');
    const badName = await req(server, 'POST', W, { body: widgetBody('W_1') });
    assert.equal(badName.status, 422);
    assert.match(badName.json.message, /^Widget\.example\.com "W_1" is invalid: metadata\.name: Invalid value: "W_1": a lowercase RFC 1123 subdomain/);
    assert.equal(badName.json.details.group, 'example.com');
  });

  it('validates metadata as ObjectMeta and keeps every other field (fieldValidation)', async () => {
    const strict = await req(server, 'POST', `${W}?fieldValidation=Strict`, { body: widgetBody('v1', { metadata: { name: 'v1', foo: 1 }, anything: { at: ['all'] } }) });
    assert.deepEqual([strict.status, strict.json.message], [400, 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "metadata.foo"']);
    const warned = await req(server, 'POST', W, { body: widgetBody('v2', { metadata: { name: 'v2', foo: 1 }, anything: { at: ['all'] } }) });
    assert.equal(warned.status, 201);
    assert.equal(warned.headers['warning'], '299 - "unknown field \\"metadata.foo\\""');
    assert.equal(warned.json.metadata.foo, undefined);
    assert.deepEqual(warned.json.anything, { at: ['all'] });
    const typed = await req(server, 'POST', W, { body: widgetBody('v3', { metadata: { name: 'v3', labels: { a: 1 } } }) });
    assert.deepEqual([typed.status, typed.json.message], [400, 'Widget in version "v1" cannot be handled as a Widget: json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string']);
    const duplicate = await req(server, 'POST', `${W}?fieldValidation=Strict`, { body: '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"v4"},"spec":{"x":1,"x":2}}' });
    assert.deepEqual([duplicate.status, duplicate.json.message], [400, 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: duplicate field "spec.x"']);
  });

  it('updates need a resourceVersion; any change outside metadata bumps generation', async () => {
    await req(server, 'POST', W, { body: widgetBody('g1') });
    const blind = await req(server, 'PUT', `${W}/g1`, { body: widgetBody('g1', { spec: { size: 4 } }) });
    assert.equal(blind.status, 422);
    assert.equal(blind.json.message, 'widgets.example.com "g1" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update');
    assert.deepEqual(blind.json.details, { name: 'g1', group: 'example.com', kind: 'widgets', causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be specified for an update', field: 'metadata.resourceVersion' }] });
    const current = (await req(server, 'GET', `${W}/g1`)).json;
    const updated = await req(server, 'PUT', `${W}/g1`, { body: { ...current, spec: { size: 4 } } });
    assert.deepEqual([updated.status, updated.json.metadata.generation, updated.json.spec], [200, 2, { size: 4 }]);
    const stale = await req(server, 'PUT', `${W}/g1`, { body: { ...current, spec: { size: 5 } } });
    assert.deepEqual([stale.status, stale.json.message], [409, 'Operation cannot be fulfilled on widgets.example.com "g1": the object has been modified; please apply your changes to the latest version and try again']);
    const labelled = await req(server, 'PATCH', `${W}/g1`, { body: { metadata: { labels: { x: 'y' } } }, contentType: merge });
    assert.equal(labelled.json.metadata.generation, 2, 'a metadata change keeps the generation');
    const status = await req(server, 'PATCH', `${W}/g1`, { body: { status: { ready: true } }, contentType: merge });
    assert.equal(status.json.metadata.generation, 3, 'without a status subresource, status counts too');
    const other = await req(server, 'PATCH', `${W}/g1`, { body: { extra: 'x' }, contentType: merge });
    assert.equal(other.json.metadata.generation, 4, 'so does any top-level field');
  });

  it('patches by merge, JSON and server-side apply, and refuses strategic merge with 415', async () => {
    await req(server, 'POST', W, { body: widgetBody('p1') });
    const merged = await req(server, 'PATCH', `${W}/p1?fieldManager=m`, { body: { spec: { size: 9, list: null } }, contentType: merge });
    assert.deepEqual([merged.status, merged.json.spec], [200, { size: 9 }]);
    const json = await req(server, 'PATCH', `${W}/p1`, { body: [{ op: 'add', path: '/spec/tags', value: ['a'] }], contentType: 'application/json-patch+json' });
    assert.deepEqual([json.status, json.json.spec], [200, { size: 9, tags: ['a'] }]);
    const strategic = await req(server, 'PATCH', `${W}/p1`, { body: { spec: { size: 1 } }, contentType: 'application/strategic-merge-patch+json' });
    assert.equal(strategic.status, 415);
    assert.equal(strategic.json.message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    const applied = await req(server, 'PATCH', `${W}/a1?fieldManager=apply`, {
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'a1' }, spec: { size: 1, m: { k: 'v' }, l: [1] } },
      contentType: 'application/apply-patch+yaml',
    });
    assert.equal(applied.status, 201);
    assert.deepEqual(applied.json.metadata.managedFields, [{
      manager: 'apply', operation: 'Apply', apiVersion: 'example.com/v1', time: applied.json.metadata.managedFields[0].time, fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { '.': {}, 'f:l': {}, 'f:m': { '.': {}, 'f:k': {} }, 'f:size': {} } },
    }]);
    const conflict = await req(server, 'PATCH', `${W}/a1?fieldManager=other`, {
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'a1' }, spec: { size: 2 } },
      contentType: 'application/apply-patch+yaml',
    });
    assert.deepEqual([conflict.status, conflict.json.message], [409, 'Apply failed with 1 conflict: conflict with "apply": .spec.size']);
  });

  it('deletes with kube\'s Success Status naming the group, and deletes collections by selector', async () => {
    await req(server, 'POST', W, { body: widgetBody('d1') });
    const deleted = await req(server, 'DELETE', `${W}/d1`);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.json.status, 'Success');
    assert.deepEqual({ ...deleted.json.details, uid: 'u' }, { name: 'd1', group: 'example.com', kind: 'widgets', uid: 'u' });
    await req(server, 'POST', W, { body: widgetBody('d2', { metadata: { name: 'd2', labels: { gone: 'yes' } } }) });
    const collection = await req(server, 'DELETE', `${W}?labelSelector=gone%3Dyes`);
    assert.deepEqual([collection.json.kind, collection.json.items.map((o: { kind: string; metadata: { name: string } }) => [o.kind, o.metadata.name])], ['WidgetList', [['Widget', 'd2']]]);
    assert.equal((await req(server, 'GET', `${W}/d2`)).status, 404);
  });

  it('selects by labels and by metadata.name and metadata.namespace only', async () => {
    const names = async (query: string): Promise<string[]> => (await req(server, 'GET', `/apis/example.com/v1/widgets?${query}`)).json.items.map((o: { metadata: { name: string } }) => o.metadata.name);
    assert.deepEqual(await names('fieldSelector=metadata.name%3Dw1'), ['w1']);
    assert.deepEqual(await names('fieldSelector=metadata.namespace%3Dshop,metadata.name%3Dw1'), ['w1']);
    assert.deepEqual(await names('fieldSelector=metadata.namespace%3Dother'), []);
    assert.ok((await names('labelSelector=app%3Dshop')).includes('w1'));
    const other = await req(server, 'GET', `${W}?fieldSelector=spec.size%3D3`);
    assert.deepEqual([other.status, other.json.message], [400, 'field label not supported: spec.size']);
  });

  it('serves Tables with kube\'s default columns for `kubectl get`', async () => {
    const table = await req(server, 'GET', `${W}?fieldSelector=metadata.name%3Dw1`, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    assert.equal(table.json.kind, 'Table');
    assert.deepEqual(table.json.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Age']);
    assert.equal(table.json.rows[0].cells[0], 'w1');
    assert.equal(table.json.rows[0].object.kind, 'PartialObjectMetadata');
    const missingStatus = await req(server, 'GET', `${W}/w1/status`);
    assert.deepEqual([missingStatus.status, missingStatus.json.message], [404, 'widgets.example.com "w1" not found'], 'no status subresource: kube answers NotFound');
  });

  it('watches from a resourceVersion and with WatchList, events carrying kind and apiVersion', async () => {
    const rv = (await req(server, 'GET', W)).json.metadata.resourceVersion;
    const live = await watch(server, `${W}?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Dw1`);
    const initial = await watch(server, `${W}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&fieldSelector=metadata.name%3Dw1`);
    try {
      await req(server, 'PATCH', `${W}/w1`, { body: { spec: { size: 7 } }, contentType: merge });
      const modified = await live.next();
      assert.deepEqual([modified.type, modified.object.kind, modified.object.apiVersion, modified.object.spec.size], ['MODIFIED', 'Widget', 'example.com/v1', 7]);
      const added = await initial.next();
      assert.deepEqual([added.type, added.object.kind, added.object.metadata.name], ['ADDED', 'Widget', 'w1']);
      const bookmark = await initial.next();
      assert.equal(bookmark.type, 'BOOKMARK');
      assert.deepEqual([bookmark.object.kind, bookmark.object.apiVersion, bookmark.object.metadata.annotations], ['Widget', 'example.com/v1', { 'k8s.io/initial-events-end': 'true' }]);
    } finally {
      live.close();
      initial.close();
    }
  });

  it('serves cluster-scoped resources without a namespace', async () => {
    const created = await req(server, 'POST', '/apis/example.com/v1/gadgets', { body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1', namespace: 'shop' } } });
    assert.equal(created.status, 201);
    assert.equal(created.json.metadata.namespace, undefined);
    assert.equal((await req(server, 'GET', '/apis/example.com/v1/gadgets/g1')).json.metadata.name, 'g1');
    assert.equal((await req(server, 'GET', '/apis/example.com/v1/namespaces/shop/gadgets/g1')).status, 404);
    assert.deepEqual((await req(server, 'GET', '/apis/example.com/v1/gadgets')).json.items.map((o: { metadata: { name: string } }) => o.metadata.name), ['g1']);
    assert.equal((await req(server, 'DELETE', '/apis/example.com/v1/gadgets/g1')).json.details.kind, 'gadgets');
  });

  it('keeps one store per group and plural: two groups\' widgets, and a `secrets` that is not core Secrets', async () => {
    await req(server, 'POST', '/apis/other.example/v1alpha1/namespaces/shop/widgets', { body: { apiVersion: 'other.example/v1alpha1', kind: 'Widget', metadata: { name: 'only-here' } } });
    assert.equal((await req(server, 'GET', `${W}/only-here`)).status, 404);
    const others = await req(server, 'GET', '/apis/other.example/v1alpha1/widgets');
    assert.deepEqual(others.json.items.map((o: { metadata: { name: string } }) => o.metadata.name), ['only-here']);
    // Not a core Secret: no base64 check, no `type` default, no data size rule, not listed as one.
    const lookalike = await req(server, 'POST', '/apis/example.com/v1/namespaces/shop/secrets', { body: { apiVersion: 'example.com/v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'not base64!' } } });
    assert.deepEqual([lookalike.status, lookalike.json.data, lookalike.json.type], [201, { k: 'not base64!' }, undefined]);
    assert.deepEqual((await req(server, 'GET', '/api/v1/namespaces/shop/secrets')).json.items, []);
    assert.equal((await req(server, 'GET', '/api/v1/namespaces/shop/secrets/s')).status, 404);
  });

  it('serves Ingresses of networking.k8s.io/v1 when they are registered', async () => {
    const body = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop' }, spec: { tls: [{ hosts: ['shop.example'], secretName: 'shop-tls' }] } };
    const created = await req(server, 'POST', '/apis/networking.k8s.io/v1/namespaces/shop/ingresses', { body });
    assert.equal(created.status, 201);
    assert.deepEqual(created.json.spec, body.spec);
    const all = await req(server, 'GET', '/apis/networking.k8s.io/v1/ingresses');
    assert.deepEqual(all.json.items.map((o: { metadata: { namespace: string; name: string } }) => `${o.metadata.namespace}/${o.metadata.name}`), ['shop/shop']);
  });

  it('publishes an OpenAPI v3 document per group-version (what kubectl reads)', async () => {
    const root = await req(server, 'GET', '/openapi/v3');
    assert.match(root.json.paths['apis/example.com/v1'].serverRelativeURL, /^\/openapi\/v3\/apis\/example\.com\/v1\?hash=[0-9A-F]{128}$/);
    const doc = (await req(server, 'GET', '/openapi/v3/apis/example.com/v1')).json;
    const kind = doc.components.schemas['com.example.v1.Widget'];
    assert.equal(kind['x-kubernetes-preserve-unknown-fields'], true);
    assert.deepEqual(kind['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
    const patch = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'example.com', version: 'v1', kind: 'Widget' });
    assert.ok(patch.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));
    assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'] !== undefined);
    assert.ok(doc.paths['/apis/example.com/v1/gadgets/{name}'] !== undefined, 'cluster-scoped paths');
  });

  it('empties a deleted namespace of its custom resources', async () => {
    await req(server, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'temp' } } });
    await req(server, 'POST', '/apis/example.com/v1/namespaces/temp/widgets', { body: widgetBody('t1') });
    const w = await watch(server, '/apis/example.com/v1/namespaces/temp/widgets?watch=1&resourceVersion=0');
    try {
      assert.equal((await w.next()).type, 'ADDED');
      await req(server, 'DELETE', '/api/v1/namespaces/temp');
      const gone = await w.next();
      assert.deepEqual([gone.type, gone.object.metadata.name], ['DELETED', 't1']);
    } finally {
      w.close();
    }
    assert.equal((await req(server, 'GET', '/apis/example.com/v1/namespaces/temp/widgets/t1')).status, 404);
  });
});
