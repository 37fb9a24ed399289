import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/client/index.ts';
import { ConnectionError } from '../../src/client/errors.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { maxTimerDelayMs } from '../../src/util/duration.ts';
import { startTcpProxy } from './helpers/tcp-proxy.ts';
import type { TcpProxy } from './helpers/tcp-proxy.ts';
import type { TestServer } from './helpers/test-server.ts';
import { answerBookmarkOrSecret, startTestServer, until } from './helpers/test-server.ts';

const IDLE = maxTimerDelayMs;

describe('connection health', () => {
  let server: TestServer;
  let refuseNext = 0;
  before(async () => {
    server = await startTestServer({
      handler(req, res) {
        if (refuseNext > 0 && 'stream' in req) {
          refuseNext--;
          // What a server does with a stream it will not process: the client may send it again.
          req.stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
          return;
        }
        if ((req.url ?? '').endsWith('/goaway') && 'stream' in req) {
          // A graceful GOAWAY after this stream (kube-apiserver's --goaway-chance): this one is answered, later ones go elsewhere.
          req.stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR, req.stream.id);
        }
        answerBookmarkOrSecret(req, res);
      },
    });
  });
  after(async () => {
    await server.close();
  });

  describe('PING', () => {
    let proxy: TcpProxy;
    before(async () => {
      proxy = await startTcpProxy(Number(new URL(server.url).port));
    });
    after(async () => {
      await proxy.close();
    });

    it('a connection whose peer stops answering fails its watches after an unanswered PING; a healthy one does not', async () => {
      const clock = new FakeClock();
      const kc = server.kubeConfig({ token: 't' }, { server: `https://127.0.0.1:${proxy.port}` });
      const client = createClient(kc, { clock, idleConnectionTimeoutMs: IDLE, pingIntervalMs: 30_000 });
      try {
        const watch = (await client.resource('secrets').watchObject('ns', {}, new AbortController().signal))[Symbol.asyncIterator]();
        assert.equal((await watch.next()).done, false);
        // healthy: the PING is answered and the next one scheduled
        clock.step(30_000);
        await until(() => clock.nextTimerDue() === 60_000, 'the PING is answered');
        clock.step(15_000);
        assert.equal(client.stats().http2Connections, 1);
        // dead peer: no answer
        const pending = watch.next();
        proxy.blackhole();
        clock.step(15_000);
        clock.step(15_000);
        await assert.rejects(pending, (err: unknown) => err instanceof ConnectionError && /did not answer an HTTP\/2 PING within 15000 ms/.test(err.message));
        await until(() => client.stats().http2Connections === 0, 'the dead connection leaves the pool');
      } finally {
        await client.close();
      }
    });
  });

  it('a request whose stream the server refuses is sent again; after a GOAWAY new requests use a new connection', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock(), idleConnectionTimeoutMs: IDLE });
    try {
      const secrets = client.resource('secrets');
      refuseNext = 2;
      const start = server.requests.length;
      assert.equal((await secrets.getObject('ns', 'x', {})).metadata?.name, 'x');
      assert.equal(server.requests.length - start, 3);
      assert.equal((await secrets.getObject('ns', 'goaway', {})).metadata?.name, 'x');
      // (the Node test server keeps its end of a connection after a GOAWAY, so only the client side is checked)
      await until(() => client.stats().http2Connections === 0, 'the client drops the connection that got GOAWAY');
      const acceptedBefore = server.connectionsAccepted();
      assert.equal((await secrets.getObject('ns', 'x', {})).metadata?.name, 'x');
      assert.equal(client.stats().http2Connections, 1);
      assert.equal(server.connectionsAccepted(), acceptedBefore + 1);
    } finally {
      refuseNext = 0;
      await client.close();
    }
  });
});
