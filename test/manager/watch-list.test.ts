// Requests per watched object with WatchList, through our client and the
// embedded API server: one watch when the server serves it, a list and a
// watch when it does not (after one refused request for the whole client).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.ts';
import { createClient, isNotFound, newWatchingConfigMapManager, newWatchingSecretManager, type ClientOptions, type KubeClient } from '../../src/index.ts';
import { FakeClock } from '../../src/testing.ts';
import { eventually } from '../helpers/eventually.ts';
import { settle } from '../helpers/settle.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const names = ['s0', 's1', 's2', 's3', 's4'];

async function setup(serverOptions: { watchList?: boolean } = {}, clientOptions: ClientOptions = {}): Promise<{ server: ApiServer; core: CoreV1Api; client: KubeClient; clock: FakeClock; signal: AbortSignal }> {
  const server = await startApiServer(serverOptions);
  cleanups.push(() => server.close());
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'wl' } } });
  for (const name of names) {
    await core.createNamespacedSecret({ namespace: 'wl', body: { metadata: { name }, stringData: { v: name } } });
    await core.createNamespacedConfigMap({ namespace: 'wl', body: { metadata: { name }, data: { v: name } } });
  }
  const client = createClient(server.kubeConfig(), clientOptions);
  const controller = new AbortController();
  cleanups.push(async () => {
    controller.abort();
    await client.close();
  });
  return { server, core, client, clock: new FakeClock(), signal: controller.signal };
}

function podReferencing(secrets: string[]): V1Pod {
  return {
    metadata: { namespace: 'wl', name: 'p', uid: 'u' },
    spec: {
      containers: [],
      volumes: secrets.flatMap((s) => [
        { name: `s-${s}`, secret: { secretName: s } },
        { name: `c-${s}`, configMap: { name: s } },
      ]),
    },
  };
}

const requests = (server: ApiServer, verb: string, resource = 'secrets'): number => server.metrics().requests[`${verb} ${resource}`] ?? 0;

describe('watching managers with WatchList', () => {
  it('read every object after one watch request per object and no list', async () => {
    const { server, client, clock, signal } = await setup();
    const secrets = newWatchingSecretManager(client, 60_000, { clock, signal });
    secrets.registerPod(podReferencing(names));
    const read = await Promise.all(names.map((n) => secrets.getSecret('wl', n)));
    assert.deepEqual(read.map((s) => Buffer.from(s.data?.['v'] ?? '', 'base64').toString()), names);
    assert.equal(requests(server, 'watch'), names.length);
    assert.equal(requests(server, 'list'), 0);
  });

  it('against a server without WatchList, read every object after one refused request for the client, then a list and a watch per object', async () => {
    const { server, client, clock, signal } = await setup({ watchList: false });
    const secrets = newWatchingSecretManager(client, 60_000, { clock, signal });
    secrets.registerPod(podReferencing(names));
    const read = await Promise.all(names.map((n) => secrets.getSecret('wl', n)));
    assert.equal(read.length, names.length);
    await eventually(() => assert.equal(server.metrics().activeWatches, names.length));
    assert.equal(requests(server, 'watch'), names.length + 1);
    assert.equal(requests(server, 'list'), names.length);

    // Another manager on the same client (configmaps) knows already.
    const configMaps = newWatchingConfigMapManager(client, 60_000, { clock, signal });
    configMaps.registerPod(podReferencing(names));
    await Promise.all(names.map((n) => configMaps.getConfigMap('wl', n)));
    await eventually(() => assert.equal(server.metrics().activeWatches, 2 * names.length));
    assert.equal(requests(server, 'watch', 'configmaps'), names.length);
    assert.equal(requests(server, 'list', 'configmaps'), names.length);
  });

  it('with the client option watchList: false, list and watch each object even where WatchList is served', async () => {
    const { server, client, clock, signal } = await setup({}, { watchList: false });
    assert.equal(client.resource('secrets').watchObject.watchList, undefined);
    const secrets = newWatchingSecretManager(client, 60_000, { clock, signal });
    secrets.registerPod(podReferencing(names));
    await Promise.all(names.map((n) => secrets.getSecret('wl', n)));
    await eventually(() => assert.equal(server.metrics().activeWatches, names.length));
    assert.equal(requests(server, 'watch'), names.length);
    assert.equal(requests(server, 'list'), names.length);
  });

  it('an object deleted while its watch was stopped for idleness is gone after the restart (the initial events replace what was held)', async () => {
    const { server, core, client, clock, signal } = await setup();
    const secrets = newWatchingSecretManager(client, 60_000, { clock, signal });
    secrets.registerPod(podReferencing(['s0', 's1']));
    await secrets.getSecret('wl', 's0');
    await secrets.getSecret('wl', 's1');
    clock.step(300_000);
    clock.step(60_000);
    await eventually(() => assert.equal(server.metrics().activeWatches, 0));
    await core.deleteNamespacedSecret({ namespace: 'wl', name: 's0' });
    await core.replaceNamespacedSecret({ namespace: 'wl', name: 's1', body: { metadata: { name: 's1' }, stringData: { v: 'new' } } });
    await settle();
    await assert.rejects(secrets.getSecret('wl', 's0'), (e) => isNotFound(e));
    const s1 = await secrets.getSecret('wl', 's1');
    assert.equal(Buffer.from(s1.data?.['v'] ?? '', 'base64').toString(), 'new');
    assert.equal(requests(server, 'list'), 0);
  });
});
