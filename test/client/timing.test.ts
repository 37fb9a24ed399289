import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/client/index.ts';
import { RequestTimeoutError, WatchStalledError } from '../../src/client/errors.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { maxTimerDelayMs } from '../../src/util/duration.ts';
import { isTooManyRequests, StatusError } from '../../src/api/status-error.ts';
import type { TestResponse, TestServer } from './helpers/test-server.ts';
import { sendJson, startTestServer, turn, until } from './helpers/test-server.ts';

const tooMany = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too many requests', reason: 'TooManyRequests', details: { retryAfterSeconds: 5 }, code: 429 };
const IDLE = maxTimerDelayMs; // keeps idle-connection timers out of the way of FakeClock assertions

describe('Retry-After, request timeouts and stall detection', () => {
  let server: TestServer;
  /** How many 429s each path still answers before succeeding. */
  const throttled = new Map<string, number>();
  const watches: TestResponse[] = [];
  before(async () => {
    server = await startTestServer({
      handler(req, res) {
        const url = new URL(req.url ?? '/', 'https://x');
        const left = throttled.get(url.pathname) ?? 0;
        if (left > 0) {
          throttled.set(url.pathname, left - 1);
          return sendJson(res, 429, tooMany, { 'retry-after': '5' });
        }
        if (url.pathname.endsWith('/parked')) return sendJson(res, 429, { ...tooMany, details: {} }, { 'retry-after': '999999999' });
        if (url.pathname.endsWith('/hang') || url.searchParams.get('labelSelector') === 'hang') return;
        if (url.pathname.endsWith('/half')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"kind":"Secret",');
          return;
        }
        if (url.searchParams.get('watch') === '1') {
          res.writeHead(200, { 'content-type': 'application/json' });
          watches.push(res);
          return;
        }
        if (url.pathname.endsWith('/secrets')) return sendJson(res, 200, { kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: '4' }, items: [] });
        sendJson(res, 200, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x', resourceVersion: '1' } });
      },
    });
  });
  after(async () => {
    await server.close();
  });

  it('a get answered 429 is retried after Retry-After seconds on the clock', async () => {
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig(), { clock, pingIntervalMs: 0, idleConnectionTimeoutMs: IDLE });
    try {
      throttled.set('/api/v1/namespaces/ns/secrets/x', 2);
      const start = server.requests.length;
      const result = client.resource('secrets').getObject('ns', 'x', {});
      await until(() => clock.nextTimerDue() === clock.now() + 5_000, 'the client waits 5 s');
      assert.equal(server.requests.length - start, 1);
      clock.step(4_999);
      await turn();
      assert.equal(server.requests.length - start, 1);
      clock.step(1);
      await until(() => server.requests.length - start === 2 && clock.nextTimerDue() === clock.now() + 5_000, 'the second try and its wait');
      clock.step(5_000);
      assert.equal((await result).metadata?.name, 'x');
      assert.equal(server.requests.length - start, 3);
    } finally {
      await client.close();
    }
  });

  it('gives up after maxRetries with the StatusError and its retryAfterSeconds', async () => {
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig(), { clock, pingIntervalMs: 0, idleConnectionTimeoutMs: IDLE, maxRetries: 2 });
    try {
      throttled.set('/api/v1/namespaces/ns/secrets', 10);
      const start = server.requests.length;
      const result = client.resource('secrets').listObject('ns', {});
      for (let i = 1; i <= 2; i++) {
        await until(() => server.requests.length - start === i && clock.nextTimerDue() === clock.now() + 5_000, `try ${i} and its wait`);
        clock.step(5_000);
      }
      await assert.rejects(result, (err: unknown) => err instanceof StatusError && isTooManyRequests(err) && err.retryAfterSeconds === 5);
      assert.equal(server.requests.length - start, 3);
    } finally {
      throttled.clear();
      await client.close();
    }
  });

  it('a Retry-After longer than a minute is not waited for: the StatusError comes at once with its retryAfterSeconds', async () => {
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig(), { clock, pingIntervalMs: 0, idleConnectionTimeoutMs: IDLE });
    try {
      const start = server.requests.length;
      await assert.rejects(client.resource('secrets').getObject('ns', 'parked', {}), (err: unknown) => err instanceof StatusError && isTooManyRequests(err) && err.retryAfterSeconds === 999_999_999);
      assert.equal(server.requests.length - start, 1);
      assert.ok((clock.nextTimerDue() ?? Infinity) >= IDLE, 'no retry timer');
    } finally {
      await client.close();
    }
  });

  it('aborting a list while it waits to retry rejects at once with the abort reason', async () => {
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig(), { clock, pingIntervalMs: 0, idleConnectionTimeoutMs: IDLE });
    try {
      throttled.set('/api/v1/namespaces/ns/secrets', 1);
      const controller = new AbortController();
      const result = client.resource('secrets').listObject('ns', {}, controller.signal);
      await until(() => clock.nextTimerDue() === clock.now() + 5_000, 'the client waits');
      controller.abort(new Error('stop listing'));
      await assert.rejects(result, /stop listing/);
      assert.ok((clock.nextTimerDue() ?? Infinity) >= IDLE, 'no retry timer is left behind');
    } finally {
      throttled.clear();
      await client.close();
    }
  });

  it('a watch answered 429 rejects with the StatusError at once (the reflector backs off)', async () => {
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig(), { clock, pingIntervalMs: 0, idleConnectionTimeoutMs: IDLE });
    try {
      throttled.set('/api/v1/namespaces/ns/secrets', 1);
      await assert.rejects(
        Promise.resolve(client.resource('secrets').watchObject('ns', {}, new AbortController().signal)),
        (err: unknown) => isTooManyRequests(err) && (err as StatusError).retryAfterSeconds === 5,
      );
    } finally {
      throttled.clear();
      await client.close();
    }
  });

  it('a watch that receives no byte for stallTimeoutMs throws WatchStalledError; bytes reset the timer', async () => {
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig(), { clock, pingIntervalMs: 0, idleConnectionTimeoutMs: IDLE, stallTimeoutMs: 60_000 });
    try {
      const iterator = (await client.resource('secrets').watchObject('ns', {}, new AbortController().signal))[Symbol.asyncIterator]();
      const first = iterator.next();
      await until(() => clock.pendingTimers === 1 && watches.length > 0, 'the stall timer is armed');
      clock.step(59_000);
      watches.at(-1)?.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Secret', apiVersion: 'v1', metadata: { resourceVersion: '9' } } })}\n`);
      const bookmark = await first;
      assert.equal(bookmark.done === true ? undefined : bookmark.value.type, 'BOOKMARK');
      const second = iterator.next();
      await until(() => clock.pendingTimers === 1, 'the stall timer is armed again');
      clock.step(59_999);
      await turn();
      clock.step(1);
      await assert.rejects(second, (err: unknown) => err instanceof WatchStalledError && /no data from the server for 60000 ms/.test(err.message));
      await until(() => server.openStreams() === 0 && client.stats().streams === 0, 'the stalled stream is freed');
      assert.ok((clock.nextTimerDue() ?? Infinity) >= IDLE, 'no stall timer is left behind');
    } finally {
      await client.close();
    }
  });

  it('a get with no answer, or with a body that stops, fails with RequestTimeoutError and frees its stream', async () => {
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig(), { clock, pingIntervalMs: 0, idleConnectionTimeoutMs: IDLE, requestTimeoutMs: 10_000 });
    try {
      const secrets = client.resource('secrets');
      const hang = secrets.getObject('ns', 'hang', {});
      await until(() => server.openStreams() === 1, 'the server holds the request');
      clock.step(9_999);
      await turn();
      assert.equal(client.stats().streams, 1);
      clock.step(1);
      await assert.rejects(hang, (err: unknown) => err instanceof RequestTimeoutError && /no answer from the server within 10000 ms/.test(err.message));
      await until(() => server.openStreams() === 0 && client.stats().streams === 0, 'the stream is freed');

      const half = secrets.getObject('ns', 'half', {});
      await until(() => server.openStreams() === 1, 'the server holds the request');
      clock.step(4_000);
      await turn();
      clock.step(6_000);
      await assert.rejects(half, (err: unknown) => err instanceof RequestTimeoutError && /get secrets "ns\/half": no complete answer/.test(err.message));
      await until(() => server.openStreams() === 0 && client.stats().streams === 0, 'the stream is freed');
    } finally {
      await client.close();
    }
  });

  it('a watch whose response headers never come fails with RequestTimeoutError', async () => {
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig(), { clock, pingIntervalMs: 0, idleConnectionTimeoutMs: IDLE, requestTimeoutMs: 10_000 });
    try {
      const watch = Promise.resolve(client.resource('secrets').watchObject('ns', { labelSelector: 'hang' }, new AbortController().signal));
      await until(() => server.openStreams() === 1, 'the server holds the watch');
      clock.step(10_000);
      await assert.rejects(watch, RequestTimeoutError);
    } finally {
      await client.close();
    }
  });
});
