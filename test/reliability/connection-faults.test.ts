// A watching secret manager when the connection to the API server goes
// quiet, is cut by a restart, or finds nothing listening for longer than the
// backoff cap. The manager keeps answering from memory, keeps its request
// rate within the backoff, and converges to the server's state within the
// longest backoff wait plus one list once the server answers again.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startApiServer } from '../../src/apiserver/index.ts';
import { ConnectionError, WatchStalledError } from '../../src/index.ts';
import {
  WatchedSecrets,
  convergenceBoundMs,
  decodeV,
  listWatchRequests,
  maxAttempts,
  maxBackoffWaitMs,
  ns,
  oneListMs,
  secretPod,
  seed,
  serverIdle,
  trapUnhandledRejections,
  writer,
  note,
} from './harness.ts';
import { startStallProxy } from './stall-proxy.ts';
import { eventually } from '../helpers/eventually.ts';

const trap = trapUnhandledRejections();
after(() => trap.check());

const names = ['s0', 's1', 's2', 's3', 's4'];
const pods = [secretPod('p1', 'uid-1', ['s0', 's1', 's2']), secretPod('p2', 'uid-2', ['s2', 's3', 's4'])];

describe('connection faults', () => {
  it('a stalled connection (open, silent): stall detection and HTTP/2 PINGs replace it, then converges', async () => {
    const server = await startApiServer();
    const proxy = await startStallProxy(Number(new URL(server.url).port));
    const core = writer(server.kubeConfig());
    await seed(core, names, 'initial');
    const kc = server.kubeConfig();
    kc.clusters = kc.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${proxy.port}` }));
    const stallTimeoutMs = 10_000;
    const pingIntervalMs = 30_000;
    const w = new WatchedSecrets(kc, { stallTimeoutMs, pingIntervalMs });
    try {
      for (const pod of pods) w.manager.registerPod(pod);
      for (const name of names) assert.equal(decodeV(await w.get(name)), 'initial');
      await eventually(() => assert.equal(server.metrics().activeWatches, names.length, 'every watch is open'));
      // An event through every watch: the client has their headers and is reading them (not still waiting for a response).
      for (const name of names) {
        await core.replaceNamespacedSecret({ namespace: ns, name, body: { metadata: { name }, stringData: { v: 'live' } } });
      }
      await eventually(async () => {
        for (const name of names) assert.equal(decodeV(await w.get(name)), 'live');
      });
      assert.equal(proxy.stallOpenConnections(), 1, 'every watch shares one HTTP/2 connection');
      for (const name of names) {
        await core.replaceNamespacedSecret({ namespace: ns, name, body: { metadata: { name }, stringData: { v: 'after-stall' } } });
      }
      assert.equal(decodeV(await w.get('s0')), 'live', 'the stalled watch delivered nothing');
      // Bound: the stall timeout, then a dead connection is found within 1.5 PING intervals, then backoff and a list.
      await w.converge(core, names, stallTimeoutMs + 1.5 * pingIntervalMs + convergenceBoundMs);
      assert.ok(w.sawError((e) => e instanceof WatchStalledError), `stall detection fired: ${w.errors.map((e) => e.message).join("; ")}`);
      assert.ok(proxy.openConnections >= 1);
      await w.close(pods);
      await serverIdle(server);
    } finally {
      await w.client.close();
      await proxy.close();
      await server.close();
    }
  });

  it('the server restarted five times (connections cut, history kept or compacted): converges', async () => {
    const server = await startApiServer();
    const core = writer(server.kubeConfig());
    await seed(core, names, 'initial');
    const w = new WatchedSecrets(server.kubeConfig());
    try {
      for (const pod of pods) w.manager.registerPod(pod);
      for (const name of names) await w.get(name);
      const before = listWatchRequests(server);
      const restarts = 5;
      const windowMs = restarts * 4_000;
      for (let i = 0; i < restarts; i++) {
        await server.faults.restart({ compactHistory: i % 2 === 0 });
        // Written while every connection is down: the relist must bring it.
        await core.replaceNamespacedSecret({ namespace: ns, name: `s${i}`, body: { metadata: { name: `s${i}` }, stringData: { v: `restart-${i}` } } });
        // The last restart is followed at once by the convergence check.
        if (i < restarts - 1) await w.runFor(4_000);
      }
      assert.ok(w.sawError((e) => e instanceof ConnectionError), 'watches were cut');
      await w.converge(core, names, convergenceBoundMs);
      const requests = listWatchRequests(server) - before;
      // Each restart costs each reflector at most a relist (twice after a 410) and a watch, plus backoff attempts.
      const bound = names.length * 3 * (restarts + maxAttempts(windowMs + convergenceBoundMs));
      note(`${requests} requests, bound ${bound}`);
      assert.ok(requests <= bound, `${requests} list+watch requests over ${restarts} restarts, bound ${bound}`);
      await w.close(pods);
      await serverIdle(server);
    } finally {
      await w.client.close();
      await server.close();
    }
  });

  it('the server stopped for 90 s (3 x the backoff cap), then a new one on the same port: keeps serving, bounded retries, converges', async () => {
    // Plain HTTP so the new server needs no certificate the client trusts; same port and token.
    const token = 'reliability-token';
    let server = await startApiServer({ tls: false, token });
    const port = Number(new URL(server.url).port);
    const core = writer(server.kubeConfig());
    await seed(core, names, 'initial');
    const w = new WatchedSecrets(server.kubeConfig());
    try {
      for (const pod of pods) w.manager.registerPod(pod);
      for (const name of names) await w.get(name);
      const oldRv = Number(server.metrics().resourceVersion);
      await server.close();

      const before = w.counts.list + w.counts.watch;
      const downMs = 90_000;
      await w.runFor(downMs);
      for (const name of names) assert.equal(decodeV(await w.get(name)), 'initial', 'served from memory while the server is down');
      const calls = w.counts.list + w.counts.watch - before;
      const bound = names.length * maxAttempts(downMs) * 2;
      assert.ok(calls >= names.length, `every reflector retried (${calls})`);
      note(`${calls} requests, bound ${bound}`);
      assert.ok(calls <= bound, `${calls} list+watch calls in ${downMs} ms down, bound ${bound}`);

      server = await startApiServer({ tls: false, token, port });
      const core2 = writer(server.kubeConfig());
      // The data comes back at resourceVersions above the old server's, as an etcd-backed restart keeps them.
      await core2.createNamespace({ body: { metadata: { name: ns } } });
      await core2.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'bump' } } });
      for (let i = 0; Number(server.metrics().resourceVersion) <= oldRv; i++) {
        await core2.replaceNamespacedConfigMap({ namespace: ns, name: 'bump', body: { metadata: { name: 'bump' }, data: { i: String(i) } } });
      }
      for (const name of names.slice(1)) {
        await core2.createNamespacedSecret({ namespace: ns, body: { metadata: { name }, stringData: { v: 'back' } } });
      }
      // s0 is gone on the new server: the manager must say NotFound.
      await w.converge(core2, names, maxBackoffWaitMs + oneListMs);
      assert.equal(decodeV(await w.get('s1')), 'back');
      await w.close(pods);
      await serverIdle(server);
    } finally {
      await w.client.close();
      await server.close();
    }
  });
});
