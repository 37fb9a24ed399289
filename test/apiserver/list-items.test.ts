// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req, watch } from './helpers.ts';

// As kube-apiserver v1.37.2 answers (the differential corpus compares them):
// a typed list carries kind and apiVersion once, its items do not; watch
// events and Table rows keep their objects' own.
const NS = '/api/v1/namespaces/default';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

describe('list items', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
    for (const name of ['a', 'b']) {
      const made = await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name, labels: { set: 'one' } }, data: { k: name } } });
      assert.equal(made.status, 201, made.text);
    }
  });
  after(() => server.close());

  const typeMeta = (items: Record<string, unknown>[]): unknown[] => items.map((i) => [i['kind'], i['apiVersion']]);

  it('a list names the kind once; its items carry no kind or apiVersion, and keep everything else', async () => {
    const list = await req(server, 'GET', `${NS}/configmaps`);
    assert.equal(list.status, 200);
    assert.equal(list.json.kind, 'ConfigMapList');
    assert.equal(list.json.apiVersion, 'v1');
    assert.deepEqual(typeMeta(list.json.items), [[undefined, undefined], [undefined, undefined]]);
    assert.deepEqual(list.json.items.map((i: { metadata: { name: string }; data: unknown }) => [i.metadata.name, i.data]), [['a', { k: 'a' }], ['b', { k: 'b' }]]);
  });

  it('pages and views (another group-version) leave them out too; a single get keeps them', async () => {
    const page = await req(server, 'GET', `${NS}/configmaps?limit=1`);
    assert.deepEqual(typeMeta(page.json.items), [[undefined, undefined]]);
    assert.ok(page.json.metadata.continue);
    const made = await req(server, 'POST', `${NS}/events`, { body: { metadata: { name: 'e1' }, involvedObject: { kind: 'ConfigMap', name: 'a', namespace: 'default' }, reason: 'Tested', message: 'm' } });
    assert.equal(made.status, 201, made.text);
    const events = await req(server, 'GET', '/apis/events.k8s.io/v1/namespaces/default/events');
    assert.equal(events.status, 200, events.text);
    assert.equal(events.json.kind, 'EventList');
    assert.equal(events.json.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual(typeMeta(events.json.items), [[undefined, undefined]]);
    const one = await req(server, 'GET', `${NS}/configmaps/a`);
    assert.deepEqual([one.json.kind, one.json.apiVersion], ['ConfigMap', 'v1']);
  });

  it('Table rows keep their PartialObjectMetadata kind', async () => {
    const table = await req(server, 'GET', `${NS}/configmaps`, { headers: { accept: TABLE } });
    assert.equal(table.json.kind, 'Table');
    assert.deepEqual(typeMeta(table.json.rows.map((r: { object: unknown }) => r.object)), [
      ['PartialObjectMetadata', 'meta.k8s.io/v1'],
      ['PartialObjectMetadata', 'meta.k8s.io/v1'],
    ]);
  });

  it('watch events keep the object\'s kind and apiVersion', async () => {
    const w = await watch(server, `${NS}/configmaps?watch=true&resourceVersion=0`);
    try {
      const first = await w.next();
      assert.equal(first.type, 'ADDED');
      assert.deepEqual([first.object.kind, first.object.apiVersion], ['ConfigMap', 'v1']);
    } finally {
      w.close();
    }
  });

  it('a deletecollection answers the deleted objects as a typed list, items without type meta', async () => {
    const gone = await req(server, 'DELETE', `${NS}/configmaps?labelSelector=set%3Done`);
    assert.equal(gone.status, 200);
    assert.equal(gone.json.kind, 'ConfigMapList');
    assert.deepEqual(typeMeta(gone.json.items), [[undefined, undefined], [undefined, undefined]]);
    assert.deepEqual(gone.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['a', 'b']);
  });
});
