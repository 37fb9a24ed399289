import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from '../../src/client/index.ts';
import { ClientClosedError, ConnectionError } from '../../src/client/errors.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { isNotFound } from '../../src/api/status-error.ts';
import type { TestRequest, TestResponse } from './helpers/test-server.ts';
import { sendJson, startTestServer, until } from './helpers/test-server.ts';

function handler(req: TestRequest, res: TestResponse): void {
  const url = req.url ?? '';
  if (url.includes('watch=1')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`${JSON.stringify({ type: 'ADDED', object: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'a', resourceVersion: '3' } } })}\n`);
    if (url.includes('labelSelector=finite')) res.end(`${JSON.stringify({ type: 'DELETED', object: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'a', resourceVersion: '4' } } })}`);
    return;
  }
  if (url.endsWith('/missing')) return sendJson(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'secrets "missing" not found' });
  sendJson(res, 200, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x', resourceVersion: '1' } });
}

describe('HTTP/1.1 fallback', () => {
  it('uses HTTP/1.1 with keep-alive when the TLS server does not offer h2 (one socket per open watch)', async () => {
    const server = await startTestServer({ protocol: 'https1', handler });
    const client = createClient(server.kubeConfig({ token: 'h1' }), { clock: new FakeClock() });
    const controller = new AbortController();
    try {
      const secrets = client.resource('secrets');
      assert.equal((await secrets.getObject('ns', 'x', {})).metadata?.name, 'x');
      assert.equal(server.requests.at(-1)?.httpVersion, '1.1');
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer h1');
      await assert.rejects(secrets.getObject('ns', 'missing', {}), isNotFound);
      const watches = await Promise.all([1, 2, 3].map(async () => secrets.watchObject('ns', {}, controller.signal)));
      for (const w of watches) assert.equal((await w[Symbol.asyncIterator]().next()).done, false);
      assert.equal(server.openStreams(), 3);
      assert.equal(client.stats().http1Sockets, 3);
      assert.equal(client.stats().http2Connections, 0);
      controller.abort();
      await until(() => server.openStreams() === 0 && client.stats().streams === 0, 'aborted watches free their sockets');
      const open = (await secrets.watchObject('ns', {}, new AbortController().signal))[Symbol.asyncIterator]();
      await open.next();
      const ended = assert.rejects(open.next(), ClientClosedError);
      await client.close();
      await ended;
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('an HTTP/1.1 watch delivers its events, a last line without a newline included, and ends with the response', async () => {
    const server = await startTestServer({ protocol: 'https1', handler });
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    try {
      const events = [];
      for await (const event of await client.resource('secrets').watchObject('ns', { labelSelector: 'finite' }, new AbortController().signal)) events.push(event);
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata?.resourceVersion]), [['ADDED', '3'], ['DELETED', '4']]);
      assert.equal(server.requests.at(-1)?.httpVersion, '1.1');
      await until(() => client.stats().streams === 0, 'the request is done');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('speaks HTTP/1.1 with the token to a plain http:// server, as kubectl does (client-node alone refuses one without insecure-skip-tls-verify)', async () => {
    const server = await startTestServer({ protocol: 'http', handler });
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    try {
      assert.equal((await client.resource('secrets').getObject('ns', 'x', {})).metadata?.name, 'x');
      assert.equal(server.requests.at(-1)?.httpVersion, '1.1');
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer token-1');
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('http2: true refuses a server without h2; http2: false uses HTTP/1.1 with an h2 server', async () => {
    const h1 = await startTestServer({ protocol: 'https1', handler });
    const h2 = await startTestServer({ protocol: 'h2', handler });
    const strict = createClient(h1.kubeConfig(), { clock: new FakeClock(), http2: true });
    const legacy = createClient(h2.kubeConfig(), { clock: new FakeClock(), http2: false });
    try {
      await assert.rejects(strict.resource('secrets').getObject('ns', 'x', {}), ConnectionError);
      await legacy.resource('secrets').getObject('ns', 'x', {});
      assert.equal(h2.requests.at(-1)?.httpVersion, '1.1');
    } finally {
      await strict.close();
      await legacy.close();
      await h1.close();
      await h2.close();
    }
  });
});
