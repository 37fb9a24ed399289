// Connections are bounded: idle ones close after idleTimeoutMs on the clock
// (kube-apiserver's 90 s IdleTimeout; HTTP/2 with GOAWAY), a connection with
// a watch is never idle, and at most maxConnections are open at once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { startApiServer } from '../../src/apiserver/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { h2session, watch } from './helpers.ts';

const S = '/api/v1/namespaces/default/secrets';
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits (on I/O turns, not on time) until `done()`; the test's own timeout bounds a failure. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await turn();
}

describe('apiserver connection limits', () => {
  it('an HTTP/2 connection with no open stream gets GOAWAY after 90 s idle; one with a watch stays open', { timeout: 30_000 }, async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const server = await startApiServer({ clock });
    try {
      const session = await h2session(server);
      let goaway = false;
      let closed = false;
      session.on('goaway', () => (goaway = true));
      session.on('close', () => (closed = true));
      session.on('error', () => undefined);
      const w = await watch(server, `${S}?watch=true&resourceVersion=${server.metrics().resourceVersion}`, session);
      for (let i = 0; i < 5; i++) {
        clock.step(90_000);
        await turn();
      }
      assert.equal(goaway, false, 'a connection carrying a watch is not idle');
      w.close();
      await w.ended;
      await until(() => server.metrics().openStreams === 0);
      clock.step(89_999);
      await turn();
      assert.equal(goaway, false, 'not before the idle timeout');
      clock.step(1);
      await until(() => closed);
      assert.equal(goaway, true, 'closed with GOAWAY');
      await until(() => server.metrics().http2Sessions === 0);
    } finally {
      await server.close();
    }
  });

  it('an HTTP/1.1 keep-alive connection with no request in flight is closed after idleTimeoutMs', { timeout: 30_000 }, async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const server = await startApiServer({ clock, idleTimeoutMs: 5_000 });
    const agent = new Agent({ keepAlive: true, ca: server.caCert, ALPNProtocols: ['http/1.1'] });
    try {
      let keepAliveHeader: unknown;
      const socket = await new Promise<Socket>((resolve, reject) => {
        let used: Socket | undefined;
        const r = httpsRequest(`${server.url}${S}`, { agent, headers: { authorization: `Bearer ${server.token}` } }, (res) => {
          keepAliveHeader = res.headers['keep-alive'];
          res.resume();
          res.on('end', () => (used === undefined ? reject(new Error('no socket')) : resolve(used)));
        });
        r.on('socket', (s: Socket) => (used = s));
        r.on('error', reject);
        r.end();
      });
      // Node's own keep-alive timer (5 s of real time, announced in this header) is off: the clock decides, as in kube (no header).
      assert.equal(keepAliveHeader, undefined);
      let closed = false;
      socket.once('close', () => (closed = true));
      clock.step(4_999);
      for (let i = 0; i < 10; i++) await turn();
      assert.equal(closed, false, 'kept alive until the timeout');
      assert.equal(server.metrics().openConnections, 1);
      clock.step(1);
      await until(() => closed);
      await until(() => server.metrics().openConnections === 0);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('a plain connection that never sends a request is closed after idleTimeoutMs', { timeout: 30_000 }, async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const server = await startApiServer({ clock, tls: false, idleTimeoutMs: 1_000 });
    try {
      const url = new URL(server.url);
      const socket = netConnect(Number(url.port), url.hostname);
      await new Promise((resolve) => socket.once('connect', resolve));
      let closed = false;
      socket.once('close', () => (closed = true));
      socket.resume();
      await until(() => server.metrics().openConnections === 1);
      clock.step(1_000);
      await until(() => closed);
    } finally {
      await server.close();
    }
  });

  it('at most maxConnections are open: one more is closed at once and counted', { timeout: 30_000 }, async () => {
    const server = await startApiServer({ maxConnections: 2 });
    try {
      const a = await h2session(server);
      const b = await h2session(server);
      await until(() => server.metrics().openConnections === 2);
      await assert.rejects(h2session(server), 'the third connection is refused');
      assert.equal(server.metrics().droppedConnections, 1);
      a.close();
      await until(() => server.metrics().openConnections === 1);
      const c = await h2session(server);
      c.close();
      b.close();
    } finally {
      await server.close();
    }
  });

  it('refuses bad limits, naming the option', async () => {
    await assert.rejects(startApiServer({ idleTimeoutMs: 2 ** 31 }), /startApiServer: options\.idleTimeoutMs must be a finite number of milliseconds/);
    await assert.rejects(startApiServer({ maxConnections: 0 }), /startApiServer: maxConnections must be a positive integer/);
  });
});
