// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { pod, req, secret } from './helpers.ts';

const names = (r: { json: { items: { metadata: { name: string } }[] } }): string[] => r.json.items.map((i) => i.metadata.name);

describe('apiserver list', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer({ tls: false });
    await req(server, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'ls' } } });
    await req(server, 'POST', '/api/v1/namespaces/ls/pods', { body: pod('p1', { spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] }, metadata: { name: 'p1', labels: { app: 'web', tier: '1' } } }) });
    await req(server, 'POST', '/api/v1/namespaces/ls/pods', { body: pod('p2', { spec: { nodeName: 'n2', containers: [{ name: 'c', image: 'i' }] }, metadata: { name: 'p2', labels: { app: 'db', tier: '3' } } }) });
    await req(server, 'POST', '/api/v1/namespaces/ls/pods', { body: pod('p3', { metadata: { name: 'p3' } }) });
    await req(server, 'POST', '/api/v1/namespaces/ls/secrets', { body: secret('s1', { 'tls.crt': 'eA==', 'tls.key': 'eQ==' }, { type: 'kubernetes.io/tls' }) });
    await req(server, 'POST', '/api/v1/namespaces/ls/secrets', { body: secret('s2') });
  });
  after(() => server.close());

  it('answers a typed list with the current RV and items always present', async () => {
    const r = await req(server, 'GET', '/api/v1/namespaces/ls/configmaps');
    assert.equal(r.json.kind, 'ConfigMapList');
    assert.equal(r.json.apiVersion, 'v1');
    assert.deepEqual(r.json.items, []);
    assert.equal(r.json.metadata.resourceVersion, server.metrics().resourceVersion);
    const all = await req(server, 'GET', '/api/v1/pods');
    assert.deepEqual(names(all), ['p1', 'p2', 'p3']);
  });

  it('answers a meta.k8s.io/v1 Table when asked, with kube\'s columns and PartialObjectMetadata rows', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const r = await req(server, 'GET', '/api/v1/namespaces/ls/pods?limit=1', { headers: { accept } });
    assert.equal(r.json.kind, 'Table');
    assert.equal(r.json.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(r.json.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    assert.deepEqual(r.json.rows[0].cells.slice(7), ['<none>', '<none>']);
    assert.deepEqual(r.json.rows[0].cells.slice(0, 4), ['p1', '0/1', 'Pending', '0']);
    assert.equal(r.json.rows[0].object.kind, 'PartialObjectMetadata');
    assert.equal(r.json.rows[0].object.metadata.name, 'p1');
    assert.ok(r.json.metadata.continue, 'pagination metadata is kept');
    const one = await req(server, 'GET', '/api/v1/namespaces/ls/secrets/s1', { headers: { accept } });
    assert.deepEqual(one.json.rows[0].cells.slice(0, 3), ['s1', 'kubernetes.io/tls', 2]);
    const v1beta1Only = await req(server, 'GET', '/api/v1/namespaces/ls/pods', { headers: { accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' } });
    assert.equal(v1beta1Only.status, 406);
  });

  it('filters by label selectors', async () => {
    const q = async (sel: string): Promise<string[]> => names(await req(server, 'GET', `/api/v1/namespaces/ls/pods?labelSelector=${encodeURIComponent(sel)}`));
    assert.deepEqual(await q('app=web'), ['p1']);
    assert.deepEqual(await q('app==web'), ['p1']);
    assert.deepEqual(await q('app!=web'), ['p2', 'p3']);
    assert.deepEqual(await q('app in (web,db)'), ['p1', 'p2']);
    assert.deepEqual(await q('app notin (web)'), ['p2', 'p3']);
    assert.deepEqual(await q('app'), ['p1', 'p2']);
    assert.deepEqual(await q('!app'), ['p3']);
    assert.deepEqual(await q('tier>2'), ['p2']);
    assert.deepEqual(await q('tier<2,app'), ['p1']);
    const bad = await req(server, 'GET', `/api/v1/namespaces/ls/pods?labelSelector=${encodeURIComponent('a in (b')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.reason, 'BadRequest');
  });

  it('filters by the field selectors kube supports and 400s the others with kube\'s text', async () => {
    const q = (sel: string, res = 'pods'): Promise<{ status: number; json: any }> => req(server, 'GET', `/api/v1/namespaces/ls/${res}?fieldSelector=${encodeURIComponent(sel)}`); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(names(await q('spec.nodeName=n1')), ['p1']);
    assert.deepEqual(names(await q('spec.nodeName=')), ['p3']);
    assert.deepEqual(names(await q('status.phase=Pending,metadata.name!=p1')), ['p2', 'p3']);
    assert.deepEqual(names(await q('metadata.name==p2')), ['p2']);
    assert.deepEqual(names(await q('metadata.namespace=ls')), ['p1', 'p2', 'p3']);
    assert.deepEqual(names(await q('type=kubernetes.io/tls', 'secrets')), ['s1']);
    const podBad = await q('spec.bogus=x');
    assert.equal(podBad.status, 400);
    assert.equal(podBad.json.message, 'field label not supported: spec.bogus');
    const cmBad = await q('data.x=y', 'configmaps');
    assert.equal(cmBad.status, 400);
    assert.equal(cmBad.json.message, '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
    assert.equal((await q('nonsense')).status, 400);
  });

  it('paginates with limit/continue at the first page\'s RV, with remainingItemCount', async () => {
    const first = await req(server, 'GET', '/api/v1/pods?limit=2');
    assert.deepEqual(names(first), ['p1', 'p2']);
    assert.equal(first.json.metadata.remainingItemCount, 1);
    const token: string = first.json.metadata.continue;
    assert.ok(token);
    // A change between pages is not seen by later pages (consistent snapshot).
    await req(server, 'POST', '/api/v1/namespaces/ls/pods', { body: pod('p4') });
    const second = await req(server, 'GET', `/api/v1/pods?limit=2&continue=${token}`);
    assert.deepEqual(names(second), ['p3']);
    assert.equal(second.json.metadata.continue, undefined);
    assert.equal(second.json.metadata.resourceVersion, first.json.metadata.resourceVersion);
    const withRv = await req(server, 'GET', `/api/v1/pods?limit=2&continue=${token}&resourceVersion=5`);
    assert.equal(withRv.status, 400);
    const garbage = await req(server, 'GET', '/api/v1/pods?limit=2&continue=zzz');
    assert.equal(garbage.status, 400);
    server.faults.compactHistory();
    const expired = await req(server, 'GET', `/api/v1/pods?limit=2&continue=${token}`);
    assert.equal(expired.status, 410);
    assert.equal(expired.json.reason, 'Expired');
    assert.match(String(expired.json.message), /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token in this response/, "kube-apiserver v1.37.2's message");
    await req(server, 'DELETE', '/api/v1/namespaces/ls/pods/p4');
  });

  it('honours resourceVersion and resourceVersionMatch', async () => {
    const before = Number(server.metrics().resourceVersion);
    await req(server, 'POST', '/api/v1/namespaces/ls/configmaps', { body: { metadata: { name: 'rv1' } } });
    const exact = await req(server, 'GET', `/api/v1/namespaces/ls/configmaps?resourceVersion=${before}&resourceVersionMatch=Exact`);
    assert.equal(exact.status, 200);
    assert.deepEqual(names(exact), []);
    assert.equal(exact.json.metadata.resourceVersion, String(before));
    const newer = await req(server, 'GET', `/api/v1/namespaces/ls/configmaps?resourceVersion=${before}&resourceVersionMatch=NotOlderThan`);
    assert.deepEqual(names(newer), ['rv1']);
    const any = await req(server, 'GET', '/api/v1/namespaces/ls/configmaps?resourceVersion=0');
    assert.deepEqual(names(any), ['rv1']);
    const noRv = await req(server, 'GET', '/api/v1/namespaces/ls/configmaps?resourceVersionMatch=Exact');
    assert.equal(noRv.status, 422);
    assert.equal(noRv.json.reason, 'Invalid');
    assert.equal((await req(server, 'GET', '/api/v1/namespaces/ls/configmaps?resourceVersion=0&resourceVersionMatch=Exact')).status, 422);
    assert.equal((await req(server, 'GET', '/api/v1/namespaces/ls/configmaps?resourceVersion=abc')).status, 400);
    assert.equal((await req(server, 'GET', '/api/v1/namespaces/ls/configmaps?sendInitialEvents=true')).status, 422);
    server.faults.compactHistory();
    const tooOld = await req(server, 'GET', `/api/v1/namespaces/ls/configmaps?resourceVersion=${before}&resourceVersionMatch=Exact`);
    assert.equal(tooOld.status, 410);
    assert.match(tooOld.json.message, /^too old resource version: \d+ \(\d+\)$/);
  });
});

describe('apiserver too-large resourceVersion', () => {
  it('waits for a future RV, then answers 504 with a ResourceVersionTooLarge cause', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const server = await startApiServer({ tls: false, clock });
    try {
      const future = Number(server.metrics().resourceVersion) + 100;
      const pending = req(server, 'GET', `/api/v1/namespaces/default/secrets?resourceVersion=${future}`);
      // The server waits on the clock; step it once the request has arrived.
      while (server.metrics().requests['list secrets'] === undefined) await new Promise((r) => setImmediate(r));
      clock.step(3000);
      const r = await pending;
      assert.equal(r.status, 504);
      assert.equal(r.json.reason, 'Timeout');
      assert.deepEqual(r.json.details.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
      assert.equal(r.headers['retry-after'], '1');
      // A future RV reached by writes within the wait is served.
      const next = Number(server.metrics().resourceVersion) + 1;
      const waiting = req(server, 'GET', `/api/v1/namespaces/default/secrets?resourceVersion=${next}`);
      while ((server.metrics().requests['list secrets'] ?? 0) < 2) await new Promise((r) => setImmediate(r));
      await req(server, 'POST', '/api/v1/namespaces/default/secrets', { body: secret('late') });
      const ok = await waiting;
      assert.equal(ok.status, 200);
      assert.deepEqual(names(ok), ['late']);
    } finally {
      await server.close();
    }
  });
});
