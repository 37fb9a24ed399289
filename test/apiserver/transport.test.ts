// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { CoreV1Api } from '@kubernetes/client-node';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { h2session, req, secret, watch } from './helpers.ts';

const S = '/api/v1/namespaces/default/secrets';

function alpn(server: ApiServer, protocols: string[]): Promise<string | false> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: url.hostname, port: Number(url.port), ca: server.caCert, ALPNProtocols: protocols, servername: 'localhost' }, () => {
      resolve(socket.alpnProtocol ?? false);
      socket.end();
    });
    socket.once('error', reject);
  });
}

describe('apiserver transport', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  it('negotiates h2 or http/1.1 by ALPN with a certificate valid for 127.0.0.1 and localhost', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await alpn(server, ['h2', 'http/1.1']), 'h2');
    assert.equal(await alpn(server, ['http/1.1']), 'http/1.1');
    const r = await req(server, 'GET', '/version');
    assert.equal(r.status, 200);
  });

  it('advertises 100 concurrent streams per HTTP/2 connection and serves that many watches on one', async () => {
    const session = await h2session(server);
    try {
      await new Promise<void>((resolve) => (session.remoteSettings.maxConcurrentStreams !== undefined ? resolve() : session.once('remoteSettings', () => resolve())));
      assert.equal(session.remoteSettings.maxConcurrentStreams, 100);
      const watches = await Promise.all(Array.from({ length: 100 }, () => watch(server, `${S}?watch=true&resourceVersion=${server.metrics().resourceVersion}`, session)));
      const m = server.metrics();
      assert.equal(m.activeWatches, 100);
      assert.ok(m.openStreams >= 100);
      assert.equal(m.requests['watch secrets'], 100);
      for (const w of watches) w.close();
      await Promise.all(watches.map((w) => w.ended));
    } finally {
      session.close();
    }
  });

  it('serves plain HTTP/1.1 with chunked watch responses when tls is false', async () => {
    const plain = await startApiServer({ tls: false });
    try {
      assert.match(plain.url, /^http:\/\//);
      assert.equal(plain.caCert, undefined);
      const list = await req(plain, 'GET', S);
      assert.equal(list.status, 200);
      assert.equal((await req(plain, 'GET', S, { token: null })).status, 401, 'credentials are required unless allowAnonymous');
      const viaClient = await plain.kubeConfig().makeApiClient(CoreV1Api).listNamespace();
      assert.equal(viaClient.items.length, 4);
      assert.match(plain.kubeconfigYaml(), /server: http:\/\/127\.0\.0\.1:\d+\n {4}insecure-skip-tls-verify: true\n/);
      const { request } = await import('node:http');
      const rv = plain.metrics().resourceVersion;
      const first = await new Promise<{ headers: Record<string, unknown>; line: string; close: () => void }>((resolve, reject) => {
        const r = request(`${plain.url}${S}?watch=true&resourceVersion=${rv}`, { headers: { authorization: `Bearer ${plain.token}` } }, (res) => {
          res.setEncoding('utf8');
          res.once('data', (line: string) => resolve({ headers: res.headers, line, close: () => r.destroy() }));
          void req(plain, 'POST', S, { body: secret('h1') });
        });
        r.once('error', reject);
        r.end();
      });
      assert.equal(first.headers['transfer-encoding'], 'chunked');
      assert.equal(first.headers['content-type'], 'application/json');
      assert.equal(JSON.parse(first.line).type, 'ADDED');
      first.close();
    } finally {
      await plain.close();
    }
  });

  it('counts open connections and requests by verb and resource', async () => {
    const before = server.metrics().requests['create secrets'] ?? 0;
    await req(server, 'POST', S, { body: secret('m1') });
    await req(server, 'GET', `${S}/m1`);
    const m = server.metrics();
    assert.equal(m.requests['create secrets'], before + 1);
    assert.ok((m.requests['get secrets'] ?? 0) >= 1);
    const session = await h2session(server);
    await watch(server, `${S}?watch=true&resourceVersion=${server.metrics().resourceVersion}`, session);
    assert.ok(server.metrics().openConnections >= 1);
    assert.ok(server.metrics().http2Sessions >= 1);
    session.close();
  });
});

describe('apiserver faults', () => {
  let server: ApiServer;
  let clock: FakeClock;
  before(async () => {
    clock = new FakeClock(Date.UTC(2026, 0, 1));
    server = await startApiServer({ clock });
  });
  after(() => server.close());

  it('fails the next N matching requests with 429 + Retry-After, 500 and 503', async () => {
    server.faults.failNext(2, 429, { verb: 'get' });
    server.faults.failNext(1, 500);
    server.faults.failNext(1, 503, { retryAfterSeconds: 5 });
    const a = await req(server, 'GET', `${S}/x`);
    assert.equal(a.status, 429);
    assert.equal(a.headers['retry-after'], '1');
    assert.equal(a.json.reason, 'TooManyRequests');
    assert.equal(a.json.details.retryAfterSeconds, 1);
    const b = await req(server, 'GET', S);
    assert.equal(b.status, 500, 'a list is not a get: the 500 applies');
    assert.equal(b.json.reason, 'InternalError');
    const c = await req(server, 'GET', `${S}/x`);
    assert.equal(c.status, 429);
    const d = await req(server, 'GET', S);
    assert.equal(d.status, 503);
    assert.equal(d.headers['retry-after'], '5');
    assert.equal((await req(server, 'GET', S)).status, 200);
    assert.throws(() => server.faults.failNext(0, 500), /count must be a positive integer/);
    assert.throws(() => server.faults.failNext(1, 200), /code must be an HTTP error status/);
  });

  it('delays responses on the clock', async () => {
    server.faults.setDelay(2000);
    let done = false;
    const pending = req(server, 'GET', S).then((r) => {
      done = true;
      return r;
    });
    const listsBefore = server.metrics().requests['list secrets'] ?? 0;
    while ((server.metrics().requests['list secrets'] ?? 0) === listsBefore) await new Promise((r) => setImmediate(r));
    clock.step(1999);
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false);
    clock.step(1);
    assert.equal((await pending).status, 200);
    server.faults.clear();
  });

  it('drops every watch: cleanly, or with a reset', async () => {
    const rv = server.metrics().resourceVersion;
    const a = await watch(server, `${S}?watch=true&resourceVersion=${rv}`);
    const b = await watch(server, `${S}?watch=true&resourceVersion=${rv}`);
    assert.equal(server.faults.dropWatches(), 2);
    await Promise.all([a.ended, b.ended]);
    assert.equal(server.metrics().activeWatches, 0);
    const c = await watch(server, `${S}?watch=true&resourceVersion=${rv}`);
    assert.equal(server.faults.dropWatches({ abort: true }), 1);
    await c.ended;
  });

  it('restarts: cuts connections, keeps the data and the resourceVersion', async () => {
    await req(server, 'POST', S, { body: secret('kept') });
    const rv = server.metrics().resourceVersion;
    const session = await h2session(server);
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    session.on('error', () => undefined);
    const w = await watch(server, `${S}?watch=true&resourceVersion=${rv}`, session);
    await server.faults.restart();
    await Promise.all([w.ended, closed]);
    assert.equal(server.metrics().activeWatches, 0);
    const after = await req(server, 'GET', `${S}/kept`);
    assert.equal(after.status, 200);
    assert.equal(server.metrics().resourceVersion, rv);
    // With compactHistory, a resume from before the restart gets 410.
    await req(server, 'POST', S, { body: secret('before-restart') });
    await server.faults.restart({ compactHistory: true });
    const old = await watch(server, `${S}?watch=true&resourceVersion=${rv}`);
    assert.equal((await old.next()).object.code, 410);
  });
});

describe('apiserver start', () => {
  it('rejects a port in use with the listen error and leaves no timer behind', async () => {
    const clock = new FakeClock();
    const first = await startApiServer({ tls: false });
    try {
      const port = Number(new URL(first.url).port);
      await assert.rejects(startApiServer({ tls: false, port, clock }), /EADDRINUSE/);
      assert.equal(clock.pendingTimers, 0);
      await assert.rejects(startApiServer({ port: 70000 }), /port must be an integer 0-65535/);
    } finally {
      await first.close();
    }
  });
});

describe('apiserver slow watchers', () => {
  it('cuts off a watch whose client stops reading once 8 MiB are waiting', async () => {
    const server = await startApiServer();
    const session = await h2session(server);
    try {
      const C = '/api/v1/namespaces/default/configmaps';
      await req(server, 'POST', C, { body: { metadata: { name: 'big' } } });
      const stream = session.request({ ':path': `${C}?watch=true&resourceVersion=${server.metrics().resourceVersion}`, authorization: `Bearer ${server.token}` });
      await new Promise((resolve) => stream.once('response', resolve));
      stream.pause(); // never read: flow control stops the server's writes
      const closed = new Promise((resolve) => stream.once('close', resolve));
      stream.on('error', () => undefined);
      assert.equal(server.metrics().activeWatches, 1);
      const big = 'x'.repeat(1024 * 1024 - 16); // each value within the 1 MiB a ConfigMap may hold
      for (let i = 0; i < 12 && server.metrics().activeWatches > 0; i++) {
        const r = await req(server, 'PUT', `${C}/big`, { body: { metadata: { name: 'big' }, data: { v: `${i}${big}` } } });
        assert.equal(r.status, 200);
      }
      assert.equal(server.metrics().activeWatches, 0);
      stream.resume();
      await closed;
    } finally {
      session.destroy();
      await server.close();
    }
  });
});
