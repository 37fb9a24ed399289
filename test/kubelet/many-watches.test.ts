// Many watched objects share few HTTP/2 connections.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { startApiServer } from '../../src/apiserver/index.ts';
import { createClient, isNotFound, newWatchingSecretManager } from '../../src/index.ts';
import { FakeClock } from '../../src/testing.ts';
import { eventually } from '../helpers/eventually.ts';

describe('1,000 watched secrets over HTTP/2', () => {
  it('use no more connections than ceil(1000 / stream limit)', async () => {
    const server = await startApiServer();
    const client = createClient(server.kubeConfig());
    const controller = new AbortController();
    try {
      const core = server.kubeConfig().makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: 'bulk' } } });
      const secrets = newWatchingSecretManager(client, 60_000, { clock: new FakeClock(), signal: controller.signal });
      const pods: V1Pod[] = Array.from({ length: 100 }, (_, p) => ({
        metadata: { namespace: 'bulk', name: `p${p}`, uid: `u${p}` },
        spec: { containers: [], volumes: Array.from({ length: 10 }, (_, v) => ({ name: `v${v}`, secret: { secretName: `s-${p}-${v}` } })) },
      }));
      for (const pod of pods) secrets.registerPod(pod);
      await eventually(() => assert.equal(server.metrics().activeWatches, 1_000), { timeoutMs: 30_000 });
      // The server also counts client-node's own connection (the writer): ask our client.
      assert.ok(client.stats().http2Connections <= 10, `${client.stats().http2Connections} HTTP/2 connections`);
      await assert.rejects(secrets.getSecret('bulk', 's-7-3'), (e) => isNotFound(e));
      for (const pod of pods) secrets.unregisterPod(pod);
      await eventually(() => assert.equal(server.metrics().activeWatches, 0), { timeoutMs: 30_000 });
    } finally {
      controller.abort();
      await client.close();
      await server.close();
    }
  });
});
