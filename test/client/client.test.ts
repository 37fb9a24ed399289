import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/client/index.ts';
import { ClientClosedError, ConnectionError, WatchDecodeError } from '../../src/client/errors.ts';
import type { WatchEvent } from '../../src/api/types.ts';
import { isNotFound, isInternalError, StatusError } from '../../src/api/status-error.ts';
import type { TestRequest, TestResponse, TestServer } from './helpers/test-server.ts';
import { sendJson, startTestServer, until } from './helpers/test-server.ts';

const notFound = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'secrets "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'secrets' }, code: 404 };
const secret = (name: string, rv: string, data: Record<string, string> = {}): Record<string, unknown> => ({ kind: 'Secret', apiVersion: 'v1', metadata: { name, namespace: 'ns', resourceVersion: rv }, data });
const event = (type: string, object: unknown): string => `${JSON.stringify({ type, object })}\n`;

/** Watch responses the test keeps open and writes to. */
const openWatches: TestResponse[] = [];

function route(req: TestRequest, res: TestResponse): void {
  const url = new URL(req.url ?? '/', 'https://x');
  const path = url.pathname;
  if (path === '/api/v1/namespaces/ns/secrets/s1') return sendJson(res, 200, secret('s1', '5'));
  if (path === '/api/v1/namespaces/ns/secrets/nope') return sendJson(res, 404, notFound);
  if (path === '/api/v1/namespaces/ns/secrets/broken') {
    res.writeHead(500, { 'content-type': 'text/plain' });
    return void res.end('goroutine panic: data=c2VjcmV0');
  }
  if (path === '/api/v1/namespaces/ns/secrets' && url.searchParams.get('watch') === '1') {
    const mode = url.searchParams.get('labelSelector');
    if (mode === 'forbidden') return sendJson(res, 403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'secrets is forbidden', reason: 'Forbidden', code: 403 });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(event('ADDED', secret('a', '10')));
    if (mode === 'finite') {
      res.write(event('MODIFIED', secret('a', '11')));
      return void res.end(event('DELETED', secret('a', '12')));
    }
    if (mode === 'malformed') return void res.write('{"type":"ADDED","object":{"data":{"token":"s3cr3t"}\n');
    if (mode === 'big') {
      const big = 'z'.repeat(5 * 1024 * 1024);
      return void res.end(event('MODIFIED', secret('big', '13', { blob: big })));
    }
    openWatches.push(res);
    return;
  }
  if (path === '/api/v1/namespaces/ns/secrets') {
    return sendJson(res, 200, { kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: '20' }, items: [secret('a', '10'), secret('b', '11')] });
  }
  sendJson(res, 404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'no route' });
}

async function collect(iterable: AsyncIterable<WatchEvent>): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  for await (const e of iterable) events.push(e);
  return events;
}

describe('createClient over HTTP/2', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ handler: route });
  });
  after(async () => {
    await server.close();
  });

  it('gets an object with the KubeConfig token, Accept and User-Agent', async () => {
    const client = createClient(server.kubeConfig({ token: 'tok-abc' }), { userAgent: 'kom-test/1' });
    try {
      const secrets = client.resource('secrets');
      assert.deepEqual(secrets.groupResource, { group: '', resource: 'secrets' });
      const obj = await secrets.getObject('ns', 's1', { resourceVersion: '0' });
      assert.equal(obj.metadata?.name, 's1');
      const request = server.requests.at(-1);
      assert.equal(request?.path, '/api/v1/namespaces/ns/secrets/s1?resourceVersion=0');
      assert.equal(request?.httpVersion, '2.0');
      assert.equal(request?.headers.authorization, 'Bearer tok-abc');
      assert.equal(request?.headers.accept, 'application/json');
      assert.equal(request?.headers['user-agent'], 'kom-test/1');
    } finally {
      await client.close();
    }
  });

  it('lists with the options in the query', async () => {
    const client = createClient(server.kubeConfig());
    try {
      const list = await client.resource('secrets').listObject('ns', { fieldSelector: 'metadata.name=a', limit: 10 });
      assert.equal(list.metadata?.resourceVersion, '20');
      assert.deepEqual(list.items.map((o) => o.metadata?.name), ['a', 'b']);
      assert.equal(server.requests.at(-1)?.path, '/api/v1/namespaces/ns/secrets?fieldSelector=metadata.name%3Da&limit=10');
    } finally {
      await client.close();
    }
  });

  it('turns a Status answer into a StatusError, and a non-Status answer into one without its body', async () => {
    const client = createClient(server.kubeConfig());
    try {
      const secrets = client.resource('secrets');
      await assert.rejects(secrets.getObject('ns', 'nope', {}), (err: unknown) => {
        assert.ok(err instanceof StatusError && isNotFound(err));
        assert.equal(err.message, 'secrets "nope" not found');
        assert.equal(err.status.details?.name, 'nope');
        return true;
      });
      await assert.rejects(secrets.getObject('ns', 'broken', {}), (err: unknown) => {
        assert.ok(err instanceof StatusError && isInternalError(err));
        assert.match(err.message, /get secrets "ns\/broken": the server answered HTTP 500 \(InternalError\) with a \d+-byte body that is not a Kubernetes Status/);
        assert.doesNotMatch(err.message, /c2VjcmV0|panic/);
        return true;
      });
    } finally {
      await client.close();
    }
  });

  it('watches: events in order, the end of the stream ends the iteration', async () => {
    const client = createClient(server.kubeConfig());
    try {
      const signal = new AbortController().signal;
      const events = await collect(await client.resource('secrets').watchObject('ns', { labelSelector: 'finite', resourceVersion: '9', allowWatchBookmarks: true }, signal));
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata?.resourceVersion]), [
        ['ADDED', '10'],
        ['MODIFIED', '11'],
        ['DELETED', '12'],
      ]);
      const path = server.requests.at(-1)?.path ?? '';
      assert.equal(path, '/api/v1/namespaces/ns/secrets?watch=1&labelSelector=finite&resourceVersion=9&allowWatchBookmarks=true');
      await until(() => client.stats().streams === 0, 'the stream is released');
    } finally {
      await client.close();
    }
  });

  it('passes a 5 MB object through a watch', async () => {
    const client = createClient(server.kubeConfig());
    try {
      const events = await collect(await client.resource('secrets').watchObject('ns', { labelSelector: 'big' }, new AbortController().signal));
      assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED']);
      assert.equal((events[1]?.object as { data: { blob: string } }).data.blob.length, 5 * 1024 * 1024);
    } finally {
      await client.close();
    }
  });

  it('rejects a watch the server refuses with its StatusError', async () => {
    const client = createClient(server.kubeConfig());
    try {
      await assert.rejects(
        Promise.resolve(client.resource('secrets').watchObject('ns', { labelSelector: 'forbidden' }, new AbortController().signal)),
        (err: unknown) => err instanceof StatusError && err.statusCode === 403 && err.reason === 'Forbidden',
      );
    } finally {
      await client.close();
    }
  });

  it('ends a watch with WatchDecodeError on a malformed line; the process and the connection survive', async () => {
    const client = createClient(server.kubeConfig());
    try {
      const secrets = client.resource('secrets');
      const iterable = await secrets.watchObject('ns', { labelSelector: 'malformed' }, new AbortController().signal);
      const seen: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const e of iterable) seen.push(e.type);
        })(),
        (err: unknown) => err instanceof WatchDecodeError && !err.message.includes('s3cr3t'),
      );
      assert.deepEqual(seen, ['ADDED']);
      await until(() => client.stats().streams === 0 && server.openStreams() === 0, 'the stream is freed on both ends');
      assert.equal((await secrets.getObject('ns', 's1', {})).metadata?.name, 's1');
      assert.equal(client.stats().http2Connections, 1);
    } finally {
      await client.close();
    }
  });

  it('aborting the signal ends the iteration cleanly and frees the stream', async () => {
    const client = createClient(server.kubeConfig());
    try {
      const controller = new AbortController();
      const before = openWatches.length;
      const iterable = await client.resource('secrets').watchObject('ns', {}, controller.signal);
      const iterator = iterable[Symbol.asyncIterator]();
      const first = await iterator.next();
      assert.equal(first.done === true ? undefined : first.value.type, 'ADDED');
      await until(() => openWatches.length === before + 1, 'the server holds the watch');
      assert.equal(server.openStreams(), 1);
      const pending = iterator.next();
      controller.abort();
      assert.deepEqual(await pending, { done: true, value: undefined });
      await until(() => server.openStreams() === 0, 'the server sees the stream closed');
      assert.equal(client.stats().streams, 0);
      // aborted before the request: an empty watch, no request sent
      const count = server.requests.length;
      assert.deepEqual(await collect(await client.resource('secrets').watchObject('ns', {}, controller.signal)), []);
      assert.equal(server.requests.length, count);
    } finally {
      await client.close();
    }
  });

  it('a connection failure is thrown from the iterator', async () => {
    const client = createClient(server.kubeConfig());
    try {
      const iterable = await client.resource('secrets').watchObject('ns', {}, new AbortController().signal);
      const iterator = iterable[Symbol.asyncIterator]();
      await iterator.next();
      await until(() => server.openStreams() === 1, 'the server holds the watch');
      const pending = iterator.next();
      openWatches.at(-1)?.stream?.close(2);
      await assert.rejects(pending, (err: unknown) => err instanceof ConnectionError && /watch secrets in "ns": the watch stream failed/.test(err.message));
    } finally {
      await client.close();
    }
  });

  it('close() ends open watches with ClientClosedError and refuses new requests', async () => {
    const client = createClient(server.kubeConfig());
    const iterator = (await client.resource('secrets').watchObject('ns', {}, new AbortController().signal))[Symbol.asyncIterator]();
    await iterator.next();
    const ended = assert.rejects(iterator.next(), ClientClosedError);
    await client.close();
    await ended;
    await assert.rejects(client.resource('secrets').getObject('ns', 's1', {}), ClientClosedError);
    await client.close();
    assert.deepEqual(client.stats(), { http2Connections: 0, http1Sockets: 0, streams: 0, connections: 0, bufferedWatchBytes: 0 });
  });
});
