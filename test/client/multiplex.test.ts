import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from '@kubernetes/client-node';
import { createClient } from '../../src/client/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import type { TestResponse, TestServer } from './helpers/test-server.ts';
import { answerBookmarkOrSecret, sendJson, startTestServer, until } from './helpers/test-server.ts';

describe('HTTP/2 multiplexing', () => {
  let server: TestServer;
  /** Responses to gets of `slow`, answered when a test says so. */
  const held: TestResponse[] = [];
  before(async () => {
    server = await startTestServer({
      maxConcurrentStreams: 100,
      handler(req, res) {
        if ((req.url ?? '').endsWith('/slow')) {
          held.push(res);
          return;
        }
        answerBookmarkOrSecret(req, res);
      },
    });
  });
  after(async () => {
    await server.close();
  });

  it('250 watches against a 100-stream limit share exactly 3 connections; closing the client leaves none', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    const controller = new AbortController();
    const secrets = client.resource('secrets');
    const watches = await Promise.all(
      Array.from({ length: 250 }, async (_, i) => secrets.watchObject('ns', { fieldSelector: `metadata.name=s${i}` }, controller.signal)),
    );
    const iterators = watches.map((w) => w[Symbol.asyncIterator]());
    for (const iterator of iterators) assert.equal((await iterator.next()).done, false);
    assert.equal(server.openStreams(), 250);
    assert.equal(server.connections(), 3);
    assert.deepEqual(client.stats(), { http2Connections: 3, http1Sockets: 0, streams: 250, connections: 3, bufferedWatchBytes: 0 });
    // other requests ride on the same connections while a slot is free
    await secrets.getObject('ns', 'x', {});
    assert.equal(server.connections(), 3);
    await client.close();
    await until(() => server.connections() === 0, 'the server sees every connection closed');
    assert.deepEqual(client.stats(), { http2Connections: 0, http1Sockets: 0, streams: 0, connections: 0, bufferedWatchBytes: 0 });
    controller.abort();
  });

  it('requests in sequence reuse one connection; an idle connection is closed after the idle timeout', async () => {
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig(), { clock, idleConnectionTimeoutMs: 60_000 });
    try {
      const secrets = client.resource('secrets');
      for (let i = 0; i < 5; i++) await secrets.getObject('ns', 'x', {});
      const controller = new AbortController();
      const watch = (await secrets.watchObject('ns', {}, controller.signal))[Symbol.asyncIterator]();
      await watch.next();
      assert.equal(server.connections(), 1);
      assert.equal(client.stats().streams, 1);
      controller.abort();
      await until(() => client.stats().streams === 0 && server.openStreams() === 0, 'the watch stream is freed');
      clock.step(59_999);
      assert.equal(client.stats().http2Connections, 1);
      clock.step(1);
      await until(() => server.connections() === 0 && client.stats().http2Connections === 0, 'the idle connection is closed');
      // the next request opens a new connection
      await secrets.getObject('ns', 'x', {});
      assert.equal(server.connections(), 1);
    } finally {
      await client.close();
    }
  });

  it('when every slot is taken and gets are among them, new requests wait for those slots instead of opening a connection', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    const controller = new AbortController();
    try {
      const secrets = client.resource('secrets');
      const accepted = server.connectionsAccepted();
      const gets = Array.from({ length: 100 }, async () => secrets.getObject('ns', 'slow', {}));
      await until(() => held.length === 100, 'the server holds 100 gets');
      const watches = Array.from({ length: 50 }, async () => secrets.watchObject('ns', {}, controller.signal));
      for (const res of held.splice(0)) sendJson(res, 200, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'slow' } });
      assert.equal((await Promise.all(gets)).length, 100);
      for (const w of await Promise.all(watches)) assert.equal((await w[Symbol.asyncIterator]().next()).done, false);
      assert.equal(client.stats().http2Connections, 1);
      assert.equal(server.connectionsAccepted() - accepted, 1);
      // watches hold their slots: the next requests need a second connection
      const more = Array.from({ length: 60 }, async () => secrets.watchObject('ns', {}, controller.signal));
      for (const w of await Promise.all(more)) assert.equal((await w[Symbol.asyncIterator]().next()).done, false);
      assert.equal(client.stats().http2Connections, 2);
    } finally {
      controller.abort();
      await client.close();
    }
  });

  it('a watch waiting for a slot can be aborted', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock(), maxStreamsPerConnection: 1 });
    const controller = new AbortController();
    try {
      const secrets = client.resource('secrets');
      const get = secrets.getObject('ns', 'slow', {});
      await until(() => held.length === 1, 'the get holds the only slot');
      const waiting = secrets.watchObject('ns', {}, controller.signal);
      controller.abort();
      assert.deepEqual(await (async () => {
        const seen: unknown[] = [];
        for await (const e of await waiting) seen.push(e);
        return seen;
      })(), []);
      for (const res of held.splice(0)) sendJson(res, 200, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'slow' } });
      await get;
      assert.equal(client.stats().http2Connections, 1);
    } finally {
      await client.close();
    }
  });

  it('maxStreamsPerConnection caps streams below the server limit', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock(), maxStreamsPerConnection: 10 });
    const controller = new AbortController();
    try {
      const secrets = client.resource('secrets');
      const watches = await Promise.all(Array.from({ length: 25 }, async () => secrets.watchObject('ns', {}, controller.signal)));
      for (const w of watches) await w[Symbol.asyncIterator]().next();
      assert.equal(client.stats().http2Connections, 3);
      assert.equal(server.connections(), 3);
    } finally {
      controller.abort();
      await client.close();
    }
  });

  it('different TLS identities do not share connections; a token change does', async () => {
    const kc = server.kubeConfig({ token: 'one' });
    const client = createClient(kc, { clock: new FakeClock() });
    try {
      const secrets = client.resource('secrets');
      await secrets.getObject('ns', 'x', {});
      kc.users = [{ name: 'tester', token: 'two' }];
      await secrets.getObject('ns', 'x', {});
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer two');
      assert.equal(client.stats().http2Connections, 1);
      kc.clusters = [{ ...(kc.clusters[0] as Cluster), tlsServerName: 'localhost' }];
      await secrets.getObject('ns', 'x', {});
      assert.equal(client.stats().http2Connections, 2);
    } finally {
      await client.close();
    }
  });
});
