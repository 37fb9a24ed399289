// A burst of watches opens the connections it needs at the same time (after
// the first has told the server's stream limit), not one after another.
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/client/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import type { TestServer } from './helpers/test-server.ts';
import { answerBookmarkOrSecret, startTestServer, until } from './helpers/test-server.ts';

/** A TCP proxy that holds each new connection (no byte forwarded) until released. */
interface GateProxy {
  port: number;
  /** Connections accepted and not released yet. */
  held(): number;
  /** The most connections held at the same time so far. */
  maxHeld(): number;
  /** Lets every held connection through, and every later one at once when `open`. */
  release(open?: boolean): void;
  close(): Promise<void>;
}

async function startGateProxy(targetPort: number): Promise<GateProxy> {
  const sockets = new Set<Socket>();
  let held: (() => void)[] = [];
  let maxHeld = 0;
  let open = false;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const pass = (): void => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    };
    if (open) return pass();
    held.push(pass);
    maxHeld = Math.max(maxHeld, held.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    held: () => held.length,
    maxHeld: () => maxHeld,
    release(openFromNow = false) {
      open = openFromNow;
      const now = held;
      held = [];
      for (const pass of now) pass();
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

describe('connections for a burst of watches', () => {
  let server: TestServer;
  let gate: GateProxy;
  before(async () => {
    server = await startTestServer({ maxConcurrentStreams: 10, handler: answerBookmarkOrSecret });
  });
  after(async () => {
    await server.close();
  });

  async function burst(watches: number): Promise<{ open: () => Promise<void>; close: () => Promise<void> }> {
    gate = await startGateProxy(Number(new URL(server.url).port));
    const client = createClient(server.kubeConfig({ token: 't' }, { server: `https://127.0.0.1:${gate.port}` }), { clock: new FakeClock() });
    const controller = new AbortController();
    const secrets = client.resource('secrets');
    const opened = Array.from({ length: watches }, async () => {
      const watch = await secrets.watchObject('ns', {}, controller.signal);
      assert.equal((await watch[Symbol.asyncIterator]().next()).done, false);
    });
    return {
      open: async () => {
        await Promise.all(opened);
        assert.equal(client.stats().http2Connections, Math.ceil(watches / 10));
        assert.equal(client.stats().streams, watches);
      },
      close: async () => {
        controller.abort();
        await client.close();
        await gate.close();
      },
    };
  }

  it('45 watches at a 10-stream limit: the first connection alone, then the other 4 at once', async () => {
    const b = await burst(45);
    try {
      await until(() => gate.held() === 1, 'the first connection is being opened');
      gate.release();
      await until(() => gate.held() === 4, 'the 4 other connections are being opened together');
      gate.release(true);
      await b.open();
      assert.equal(gate.maxHeld(), 4);
    } finally {
      await b.close();
    }
  });

  it('at most 16 connections are opened at once', async () => {
    const b = await burst(300);
    try {
      await until(() => gate.held() === 1, 'the first connection is being opened');
      gate.release();
      await until(() => gate.held() === 16, '16 connections are being opened');
      gate.release();
      await until(() => gate.held() === 13, 'the 13 left are opened once those are');
      gate.release(true);
      await b.open();
      assert.equal(gate.maxHeld(), 16);
    } finally {
      await b.close();
    }
  });
});
