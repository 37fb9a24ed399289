// The client against the project's embedded API server (src/apiserver).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import https from 'node:https';
import type { V1Secret } from '@kubernetes/client-node';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { createClient } from '../../src/client/index.ts';
import { ConnectionError } from '../../src/client/errors.ts';
import type { WatchEvent } from '../../src/api/types.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { maxTimerDelayMs } from '../../src/util/duration.ts';
import { isNotFound, isResourceExpired, isTooManyRequests, isUnauthorized, StatusError } from '../../src/api/status-error.ts';
import { until } from './helpers/test-server.ts';

/** A one-off write to the server on its own connection, so the server's connection counts are the client's alone. */
function write(server: ApiServer, method: string, path: string, body: unknown, contentType = 'application/json'): Promise<void> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const req = https.request(url, { method, agent: false, ca: server.caCert, headers: { authorization: `Bearer ${server.token}`, 'content-type': contentType, accept: 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function next(iterator: AsyncIterator<WatchEvent>): Promise<WatchEvent> {
  const result = await iterator.next();
  assert.equal(result.done, false, 'the watch ended early');
  return result.value;
}

describe('client against the embedded API server (TLS, HTTP/2)', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
    await write(server, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    await write(server, 'POST', '/api/v1/namespaces/team/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'pw' } });
  });
  after(async () => {
    await server.close();
  });

  it('gets, lists and reports NotFound as the server words it', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    try {
      const secrets = client.resource<V1Secret>('secrets');
      const db = await secrets.getObject('team', 'db', {});
      assert.equal(Buffer.from(db.data?.password ?? '', 'base64').toString(), 'pw');
      const list = await secrets.listObject('team', { fieldSelector: 'metadata.name=db' });
      assert.deepEqual(list.items.map((o) => o.metadata?.name), ['db']);
      await assert.rejects(secrets.getObject('team', 'nope', {}), (err: unknown) => {
        assert.ok(isNotFound(err));
        assert.equal((err as StatusError).message, 'secrets "nope" not found');
        return true;
      });
      assert.equal(server.metrics().http2Sessions, 1);
    } finally {
      await client.close();
    }
  });

  it('watches from a list resourceVersion and sees changes; 150 watches use 2 connections', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    const controller = new AbortController();
    try {
      const secrets = client.resource('secrets');
      const list = await secrets.listObject('team', {});
      const watch = (await secrets.watchObject('team', { resourceVersion: list.metadata?.resourceVersion ?? '', allowWatchBookmarks: true, fieldSelector: 'metadata.name=db' }, controller.signal))[Symbol.asyncIterator]();
      await write(server, 'PATCH', '/api/v1/namespaces/team/secrets/db', { metadata: { labels: { rotated: 'yes' } } }, 'application/merge-patch+json');
      const modified = await next(watch);
      assert.equal(modified.type, 'MODIFIED');
      assert.equal(modified.object.metadata?.labels?.rotated, 'yes');

      const more = await Promise.all(Array.from({ length: 149 }, async () => secrets.watchObject('team', { resourceVersion: '0' }, controller.signal)));
      for (const w of more) assert.equal((await next(w[Symbol.asyncIterator]())).type, 'ADDED');
      assert.equal(server.metrics().activeWatches, 150);
      assert.equal(server.metrics().http2Sessions, 2);
      assert.equal(client.stats().http2Connections, 2);
      controller.abort();
      await until(() => server.metrics().activeWatches === 0, 'the server sees every watch closed');
    } finally {
      controller.abort();
      await client.close();
    }
  });

  it('passes the in-stream 410 ERROR through and ends the watch', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    try {
      server.faults.compactHistory();
      const events: WatchEvent[] = [];
      for await (const e of await client.resource('secrets').watchObject('team', { resourceVersion: '1' }, new AbortController().signal)) events.push(e);
      assert.equal(events.length, 1);
      assert.equal(events[0]?.type, 'ERROR');
      assert.ok(isResourceExpired(new StatusError(events[0]?.object)));
    } finally {
      await client.close();
    }
  });

  it('a watch the server ends is over; after a server restart the client reconnects', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    try {
      const secrets = client.resource('secrets');
      const a = (await secrets.watchObject('team', { resourceVersion: '0' }, new AbortController().signal))[Symbol.asyncIterator]();
      await next(a);
      const ended = a.next();
      server.faults.dropWatches();
      assert.equal((await ended).done, true);
      const b = (await secrets.watchObject('team', { resourceVersion: '0' }, new AbortController().signal))[Symbol.asyncIterator]();
      await next(b);
      const broken = b.next();
      await server.faults.restart();
      // The server resets its watch streams with NO_ERROR before it cuts the
      // connections, so the client may see either a clean end or the cut.
      const outcome = await broken.then(
        (r) => (r.done === true ? 'ended' : 'event'),
        (err: unknown) => (err instanceof ConnectionError ? 'ConnectionError' : String(err)),
      );
      assert.ok(outcome === 'ended' || outcome === 'ConnectionError', outcome);
      await until(() => client.stats().http2Connections === 0, 'the client drops the dead connection');
      assert.equal((await secrets.getObject('team', 'db', {})).metadata?.name, 'db');
    } finally {
      await client.close();
    }
  });

  it('a watch the server resets (dropWatches abort) fails with an error, not a clean end', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    const controller = new AbortController();
    try {
      const watch = (await client.resource('secrets').watchObject('team', { resourceVersion: '0' }, controller.signal))[Symbol.asyncIterator]();
      assert.equal((await next(watch)).type, 'ADDED');
      const pending = watch.next();
      assert.equal(server.faults.dropWatches({ abort: true }), 1);
      await assert.rejects(pending, /INTERNAL_ERROR/);
    } finally {
      controller.abort();
      await client.close();
    }
  });

  it('retries a 429 get after its Retry-After; a bad token is Unauthorized', async () => {
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig(), { clock, idleConnectionTimeoutMs: maxTimerDelayMs });
    const kc = server.kubeConfig();
    kc.users = [{ name: 'kom-apiserver', token: 'wrong' }];
    const intruder = createClient(kc, { clock: new FakeClock() });
    try {
      server.faults.failNext(1, 429, { verb: 'get', resource: 'secrets', retryAfterSeconds: 2 });
      const result = client.resource('secrets').getObject('team', 'db', {});
      await until(() => clock.nextTimerDue() === clock.now() + 2_000, 'the client waits 2 s');
      clock.step(2_000);
      assert.equal((await result).metadata?.name, 'db');
      server.faults.failNext(1, 429, { verb: 'watch', resource: 'secrets' });
      await assert.rejects(Promise.resolve(client.resource('secrets').watchObject('team', {}, new AbortController().signal)), isTooManyRequests);
      await assert.rejects(intruder.resource('secrets').getObject('team', 'db', {}), isUnauthorized);
    } finally {
      await client.close();
      await intruder.close();
    }
  });
});

describe('client against the embedded API server (plain HTTP)', () => {
  it('gets over HTTP/1.1 with the kubeconfig the server hands out', async () => {
    const server = await startApiServer({ tls: false });
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    try {
      const ns = await client.resource('configmaps').listObject('default', {});
      assert.ok(Array.isArray(ns.items));
      assert.equal(client.stats().http2Connections, 0);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
