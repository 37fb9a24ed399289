// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { pod, req, watch } from './helpers.ts';

// Every answer here was checked against kube-apiserver v1.37.2.
const NS = '/api/v1/namespaces/default';

describe('dryRun=All', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  /** Runs `write` and asserts it stored nothing: same RV, and a watch from before sees only a later real change. */
  async function storesNothing(write: () => Promise<void>): Promise<void> {
    const rv = Number(server.metrics().resourceVersion);
    await write();
    assert.equal(Number(server.metrics().resourceVersion), rv, 'a dry run uses up no resourceVersion');
    const w = await watch(server, `${NS}/configmaps?watch=true&resourceVersion=${rv}`);
    try {
      const marker = await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { generateName: 'marker-' } } });
      assert.equal(marker.status, 201);
      const ev = await w.next();
      assert.equal(ev.object.metadata.name, marker.json.metadata.name, 'the first event after the dry run is the next real change');
      assert.equal(ev.object.metadata.resourceVersion, String(rv + 1));
    } finally {
      w.close();
    }
  }

  it('create answers the object with uid, creationTimestamp and generation but no resourceVersion, and stores nothing', async () => {
    await storesNothing(async () => {
      const r = await req(server, 'POST', `${NS}/configmaps?dryRun=All`, { body: { metadata: { name: 'dry-cm' }, data: { k: 'v' } } });
      assert.equal(r.status, 201);
      assert.match(r.json.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(r.json.metadata.creationTimestamp, /Z$/);
      assert.equal(r.json.metadata.resourceVersion, undefined);
      const p = await req(server, 'POST', `${NS}/pods?dryRun=All`, { body: pod('dry-pod') });
      assert.equal(p.status, 201);
      assert.equal(p.json.metadata.generation, 1);
      assert.equal(p.json.spec.restartPolicy, 'Always', 'defaulting ran');
    });
    assert.equal((await req(server, 'GET', `${NS}/configmaps/dry-cm`)).status, 404);
    assert.equal((await req(server, 'GET', `${NS}/pods/dry-pod`)).status, 404);
  });

  it('runs validation, conflicts and namespace checks', async () => {
    const bad = await req(server, 'POST', `${NS}/configmaps?dryRun=All`, { body: { metadata: { name: 'Bad_Name' } } });
    assert.equal(bad.status, 422);
    const made = await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name: 'dry-exists' }, data: { k: 'v' } } });
    assert.equal(made.status, 201);
    const dup = await req(server, 'POST', `${NS}/configmaps?dryRun=All`, { body: { metadata: { name: 'dry-exists' } } });
    assert.equal(dup.status, 409);
    const noNs = await req(server, 'POST', '/api/v1/namespaces/nope/configmaps?dryRun=All', { body: { metadata: { name: 'x' } } });
    assert.equal(noNs.status, 404);
    assert.equal(noNs.json.message, 'namespaces "nope" not found');
    const stale = await req(server, 'PUT', `${NS}/configmaps/dry-exists?dryRun=All`, { body: { metadata: { name: 'dry-exists', resourceVersion: '1' }, data: {} } });
    assert.equal(stale.status, 409);
  });

  it('update and every patch type answer the changed object with the old resourceVersion and store nothing', async () => {
    const made = await req(server, 'POST', `${NS}/pods`, { body: pod('dry-up') });
    const rv = made.json.metadata.resourceVersion;
    await storesNothing(async () => {
      const body = { ...made.json, spec: { ...made.json.spec, activeDeadlineSeconds: 5 } };
      const put = await req(server, 'PUT', `${NS}/pods/dry-up?dryRun=All`, { body });
      assert.equal(put.status, 200);
      assert.equal(put.json.spec.activeDeadlineSeconds, 5);
      assert.equal(put.json.metadata.resourceVersion, rv);
      assert.equal(put.json.metadata.generation, 2, 'the spec change bumps generation in the answer');
      assert.equal(put.json.metadata.uid, made.json.metadata.uid);
      const patches: [string, unknown][] = [
        ['application/merge-patch+json', { metadata: { labels: { a: 'b' } } }],
        ['application/strategic-merge-patch+json', { metadata: { labels: { a: 'b' } } }],
        ['application/json-patch+json', [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }]],
      ];
      for (const [contentType, patch] of patches) {
        const r = await req(server, 'PATCH', `${NS}/pods/dry-up?dryRun=All`, { body: patch, contentType });
        assert.equal(r.status, 200, contentType);
        assert.deepEqual(r.json.metadata.labels, { a: 'b' });
        assert.equal(r.json.metadata.resourceVersion, rv);
      }
      const status = await req(server, 'PUT', `${NS}/pods/dry-up/status?dryRun=All`, { body: { ...made.json, status: { phase: 'Running' } } });
      assert.equal(status.status, 200);
      assert.equal(status.json.status.phase, 'Running');
    });
    const now = await req(server, 'GET', `${NS}/pods/dry-up`);
    assert.equal(now.json.metadata.resourceVersion, rv);
    assert.equal(now.json.metadata.labels, undefined);
    assert.equal(now.json.status.phase, 'Pending');
  });

  it('delete (query or DeleteOptions body), finalizers and deletecollection answer as kube and remove nothing', async () => {
    await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name: 'dry-del' } } });
    await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name: 'dry-fin', finalizers: ['example.com/keep'] } } });
    await storesNothing(async () => {
      const del = await req(server, 'DELETE', `${NS}/configmaps/dry-del?dryRun=All`);
      assert.equal(del.status, 200);
      assert.equal(del.json.status, 'Success');
      const body = await req(server, 'DELETE', `${NS}/configmaps/dry-del`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] } });
      assert.equal(body.status, 200);
      const fin = await req(server, 'DELETE', `${NS}/configmaps/dry-fin?dryRun=All`);
      assert.equal(fin.status, 202);
      assert.notEqual(fin.json.metadata.deletionTimestamp, undefined);
      const all = await req(server, 'DELETE', `${NS}/configmaps?dryRun=All`);
      assert.equal(all.status, 200);
      assert.ok(all.json.items.some((o: { metadata: { name: string } }) => o.metadata.name === 'dry-del'));
      const ns = await req(server, 'DELETE', '/api/v1/namespaces/default?dryRun=All');
      assert.equal(ns.status, 200);
    });
    assert.equal((await req(server, 'GET', `${NS}/configmaps/dry-del`)).status, 200);
    const fin = await req(server, 'GET', `${NS}/configmaps/dry-fin`);
    assert.equal(fin.json.metadata.deletionTimestamp, undefined);
    const ns = await req(server, 'GET', '/api/v1/namespaces/default');
    assert.equal(ns.json.status.phase, 'Active');
  });

  it('refuses other dryRun values with kube\'s 422 naming the options kind', async () => {
    const cases: [string, string, string][] = [
      ['POST', `${NS}/configmaps?dryRun=Foo`, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Foo"]: supported values: "All"'],
      ['POST', `${NS}/configmaps?dryRun=`, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: [""]: supported values: "All"'],
      ['PATCH', `${NS}/configmaps/x?dryRun=All&dryRun=Foo`, 'PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["All","Foo"]: supported values: "All"'],
      ['DELETE', `${NS}/configmaps/x?dryRun=X`, 'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["X"]: supported values: "All"'],
    ];
    for (const [method, path, message] of cases) {
      const r = await req(server, method, path, method === 'DELETE' ? {} : { body: { metadata: { name: 'x' } }, contentType: method === 'PATCH' ? 'application/merge-patch+json' : undefined });
      assert.equal(r.status, 422, path);
      assert.equal(r.json.reason, 'Invalid');
      assert.equal(r.json.message, message);
      assert.equal(r.json.details.causes[0].reason, 'FieldValueNotSupported');
    }
  });
});
