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
    // A PUT of a missing event creates it, as kube allows for events.
    const put = await req(server, 'PUT', `${E}/put-made`, { body: event('put-made') });
    assert.equal(put.status, 201, put.text);
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

  it('serves the same events as events.k8s.io/v1, fields mapped both ways, as kube keeps one store for both', async () => {
    const G = '/apis/events.k8s.io/v1/namespaces/default/events';
    const core = await req(server, 'POST', E, { body: event('from-core', { involvedObject: { kind: 'Pod', name: 'shared', namespace: 'default' } }) });
    assert.equal(core.status, 201);
    const seen = await req(server, 'GET', `${G}/from-core`);
    assert.equal(seen.status, 200);
    const { metadata, ...view } = seen.json;
    assert.deepEqual(metadata, core.json.metadata, 'the same object: name, uid, resourceVersion');
    assert.deepEqual(view, {
      kind: 'Event', apiVersion: 'events.k8s.io/v1', eventTime: null, reason: 'Created', regarding: { kind: 'Pod', name: 'shared', namespace: 'default' },
      note: 'made it', type: 'Normal', deprecatedSource: { component: 'tester' }, deprecatedFirstTimestamp: null, deprecatedLastTimestamp: null,
    });
    const modern = {
      metadata: { name: 'from-v1' }, eventTime: '2026-05-01T10:00:00.000000Z', series: { count: 2, lastObservedTime: '2026-05-01T10:01:00.000000Z' },
      reportingController: 'example.com/ctrl', reportingInstance: 'ctrl-1', action: 'Sync', reason: 'Synced', regarding: { kind: 'Pod', name: 'shared', namespace: 'default' },
      note: 'synced it', type: 'Normal',
    };
    const created = await req(server, 'POST', G, { body: { kind: 'Event', apiVersion: 'events.k8s.io/v1', ...modern } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.apiVersion, 'events.k8s.io/v1');
    assert.equal(created.json.note, 'synced it');
    const inCore = await req(server, 'GET', `${E}/from-v1`);
    assert.equal(inCore.json.apiVersion, 'v1');
    assert.deepEqual([inCore.json.message, inCore.json.reportingComponent, inCore.json.involvedObject.name, inCore.json.series.count], ['synced it', 'example.com/ctrl', 'shared', 2]);
    // Its own field selectors: regarding.*, reportingController; not the core names.
    const byRegarding = await req(server, 'GET', `${G}?fieldSelector=${encodeURIComponent('regarding.name=shared,reportingController=example.com/ctrl')}`);
    assert.equal(byRegarding.json.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual(names(byRegarding.json), ['from-v1']);
    const coreLabel = await req(server, 'GET', `${G}?fieldSelector=involvedObject.name%3Dshared`);
    assert.equal(coreLabel.status, 400);
    assert.equal(coreLabel.json.message, 'field label not supported: involvedObject.name');
    const changed = await req(server, 'PATCH', `${G}/from-v1`, { body: { note: 'other', type: 'Warning', regarding: { kind: 'Pod', name: 'q', namespace: 'default' } }, contentType: 'application/merge-patch+json' });
    assert.equal(changed.status, 422);
    assert.equal(changed.json.message, 'Event "from-v1" is invalid: [involvedObject: Invalid value: {"Kind":"Pod","Namespace":"default","Name":"q","UID":"","APIVersion":"","ResourceVersion":"","FieldPath":""}: field is immutable, message: Invalid value: "other": field is immutable, type: Invalid value: "Warning": field is immutable]');
    const viaPut = await req(server, 'PUT', `${G}/from-v1`, { body: { ...modern, reportingController: 'other/y' } });
    assert.equal(viaPut.status, 422);
    assert.equal(viaPut.json.message, 'Event "from-v1" is invalid: reportingController: Invalid value: "other/y": field is immutable');
    // Through core/v1 the same change is an ordinary update, as in kube.
    assert.equal((await req(server, 'PATCH', `${E}/from-core`, { body: { message: 'edited' }, contentType: 'application/merge-patch+json' })).status, 200);
    const patched = await req(server, 'PATCH', `${G}/from-v1`, { body: { series: { count: 3, lastObservedTime: '2026-05-01T10:02:00.000000Z' } }, contentType: 'application/merge-patch+json' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await req(server, 'GET', `${E}/from-v1`)).json.series.count, 3);
  });

  it('refuses through events.k8s.io/v1 what it requires, and names itself in errors', async () => {
    const G = '/apis/events.k8s.io/v1/namespaces/default/events';
    const old = await req(server, 'POST', G, { body: { metadata: { name: 'no-time' }, regarding: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'R', type: 'Normal' } });
    assert.equal(old.status, 422);
    assert.equal(old.json.message, 'Event "no-time" is invalid: eventTime: Required value');
    const odd = await req(server, 'POST', G, { body: { metadata: { name: 'odd' }, eventTime: '2026-05-01T10:00:00.000000Z', reportingController: 'me/x', reason: 'R', type: 'Odd' } });
    assert.equal(odd.status, 422);
    assert.equal(odd.json.message, 'Event "odd" is invalid: [reportingInstance: Required value, action: Required value, type: Invalid value: "": has invalid value: Odd]');
    const missing = await req(server, 'GET', `${G}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'events.events.k8s.io "nope" not found');
    assert.deepEqual(missing.json.details, { name: 'nope', group: 'events.k8s.io', kind: 'events' });
    const gone = await req(server, 'DELETE', `${G}/from-core`);
    assert.equal(gone.status, 200);
    assert.deepEqual([gone.json.status, gone.json.details.group, gone.json.details.name], ['Success', 'events.k8s.io', 'from-core']);
    assert.equal((await req(server, 'GET', `${E}/from-core`)).status, 404);
  });

  it('watches through events.k8s.io/v1 with the objects converted, whichever API wrote them', async () => {
    const G = '/apis/events.k8s.io/v1/namespaces/default/events';
    const w = await watch(server, `${G}?watch=true&fieldSelector=regarding.name%3Dwatched&resourceVersion=${server.metrics().resourceVersion}`);
    const coreWatch = await watch(server, `${E}?watch=true&fieldSelector=involvedObject.name%3Dwatched&resourceVersion=${server.metrics().resourceVersion}`);
    try {
      await req(server, 'POST', E, { body: event('w1', { involvedObject: { kind: 'Pod', name: 'watched', namespace: 'default' } }) });
      const ev = await w.next();
      assert.equal(ev.type, 'ADDED');
      assert.deepEqual([ev.object.apiVersion, ev.object.metadata.name, ev.object.regarding.name, ev.object.note], ['events.k8s.io/v1', 'w1', 'watched', 'made it']);
      const coreEv = await coreWatch.next();
      assert.deepEqual([coreEv.object.apiVersion, coreEv.object.involvedObject.name, coreEv.object.message], ['v1', 'watched', 'made it']);
    } finally {
      w.close();
      coreWatch.close();
    }
  });
});
