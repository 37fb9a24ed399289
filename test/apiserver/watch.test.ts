// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { h2session, req, secret, watch } from './helpers.ts';
import type { Event } from './helpers.ts';

const S = '/api/v1/namespaces/default/secrets';

async function take(w: { next(): Promise<Event> }, n: number): Promise<Event[]> {
  const out: Event[] = [];
  for (let i = 0; i < n; i++) out.push(await w.next());
  return out;
}

describe('apiserver watch', () => {
  let server: ApiServer;
  let clock: FakeClock;
  before(async () => {
    clock = new FakeClock(Date.UTC(2026, 0, 1));
    server = await startApiServer({ clock, bookmarkIntervalMs: 60_000 });
  });
  after(() => server.close());

  it('starts with ADDED for current objects, then streams changes; every object has kind and apiVersion', async () => {
    await req(server, 'POST', S, { body: secret('w-a', undefined, { metadata: { name: 'w-a', labels: { set: 'one' } } }) });
    const w = await watch(server, `${S}?watch=true&labelSelector=set%3Done`);
    assert.equal(w.status, 200);
    const [added] = await take(w, 1);
    assert.equal(added?.type, 'ADDED');
    assert.equal(added?.object.metadata.name, 'w-a');
    const updated = (await req(server, 'PATCH', `${S}/w-a`, { body: { data: { k: 'eA==' } }, contentType: 'application/merge-patch+json' })).json;
    const del = await req(server, 'DELETE', `${S}/w-a`);
    assert.equal(del.status, 200);
    const [mod, gone] = await take(w, 2);
    assert.equal(mod?.type, 'MODIFIED');
    assert.equal(mod?.object.metadata.resourceVersion, updated.metadata.resourceVersion);
    assert.equal(gone?.type, 'DELETED');
    assert.deepEqual(gone?.object.data, { k: 'eA==' }, 'DELETED carries the last state');
    assert.ok(Number(gone?.object.metadata.resourceVersion) > Number(updated.metadata.resourceVersion), 'stamped with the delete RV');
    for (const e of [added, mod, gone]) {
      assert.equal(e?.object.kind, 'Secret');
      assert.equal(e?.object.apiVersion, 'v1');
    }
    w.close();
    await w.ended;
  });

  it('resumes from a resourceVersion with only later changes, and sends ERROR 410 for a compacted one', async () => {
    await req(server, 'POST', S, { body: secret('r-1') });
    const rv = server.metrics().resourceVersion;
    await req(server, 'POST', S, { body: secret('r-2') });
    await req(server, 'DELETE', `${S}/r-1`);
    const w = await watch(server, `${S}?watch=1&resourceVersion=${rv}`);
    const events = await take(w, 2);
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'r-2'], ['DELETED', 'r-1']]);
    w.close();
    server.faults.compactHistory();
    const old = await watch(server, `${S}?watch=true&resourceVersion=${rv}`);
    assert.equal(old.status, 200);
    const [err] = await take(old, 1);
    assert.equal(err?.type, 'ERROR');
    assert.deepEqual(err?.object, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: `too old resource version: ${rv} (${server.metrics().resourceVersion})`, reason: 'Expired', code: 410,
    });
    await old.ended;
  });

  it('sends bookmarks only when asked, and ends at timeoutSeconds', async () => {
    const withMarks = await watch(server, `${S}?watch=true&allowWatchBookmarks=true&timeoutSeconds=90&resourceVersion=${server.metrics().resourceVersion}`);
    const without = await watch(server, `${S}?watch=true&timeoutSeconds=90&resourceVersion=${server.metrics().resourceVersion}`);
    clock.step(60_000);
    const [mark] = await take(withMarks, 1);
    assert.deepEqual(mark, { type: 'BOOKMARK', object: { kind: 'Secret', apiVersion: 'v1', metadata: { resourceVersion: server.metrics().resourceVersion } } });
    assert.equal(without.buffered(), 0);
    clock.step(30_000);
    await Promise.all([withMarks.ended, without.ended]);
    assert.equal(without.buffered(), 0);
  });

  it('serves sendInitialEvents with an initial-events-end bookmark, and 422 without NotOlderThan', async () => {
    await req(server, 'POST', S, { body: secret('ie-1') });
    const w = await watch(server, `${S}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%3Die-1`);
    const [added, end] = await take(w, 2);
    assert.equal(added?.type, 'ADDED');
    assert.equal(end?.type, 'BOOKMARK');
    assert.deepEqual(end?.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
    await req(server, 'DELETE', `${S}/ie-1`);
    assert.equal((await w.next()).type, 'DELETED');
    w.close();
    const bad = await req(server, 'GET', `${S}?watch=true&sendInitialEvents=true`);
    assert.equal(bad.status, 422);
    assert.equal(bad.json.reason, 'Invalid');
    const badMatch = await req(server, 'GET', `${S}?watch=true&resourceVersionMatch=NotOlderThan&resourceVersion=1`);
    assert.equal(badMatch.status, 422);
  });

  it('turns selector transitions into ADDED and DELETED', async () => {
    await req(server, 'POST', S, { body: secret('tr', undefined, { metadata: { name: 'tr', labels: { on: 'yes' } } }) });
    const w = await watch(server, `${S}?watch=true&labelSelector=on%3Dyes&resourceVersion=${server.metrics().resourceVersion}`);
    const off = (await req(server, 'PATCH', `${S}/tr`, { body: { metadata: { labels: { on: 'no' } } }, contentType: 'application/merge-patch+json' })).json;
    await req(server, 'PATCH', `${S}/tr`, { body: { metadata: { labels: { on: 'yes' } } }, contentType: 'application/merge-patch+json' });
    const [d, a] = await take(w, 2);
    assert.equal(d?.type, 'DELETED');
    assert.equal(d?.object.metadata.labels.on, 'yes', 'previous state');
    assert.equal(d?.object.metadata.resourceVersion, off.metadata.resourceVersion, 'new RV');
    assert.equal(a?.type, 'ADDED');
    w.close();
  });

  it('serves the legacy /api/v1/watch/ prefix', async () => {
    await req(server, 'POST', S, { body: secret('legacy') });
    const w = await watch(server, '/api/v1/watch/namespaces/default/secrets/legacy');
    const [first] = await take(w, 1);
    assert.deepEqual([first?.type, first?.object.metadata.name], ['ADDED', 'legacy']);
    w.close();
    await req(server, 'DELETE', `${S}/legacy`);
  });

  it('watches one object by item path and rejects a conflicting name selector', async () => {
    await req(server, 'POST', S, { body: secret('one') });
    await req(server, 'POST', S, { body: secret('two') });
    const w = await watch(server, `${S}/one?watch=true`);
    const [first] = await take(w, 1);
    assert.equal(first?.object.metadata.name, 'one');
    await req(server, 'DELETE', `${S}/two`);
    await req(server, 'DELETE', `${S}/one`);
    const [next] = await take(w, 1);
    assert.deepEqual([next?.type, next?.object.metadata.name], ['DELETED', 'one']);
    w.close();
    assert.equal((await req(server, 'GET', `${S}/one?watch=true&fieldSelector=metadata.name%3Dtwo`)).status, 400);
  });

  it('keeps resourceVersions strictly increasing under concurrent writes, in event order', async () => {
    const w = await watch(server, `/api/v1/secrets?watch=true&resourceVersion=${server.metrics().resourceVersion}`);
    const writes = Array.from({ length: 60 }, (_, i) => req(server, 'POST', S, { body: secret(`c-${i}`) }));
    const results = await Promise.all(writes);
    const rvs = results.map((r) => Number(r.json.metadata.resourceVersion));
    assert.equal(new Set(rvs).size, 60, 'every write has its own RV');
    const events = await take(w, 60);
    const seen = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(seen, [...rvs].sort((a, b) => a - b));
    w.close();
    await Promise.all(results.map((r) => req(server, 'DELETE', `${S}/${r.json.metadata.name}`)));
  });

  it('fans one change out to many watchers on shared HTTP/2 connections', async () => {
    await req(server, 'POST', S, { body: secret('fan') });
    const sessions = await Promise.all([h2session(server), h2session(server), h2session(server)]);
    const base = server.metrics().activeWatches;
    const watches = await Promise.all(Array.from({ length: 300 }, (_, i) => watch(server, `${S}?watch=true&fieldSelector=metadata.name%3Dfan&resourceVersion=${server.metrics().resourceVersion}`, sessions[i % 3])));
    assert.equal(server.metrics().activeWatches, base + 300);
    assert.ok(server.metrics().http2Sessions >= 3);
    const updated = (await req(server, 'PATCH', `${S}/fan`, { body: { data: { z: 'eg==' } }, contentType: 'application/merge-patch+json' })).json;
    const events = await Promise.all(watches.map((w) => w.next()));
    for (const e of events) {
      assert.equal(e.type, 'MODIFIED');
      assert.equal(e.object.metadata.resourceVersion, updated.metadata.resourceVersion);
    }
    for (const w of watches) w.close();
    await Promise.all(watches.map((w) => w.ended));
    for (const s of sessions) s.close();
  });

  it('answers a watch from a future resourceVersion with a 504 ERROR event after the wait', async () => {
    const future = Number(server.metrics().resourceVersion) + 50;
    const watchesBefore = server.metrics().requests['watch secrets'] ?? 0;
    const pending = watch(server, `${S}?watch=true&resourceVersion=${future}`);
    // The server waits on the clock: step it once the request has arrived.
    while ((server.metrics().requests['watch secrets'] ?? 0) === watchesBefore) await new Promise((r) => setImmediate(r));
    clock.step(3000);
    const w = await pending;
    const [err] = await take(w, 1);
    assert.equal(err?.type, 'ERROR');
    assert.equal(err?.object.code, 504);
    assert.equal(err?.object.details.causes[0].reason, 'ResourceVersionTooLarge');
    await w.ended;
  });
});

describe('apiserver watch clients that leave early', () => {
  it('does not register a watch whose client left while its request was delayed', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const server = await startApiServer({ clock, tls: false });
    try {
      const { request } = await import('node:http');
      server.faults.setDelay(1000);
      const r = request(`${server.url}${S}?watch=true`, { headers: { authorization: `Bearer ${server.token}` } });
      r.on('error', () => undefined);
      r.end();
      while ((server.metrics().requests['watch secrets'] ?? 0) === 0) await new Promise((resolve) => setImmediate(resolve));
      r.destroy();
      while (server.metrics().openConnections > 0) await new Promise((resolve) => setImmediate(resolve));
      clock.step(1000);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(server.metrics().activeWatches, 0);
    } finally {
      await server.close();
    }
  });
});

describe('apiserver without WatchList', () => {
  it('rejects sendInitialEvents with 422 naming the feature gate', async () => {
    const server = await startApiServer({ tls: false, watchList: false });
    try {
      const r = await req(server, 'GET', `${S}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`);
      assert.equal(r.status, 422);
      assert.match(r.json.message, /sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled/);
    } finally {
      await server.close();
    }
  });
});
