// A hostile API server against createClient's memory bounds: a get or list
// answered 200 with a body that never ends, and watches that each send an
// event line that never ends. The client reads no more than its limits
// (maxResponseBytes per get or list, maxBufferedWatchBytes across every
// watch), fails with ResponseTooLargeError naming the limit and its option,
// frees the stream, and goes on serving good answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, ResponseTooLargeError } from '../../src/client/index.ts';
import type { KubeClient } from '../../src/client/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import type { TestRequest, TestResponse, TestServer } from '../client/helpers/test-server.ts';
import { sendJson, startTestServer, turn, until } from '../client/helpers/test-server.ts';

const MiB = 1024 * 1024;
/** What an "endless" answer sends at most (so that a client without the bound still ends the test, failing it). */
const ENDLESS = 96 * MiB;
const CHUNK = Buffer.alloc(64 * 1024, 'a');
/** RELIABILITY_DEBUG=1 prints the measured figures. */
const debug = process.env['RELIABILITY_DEBUG'] === undefined ? (): void => {} : (...args: unknown[]): void => console.log(...args);

interface Streamed {
  /** Bytes handed to the server's response so far. */
  sent: number;
  closed: boolean;
}

/** Writes `prefix`, then CHUNKs as fast as the client takes them (waiting on 'drain'), until ENDLESS bytes or the client goes away. */
function streamEndlessly(res: TestResponse, prefix: string, record: Streamed[]): void {
  const state: Streamed = { sent: 0, closed: false };
  record.push(state);
  const writable = res as unknown as NodeJS.WritableStream & { once(event: 'drain', listener: () => void): unknown };
  res.on('close', () => {
    state.closed = true;
  });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write(prefix);
  state.sent += prefix.length;
  const pump = (): void => {
    while (!state.closed && state.sent < ENDLESS) {
      state.sent += CHUNK.length;
      if (!res.write(CHUNK)) {
        writable.once('drain', pump);
        return;
      }
    }
    if (!state.closed) res.end();
  };
  pump();
}

function hostile(record: Streamed[]) {
  return (req: TestRequest, res: TestResponse): void => {
    const url = new URL(req.url ?? '/', 'https://x');
    if (url.pathname.endsWith('/good')) return sendJson(res, 200, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'good', resourceVersion: '3' } });
    if (url.searchParams.get('watch') === '1') return streamEndlessly(res, '{"type":"ADDED","object":{"kind":"Secret","data":{"x":"', record);
    if (url.pathname.endsWith('/secrets')) return streamEndlessly(res, '{"kind":"SecretList","items":[{"data":"', record);
    streamEndlessly(res, '{"kind":"Secret","data":{"x":"', record);
  };
}

const protocols = [
  ['HTTP/2', 'h2'],
  ['HTTP/1.1', 'https1'],
] as const;

for (const [label, protocol] of protocols) {
  describe(`a hostile server over ${label}`, () => {
    const record: Streamed[] = [];
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ protocol, handler: hostile(record) });
    });
    after(async () => {
      await server.close();
    });

    function client(options: { maxResponseBytes?: number; maxBufferedWatchBytes?: number; maxEventBytes?: number }): KubeClient {
      return createClient(server.kubeConfig(), { clock: new FakeClock(), pingIntervalMs: 0, ...options });
    }

    it('a get or list whose 200 body never ends fails with ResponseTooLargeError once maxResponseBytes were read; the stream is freed and the client goes on', async () => {
      const limit = 2 * MiB;
      const kube = client({ maxResponseBytes: limit });
      try {
        const secrets = kube.resource('secrets');
        for (const [what, request] of [
          ['get', () => secrets.getObject('ns', 'endless', {})],
          ['list', () => secrets.listObject('ns', {})],
        ] as const) {
          const before = record.length;
          await assert.rejects(request(), (err: unknown) => {
            assert.ok(err instanceof ResponseTooLargeError, `${what}: ${String(err)}`);
            assert.equal(err.code, 'KOM_RESPONSE_TOO_LARGE');
            assert.equal(err.limit, limit);
            assert.equal(err.option, 'maxResponseBytes');
            assert.match(err.message, /larger than 2097152 bytes.*ClientOptions\.maxResponseBytes/);
            return true;
          });
          const streamed = record[before];
          assert.ok(streamed !== undefined);
          await until(() => streamed.closed, `${what}: the server sees the response abandoned`);
          // What the server got rid of: what the client read (at most the
          // limit and one chunk) plus what flow control and socket buffers
          // hold, far below the endless body.
          debug(`${label} ${what}: ${streamed.sent} bytes sent in all with maxResponseBytes ${limit}`);
          assert.ok(streamed.sent <= limit + 8 * MiB, `${what}: ${streamed.sent} bytes sent before the client stopped reading`);
          await until(() => kube.stats().streams === 0 && server.openStreams() === 0, `${what}: the stream is freed`);
        }
        assert.equal((await secrets.getObject('ns', 'good', {})).metadata?.name, 'good', 'good answers are read as before');
      } finally {
        await kube.close();
      }
    });

    it('watches that each send a line that never ends: together they hold at most maxBufferedWatchBytes, each ends with ResponseTooLargeError', async () => {
      const budget = 4 * MiB;
      const watches = 6;
      const kube = client({ maxBufferedWatchBytes: budget, maxEventBytes: 64 * MiB });
      try {
        const secrets = kube.resource('secrets');
        const before = record.length;
        const signal = new AbortController().signal;
        let highest = 0;
        const results = Array.from({ length: watches }, async () => {
          const iterator = (await secrets.watchObject('ns', {}, signal))[Symbol.asyncIterator]();
          return iterator.next().then(
            () => undefined,
            (err: unknown) => err,
          );
        });
        let settled = 0;
        for (const result of results) void result.then(() => settled++);
        while (settled < watches) {
          highest = Math.max(highest, kube.stats().bufferedWatchBytes);
          await turn();
        }
        for (const err of await Promise.all(results)) {
          assert.ok(err instanceof ResponseTooLargeError, String(err));
          assert.equal(err.option, 'maxBufferedWatchBytes');
          assert.equal(err.limit, budget);
          assert.match(err.message, /ClientOptions\.maxBufferedWatchBytes/);
        }
        assert.ok(highest <= budget, `the watches held ${highest} bytes of unfinished lines at once`);
        assert.ok(highest >= budget / 4, `the budget was used (${highest} bytes)`);
        assert.equal(kube.stats().bufferedWatchBytes, 0, 'every failed watch gave its bytes back');
        const streamed = record.slice(before);
        await until(() => streamed.length === watches && streamed.every((s) => s.closed), 'the server sees every watch abandoned');
        debug(`${label} watches: at most ${highest} bytes of unfinished lines held at once (budget ${budget}); sent per watch: ${streamed.map((s) => s.sent).join(', ')}`);
        for (const s of streamed) assert.ok(s.sent <= budget + 8 * MiB, `${s.sent} bytes sent on one watch`);
        await until(() => kube.stats().streams === 0, 'every stream is freed');
        assert.equal((await secrets.getObject('ns', 'good', {})).metadata?.name, 'good');
      } finally {
        await kube.close();
      }
    });
  });
}
