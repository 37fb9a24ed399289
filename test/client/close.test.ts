// After client.close(), every request fails at once with ClientClosedError:
// new gets, lists and watches, requests waiting for a stream slot, for a
// connection, or for a Retry-After wait, gets whose body is being read, and
// watches open at close (their iterator throws; a clean end would make a
// reflector watch again).
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createClient } from '../../src/client/index.ts';
import type { KubeClient } from '../../src/client/index.ts';
import { ClientClosedError } from '../../src/client/errors.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import type { TestRequest, TestResponse, TestServer } from './helpers/test-server.ts';
import { sendJson, startTestServer, turn, until } from './helpers/test-server.ts';

const event = (name: string): string => `${JSON.stringify({ type: 'ADDED', object: { kind: 'Secret', apiVersion: 'v1', metadata: { name, resourceVersion: '1' } } })}\n`;
const isClosed = (err: unknown): boolean => err instanceof ClientClosedError && err.code === 'KOM_CLIENT_CLOSED';

/** Records how `promise` settles, from now on (so that a rejection is never unhandled). */
function track(promise: Promise<unknown>): () => Promise<unknown> {
  let result: unknown = 'pending';
  promise.then(
    (value: unknown) => {
      result = { value };
    },
    (err: unknown) => {
      result = err;
    },
  );
  /** The outcome within some event-loop turns (never waiting on time), or 'pending'. */
  return async () => {
    for (let i = 0; i < 200 && result === 'pending'; i++) await turn();
    return result;
  };
}

function route(held: TestResponse[]) {
  return (req: TestRequest, res: TestResponse): void => {
    const url = new URL(req.url ?? '/', 'https://x');
    if (url.pathname.endsWith('/throttled')) return sendJson(res, 429, { kind: 'Status', code: 429, reason: 'TooManyRequests' }, { 'retry-after': '5' });
    if (url.pathname.endsWith('/half')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"kind":"Secret",');
      held.push(res);
      return;
    }
    if (url.pathname.endsWith('/slow')) {
      held.push(res);
      return;
    }
    if (url.searchParams.get('watch') === '1') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(event('a') + event('b') + event('c'));
      held.push(res);
      return;
    }
    sendJson(res, 200, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x', resourceVersion: '1' } });
  };
}

for (const protocol of ['h2', 'https1'] as const) {
  describe(`client.close() over ${protocol === 'h2' ? 'HTTP/2' : 'HTTP/1.1'}`, () => {
    const held: TestResponse[] = [];
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ protocol, handler: route(held) });
    });
    after(async () => {
      await server.close();
    });

    function open(options: { maxStreamsPerConnection?: number } = {}): { client: KubeClient; clock: FakeClock } {
      const clock = new FakeClock();
      return { client: createClient(server.kubeConfig(), { clock, pingIntervalMs: 0, ...options }), clock };
    }

    it('gets, lists and watches after close fail at once with ClientClosedError, sending nothing', async () => {
      const { client } = open();
      await client.resource('secrets').getObject('ns', 'x', {});
      await client.close();
      const sent = server.requests.length;
      const secrets = client.resource('secrets');
      await assert.rejects(secrets.getObject('ns', 'x', {}), isClosed);
      await assert.rejects(secrets.listObject('ns', {}), isClosed);
      await assert.rejects(Promise.resolve(secrets.watchObject('ns', {}, new AbortController().signal)), isClosed);
      assert.equal(server.requests.length, sent);
      await client.close();
    });

    it('a watch open at close throws ClientClosedError from its iterator, whether its consumer waits or holds queued events', async () => {
      const { client } = open();
      const secrets = client.resource('secrets');
      const signal = new AbortController().signal;
      const waiting = (await secrets.watchObject('ns', {}, signal))[Symbol.asyncIterator]();
      const holding = (await secrets.watchObject('ns', {}, signal))[Symbol.asyncIterator]();
      for (let i = 0; i < 3; i++) assert.equal((await waiting.next()).done, false);
      assert.equal((await holding.next()).done, false, '"holding" keeps b and c queued');
      const pending = track(waiting.next());
      await client.close();
      assert.ok(isClosed(await pending()), 'the waiting consumer gets ClientClosedError');
      assert.ok(isClosed(await track(holding.next())()), 'queued events are not served after close: ClientClosedError');
      assert.deepEqual(await holding.next(), { done: true, value: undefined }, 'then the iteration is over');
      await until(() => server.openStreams() === 0, 'the server sees the watches end');
    });

    it('a get whose body is being read fails with ClientClosedError', async () => {
      const { client } = open();
      const get = track(client.resource('secrets').getObject('ns', 'half', {}));
      await until(() => held.length > 0, 'the server sent half an answer');
      held.length = 0;
      await client.close();
      assert.ok(isClosed(await get()));
    });

    it('a get waiting for Retry-After fails with ClientClosedError at close, without the wait', async () => {
      const { client, clock } = open();
      const get = track(client.resource('secrets').getObject('ns', 'throttled', {}));
      await until(() => clock.nextTimerDue() === clock.now() + 5_000, 'the client waits 5 s to retry');
      const sent = server.requests.length;
      await client.close();
      assert.ok(isClosed(await get()), 'rejected at close, the clock never stepped');
      assert.equal(server.requests.length, sent, 'no retry is sent');
      assert.equal(clock.pendingTimers, 0, 'the retry timer is cleared');
    });

    if (protocol === 'h2') {
      it('requests waiting for a stream slot fail with ClientClosedError', async () => {
        const { client } = open({ maxStreamsPerConnection: 1 });
        const secrets = client.resource('secrets');
        const slow = track(secrets.getObject('ns', 'slow', {}));
        await until(() => held.length > 0, 'the get holds the only slot');
        held.length = 0;
        const queued = [secrets.getObject('ns', 'x', {}), secrets.listObject('ns', {}), Promise.resolve(secrets.watchObject('ns', {}, new AbortController().signal))].map(track);
        await turn();
        await client.close();
        for (const request of [slow, ...queued]) assert.ok(isClosed(await request()));
      });
    }
  });
}

describe('client.close() while connecting', () => {
  it('a request waiting for a TLS handshake that never comes fails with ClientClosedError, and the socket is closed', async () => {
    const sockets = new Set<Socket>();
    // Reads (and drops) what the client sends, answers nothing.
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      for (const http2 of [undefined, false]) {
        const config = new KubeConfig();
        config.loadFromOptions({
          clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
          users: [{ name: 'u', token: 't' }],
          contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
          currentContext: 'x',
        });
        const client = createClient(config, { clock: new FakeClock(), ...(http2 === undefined ? {} : { http2 }) });
        const get = track(client.resource('secrets').getObject('ns', 'x', {}));
        await until(() => sockets.size === 1, 'the client connected');
        await client.close();
        assert.ok(isClosed(await get()), `http2 ${String(http2)}`);
        await until(() => sockets.size === 0, 'the client closed its socket');
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
