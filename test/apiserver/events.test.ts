// core/v1 Events: what kube-apiserver v1.37.2 writes into them, its
// validation, and the field selectors `kubectl describe` and `kubectl events`
// list them with (involvedObject.*, reason, reportingComponent, source, type).
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { req, watch } from './helpers.ts';

const E = '/api/v1/namespaces/default/events';

function event(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    metadata: { name },
    involvedObject: { kind: 'ConfigMap', name: 'cm', namespace: 'default', uid: 'u-1', apiVersion: 'v1' },
    reason: 'Created',
    message: 'made it',
    type: 'Normal',
    source: { component: 'tester' },
    ...extra,
  };
}

const names = (list: { items: { metadata: { name: string } }[] }): string[] => list.items.map((e) => e.metadata.name).sort();

describe('apiserver: events', () => {
  let server: ApiServer;
  const clock = new FakeClock(Date.parse('2026-05-01T10:00:00Z'));
  before(async () => {
    server = await startApiServer({ clock });
  });
  after(() => server.close());

  it('stores an event with the fields kube always writes, and is listed in /api/v1 discovery', async () => {
    const r = await req(server, 'POST', E, { body: { metadata: { name: 'e0' }, involvedObject: { kind: 'ConfigMap', name: 'foo', namespace: 'default' }, reason: 'Hi', message: 'm', type: 'Normal' } });
    assert.equal(r.status, 201, r.text);
    const { metadata, ...rest } = r.json;
    assert.equal(metadata.name, 'e0');
    assert.deepEqual(rest, {
      kind: 'Event', apiVersion: 'v1', involvedObject: { kind: 'ConfigMap', name: 'foo', namespace: 'default' }, reason: 'Hi', message: 'm', type: 'Normal',
      source: {}, firstTimestamp: null, lastTimestamp: null, eventTime: null, reportingComponent: '', reportingInstance: '',
    });
    const v1 = await req(server, 'GET', '/api/v1');
    const entry = v1.json.resources.find((x: { name: string }) => x.name === 'events');
    assert.deepEqual(entry, { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ev'] });
  });

  it('refuses an involved object in another namespace, and a new-style event without its reporting fields', async () => {
    const other = await req(server, 'POST', E, { body: event('bad', { involvedObject: { kind: 'ConfigMap', name: 'cm', namespace: 'other' } }) });
    assert.equal(other.status, 422);
    assert.equal(other.json.message, 'Event "bad" is invalid: involvedObject.namespace: Invalid value: "other": does not match event.namespace');
    // A cluster-scoped object's events go to default.
    const node = { kind: 'Node', name: 'n1' };
    assert.equal((await req(server, 'POST', E, { body: event('node-event', { involvedObject: node }) })).status, 201);
    const system = await req(server, 'POST', '/api/v1/namespaces/kube-system/events', { body: event('node-event', { involvedObject: node }) });
    assert.equal(system.status, 422);
    assert.equal(system.json.message, 'Event "node-event" is invalid: involvedObject.namespace: Invalid value: "": does not match event.namespace');
    const modern = await req(server, 'POST', E, { body: { metadata: { name: 'e3' }, involvedObject: { kind: 'ConfigMap', name: 'foo' }, eventTime: '2026-05-01T10:00:00.000000Z' } });
    assert.equal(modern.status, 422);
    assert.deepEqual(modern.json.details.causes.map((c: { field: string; reason: string }) => `${c.field} ${c.reason}`), [
      'reportingComponent FieldValueRequired', 'reportingComponent FieldValueInvalid', 'reportingComponent FieldValueInvalid',
      'reportingInstance FieldValueRequired', 'action FieldValueRequired', 'reason FieldValueRequired',
    ]);
  });

  it('selects by kube\'s event fields, as kubectl describe asks (involvedObject name, namespace, kind, uid)', async () => {
    await req(server, 'POST', E, { body: event('cm-created') });
    await req(server, 'POST', E, { body: event('cm-warned', { reason: 'Failed', type: 'Warning', source: {}, reportingComponent: 'ctrl' }) });
    await req(server, 'POST', E, { body: event('pod-started', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'default', uid: 'u-2', fieldPath: 'spec.containers{c}' }, reason: 'Started' }) });
    const select = async (selector: string): Promise<string[]> => {
      const r = await req(server, 'GET', `${E}?fieldSelector=${encodeURIComponent(selector)}`);
      assert.equal(r.status, 200, `${selector}: ${r.text}`);
      return names(r.json);
    };
    assert.deepEqual(await select('involvedObject.name=cm,involvedObject.namespace=default,involvedObject.kind=ConfigMap,involvedObject.uid=u-1'), ['cm-created', 'cm-warned']);
    assert.deepEqual(await select('involvedObject.fieldPath=spec.containers{c}'), ['pod-started']);
    assert.deepEqual(await select('involvedObject.apiVersion=v1,reason=Created'), ['cm-created']);
    assert.deepEqual(await select('type=Warning'), ['cm-warned']);
    assert.deepEqual(await select('reportingComponent=ctrl'), ['cm-warned']);
    // `source` is the source component, or the reporting controller when there is none.
    assert.deepEqual(await select('source=ctrl'), ['cm-warned']);
    assert.deepEqual(await select('source=tester,reason!=Started'), ['cm-created', 'node-event']);
    const bad = await req(server, 'GET', `${E}?fieldSelector=foo%3Dbar`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.message, 'field label not supported: foo');
  });

  it('watches with a field selector, and deletes with a Success status', async () => {
    const w = await watch(server, `${E}?watch=true&fieldSelector=type%3DWarning&resourceVersion=${server.metrics().resourceVersion}`);
    try {
      await req(server, 'POST', E, { body: event('quiet') });
      await req(server, 'POST', E, { body: event('loud', { type: 'Warning' }) });
      const ev = await w.next();
      assert.equal(ev.type, 'ADDED');
      assert.equal(ev.object.metadata.name, 'loud');
    } finally {
      w.close();
    }
    const del = await req(server, 'DELETE', `${E}/loud`);
    assert.equal(del.status, 200);
    assert.equal(del.json.kind, 'Status');
    assert.deepEqual([del.json.status, del.json.details.name, del.json.details.kind], ['Success', 'loud', 'events']);
  });

  it('prints kube\'s event columns for kubectl get events', async () => {
    await req(server, 'POST', E, {
      body: event('counted', { firstTimestamp: '2026-05-01T09:50:00Z', lastTimestamp: '2026-05-01T09:58:00Z', count: 4, message: '  padded  ', source: { component: 'kubelet', host: 'node-1' } }),
    });
    await req(server, 'POST', E, {
      body: { metadata: { name: 'modern' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, eventTime: '2026-05-01T09:30:00.000000Z', reportingComponent: 'me', reportingInstance: 'i', action: 'Do', reason: 'R', type: 'Normal' },
    });
    const table = await req(server, 'GET', `${E}?fieldSelector=metadata.name%3Dcounted`, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    assert.deepEqual(table.json.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}/${c.priority}`), [
      'Last Seen/0', 'Type/0', 'Reason/0', 'Object/0', 'Subobject/1', 'Source/1', 'Message/0', 'First Seen/1', 'Count/1', 'Name/1',
    ]);
    assert.deepEqual(table.json.rows[0].cells, ['2m', 'Normal', 'Created', 'configmap/cm', '', 'kubelet, node-1', 'padded', '10m', 4, 'counted']);
    const modern = await req(server, 'GET', `${E}?fieldSelector=metadata.name%3Dmodern`, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    assert.deepEqual(modern.json.rows[0].cells, ['30m', 'Normal', 'R', 'pod/p', '', 'me, i', '', '30m', 1, 'modern']);
  });
});
