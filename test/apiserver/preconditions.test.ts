// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';

// Every answer here was checked against kube-apiserver v1.37.2.
const CMS = '/api/v1/namespaces/default/configmaps';
const other = '00000000-0000-0000-0000-000000000000';

describe('preconditions', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  async function create(path: string, body: unknown): Promise<{ uid: string; rv: string }> {
    const r = await req(server, 'POST', path, { body });
    assert.equal(r.status, 201);
    return { uid: r.json.metadata.uid, rv: r.json.metadata.resourceVersion };
  }

  it('an update whose metadata.uid is not the stored one is 409 Conflict and changes nothing, even with a stale resourceVersion', async () => {
    const { uid, rv } = await create(CMS, { metadata: { name: 'uid-put' }, data: { k: 'v' } });
    for (const metadata of [{ name: 'uid-put', uid: other }, { name: 'uid-put', uid: other, resourceVersion: '1' }]) {
      const r = await req(server, 'PUT', `${CMS}/uid-put`, { body: { metadata, data: { k: 'changed', 'bad key!': 'x' } } });
      assert.equal(r.status, 409);
      assert.equal(r.json.reason, 'Conflict');
      assert.equal(
        r.json.message,
        `Operation cannot be fulfilled on configmaps "uid-put": StorageError: invalid object, Code: 4, Key: /registry/configmaps/default/uid-put, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${other}, UID in object meta: ${uid}`,
      );
      assert.deepEqual(r.json.details, { name: 'uid-put', kind: 'configmaps' });
    }
    const dry = await req(server, 'PUT', `${CMS}/uid-put?dryRun=All`, { body: { metadata: { name: 'uid-put', uid: other }, data: { k: 'v' } } });
    assert.equal(dry.status, 409);
    assert.match(dry.json.message, /: StorageError: invalid object, Code: 4, Key: \/configmaps\/default\/uid-put, ResourceVersion: 0, /, 'a dry run\'s storage key has no /registry');
    const kept = await req(server, 'GET', `${CMS}/uid-put`);
    assert.equal(kept.json.metadata.resourceVersion, rv);
    assert.deepEqual(kept.json.data, { k: 'v' });
    const same = await req(server, 'PUT', `${CMS}/uid-put`, { body: { metadata: { name: 'uid-put', uid }, data: { k: 'v2' } } });
    assert.equal(same.status, 200, 'the stored uid passes');
  });

  it('names the etcd key of a cluster-scoped object, and checks /status updates too', async () => {
    const { uid } = await create('/api/v1/namespaces', { metadata: { name: 'uid-ns' } });
    for (const path of ['/api/v1/namespaces/uid-ns', '/api/v1/namespaces/uid-ns/status']) {
      const r = await req(server, 'PUT', path, { body: { metadata: { name: 'uid-ns', uid: other } } });
      assert.equal(r.status, 409, path);
      assert.equal(r.json.message, `Operation cannot be fulfilled on namespaces "uid-ns": StorageError: invalid object, Code: 4, Key: /registry/namespaces/uid-ns, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${other}, UID in object meta: ${uid}`);
    }
  });

  it('a patch that changes metadata.uid is 422 on the immutable field; one that removes it keeps the uid', async () => {
    const { uid } = await create(CMS, { metadata: { name: 'uid-patch' }, data: { k: 'v' } });
    const r = await req(server, 'PATCH', `${CMS}/uid-patch`, { body: { metadata: { uid: 'x' } }, contentType: 'application/merge-patch+json' });
    assert.equal(r.status, 422);
    assert.equal(r.json.message, 'ConfigMap "uid-patch" is invalid: metadata.uid: Invalid value: "x": field is immutable');
    assert.deepEqual(r.json.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: "x": field is immutable', field: 'metadata.uid' }]);
    const removed = await req(server, 'PATCH', `${CMS}/uid-patch`, { body: { metadata: { uid: null } }, contentType: 'application/merge-patch+json' });
    assert.equal(removed.status, 200);
    assert.equal(removed.json.metadata.uid, uid);
  });

  it('a failed delete precondition says which, uid first, naming the kind', async () => {
    const { uid, rv } = await create(CMS, { metadata: { name: 'pre' } });
    const both = await req(server, 'DELETE', `${CMS}/pre`, { body: { preconditions: { uid: other, resourceVersion: '1' } } });
    assert.equal(both.status, 409);
    assert.equal(both.json.reason, 'Conflict');
    assert.equal(both.json.message, `Operation cannot be fulfilled on ConfigMap "pre": the UID in the precondition (${other}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`);
    assert.deepEqual(both.json.details, { name: 'pre', kind: 'ConfigMap' });
    const stale = await req(server, 'DELETE', `${CMS}/pre`, { body: { preconditions: { uid, resourceVersion: '1' } } });
    assert.equal(stale.json.message, `Operation cannot be fulfilled on ConfigMap "pre": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${rv}). The object might have been modified`);
    const met = await req(server, 'DELETE', `${CMS}/pre`, { body: { preconditions: { uid, resourceVersion: rv } } });
    assert.equal(met.status, 200);
  });

  it('a namespace and an events.k8s.io Event answer their own precondition wording', async () => {
    const ns = await create('/api/v1/namespaces', { metadata: { name: 'pre-ns' } });
    const r = await req(server, 'DELETE', '/api/v1/namespaces/pre-ns', { body: { preconditions: { resourceVersion: '1' } } });
    assert.equal(r.status, 409);
    assert.equal(r.json.message, `Operation cannot be fulfilled on namespaces "pre-ns": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${ns.rv}`);
    assert.deepEqual(r.json.details, { name: 'pre-ns', kind: 'namespaces' });
    const events = '/apis/events.k8s.io/v1/namespaces/default/events';
    const ev = await create(events, {
      metadata: { name: 'pre-ev' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'a/b',
      reportingInstance: 'x',
      action: 'A',
      reason: 'R',
      type: 'Normal',
      regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
    });
    const e = await req(server, 'DELETE', `${events}/pre-ev`, { body: { preconditions: { uid: 'x' } } });
    assert.equal(e.status, 409);
    assert.equal(e.json.message, `Operation cannot be fulfilled on Event "pre-ev": the UID in the precondition (x) does not match the UID in record (${ev.uid}). The object might have been deleted and then recreated`);
    assert.deepEqual(e.json.details, { name: 'pre-ev', kind: 'Event' });
  });
});
