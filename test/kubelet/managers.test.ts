// The kubelet's secret and configmap managers against the embedded API
// server, written to through @kubernetes/client-node like any other client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.ts';
import {
  createClient,
  getObjectTTLFromNodeFunc,
  isNotFound,
  newCachingConfigMapManager,
  newCachingSecretManager,
  newSimpleSecretManager,
  newWatchingConfigMapManager,
  newWatchingSecretManager,
  NotRegisteredError,
  type KubeClient,
} from '../../src/index.ts';
import { FakeClock } from '../../src/testing.ts';
import { eventually } from '../helpers/eventually.ts';

const ns = 'shop';

function decode(data: Record<string, string> | undefined, key: string): string {
  return Buffer.from(data?.[key] ?? '', 'base64').toString();
}

function appPod(name: string, uid: string): V1Pod {
  return {
    metadata: { namespace: ns, name, uid },
    spec: {
      containers: [
        {
          name: 'app',
          env: [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
          envFrom: [{ configMapRef: { name: 'settings' } }],
        },
      ],
      volumes: [
        { name: 'tls', secret: { secretName: 'tls' } },
        { name: 'ca', projected: { sources: [{ secret: { name: 'ca-bundle' } }] } },
      ],
    },
  };
}

/** client-node as the writer; it refuses plain http:// unless told to skip TLS verification. */
function writer(server: ApiServer): CoreV1Api {
  const kc = server.kubeConfig();
  const cluster = kc.getCurrentCluster();
  if (cluster !== null && cluster.server.startsWith('http:')) {
    kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c));
  }
  return kc.makeApiClient(CoreV1Api);
}

for (const tls of [true, false]) {
  describe(`kubelet managers against the embedded server over ${tls ? 'HTTP/2 (TLS)' : 'HTTP/1.1'}`, () => {
    let server: ApiServer;
    let core: CoreV1Api;

    before(async () => {
      server = await startApiServer({ tls });
      core = writer(server);
      await core.createNamespace({ body: { metadata: { name: ns } } });
      const secrets: V1Secret[] = [
        { metadata: { name: 'db' }, stringData: { password: 'one' } },
        { metadata: { name: 'tls' }, stringData: { 'tls.crt': 'cert' } },
        { metadata: { name: 'ca-bundle' }, stringData: { 'ca.crt': 'ca' }, immutable: true },
      ];
      for (const body of secrets) await core.createNamespacedSecret({ namespace: ns, body });
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'settings' }, data: { mode: 'blue' } } });
    });
    after(async () => {
      await server.close();
    });

    it('watching: reads, follows updates and deletes, stops immutable watches, closes watches on unregister', async () => {
      const client: KubeClient = createClient(server.kubeConfig());
      const clock = new FakeClock();
      const controller = new AbortController();
      const options = { clock, signal: controller.signal };
      const secrets = newWatchingSecretManager(client, 60_000, options);
      const configMaps = newWatchingConfigMapManager(client, 60_000, options);
      try {
        const pod = appPod('web-1', 'uid-1');
        secrets.registerPod(pod);
        configMaps.registerPod(pod);
        assert.equal(decode((await secrets.getSecret(ns, 'db')).data, 'password'), 'one');
        assert.equal((await configMaps.getConfigMap(ns, 'settings')).data?.mode, 'blue');
        await eventually(() => assert.equal(server.metrics().activeWatches, 4));

        await core.replaceNamespacedSecret({ namespace: ns, name: 'db', body: { metadata: { name: 'db' }, stringData: { password: 'two' } } });
        await eventually(async () => assert.equal(decode((await secrets.getSecret(ns, 'db')).data, 'password'), 'two'));
        // client-node sends a JSON patch by default.
        await core.patchNamespacedConfigMap({ namespace: ns, name: 'settings', body: [{ op: 'replace', path: '/data/mode', value: 'green' }] });
        await eventually(async () => assert.equal((await configMaps.getConfigMap(ns, 'settings')).data?.mode, 'green'));

        await secrets.getSecret(ns, 'ca-bundle');
        await eventually(() => assert.equal(server.metrics().activeWatches, 3, 'the immutable secret stopped its watch'));

        await core.deleteNamespacedSecret({ namespace: ns, name: 'tls' });
        await eventually(async () => assert.ok(await secrets.getSecret(ns, 'tls').then(() => false, isNotFound)));
        await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'tls' }, stringData: { 'tls.crt': 'new' } } });
        await eventually(async () => assert.equal(decode((await secrets.getSecret(ns, 'tls')).data, 'tls.crt'), 'new'));

        const watchRequests = server.metrics().requests['watch secrets'] ?? 0;
        for (let i = 0; i < 20; i++) await secrets.getSecret(ns, 'db');
        assert.equal(server.metrics().requests['watch secrets'] ?? 0, watchRequests, 'reads come from memory');
        assert.equal(server.metrics().requests['get secrets'] ?? 0, 0, 'never a GET');

        secrets.unregisterPod(pod);
        configMaps.unregisterPod(pod);
        await eventually(() => assert.equal(server.metrics().activeWatches, 0));
        await assert.rejects(secrets.getSecret(ns, 'db'), NotRegisteredError);
      } finally {
        controller.abort();
        await client.close();
      }
    });

    it('watching: converges after the server drops every watch, compacts its history and restarts', async () => {
      const client = createClient(server.kubeConfig());
      const clock = new FakeClock();
      const controller = new AbortController();
      const secrets = newWatchingSecretManager(client, 60_000, { clock, signal: controller.signal });
      try {
        secrets.registerPod(appPod('web-2', 'uid-2'));
        await secrets.getSecret(ns, 'db');
        server.faults.dropWatches({ abort: true });
        await core.replaceNamespacedSecret({ namespace: ns, name: 'db', body: { metadata: { name: 'db' }, stringData: { password: 'three' } } });
        server.faults.compactHistory();
        // Backoff waits run on the fake clock: move it while the real I/O happens.
        await eventually(async () => assert.equal(decode((await secrets.getSecret(ns, 'db')).data, 'password'), 'three'), {
          onRetry: () => clock.step(100),
        });
        await server.faults.restart({ compactHistory: true });
        await core.replaceNamespacedSecret({ namespace: ns, name: 'db', body: { metadata: { name: 'db' }, stringData: { password: 'four' } } });
        await eventually(async () => assert.equal(decode((await secrets.getSecret(ns, 'db')).data, 'password'), 'four'), {
          onRetry: () => clock.step(100),
        });
      } finally {
        controller.abort();
        await client.close();
      }
    });

    it('caching: serves within the node TTL, refetches after it, and on re-registration', async () => {
      const client = createClient(server.kubeConfig());
      const clock = new FakeClock();
      const node = { metadata: { name: 'n1', annotations: { 'node.alpha.kubernetes.io/ttl': '30' } } };
      const secrets = newCachingSecretManager(client, getObjectTTLFromNodeFunc(() => node), { clock });
      const configMaps = newCachingConfigMapManager(client, getObjectTTLFromNodeFunc(() => node), { clock });
      try {
        const pod = appPod('web-3', 'uid-3');
        secrets.registerPod(pod);
        configMaps.registerPod(pod);
        const gets = (): number => server.metrics().requests['get secrets'] ?? 0;
        const start = gets();
        await secrets.getSecret(ns, 'db');
        await secrets.getSecret(ns, 'db');
        assert.equal(gets() - start, 1, 'second read from the cache');
        await core.replaceNamespacedSecret({ namespace: ns, name: 'db', body: { metadata: { name: 'db' }, stringData: { password: 'five' } } });
        clock.step(30_000);
        assert.equal(decode((await secrets.getSecret(ns, 'db')).data, 'password'), 'five');
        assert.equal(gets() - start, 2);
        secrets.registerPod(pod);
        await secrets.getSecret(ns, 'db');
        assert.equal(gets() - start, 3, 're-registering refreshes');
        assert.equal((await configMaps.getConfigMap(ns, 'settings')).metadata?.name, 'settings');
      } finally {
        await client.close();
      }
    });

    it('simple: a GET per read, registration changes nothing', async () => {
      const client = createClient(server.kubeConfig());
      try {
        const secrets = newSimpleSecretManager(client);
        const before = server.metrics().requests['get secrets'] ?? 0;
        await secrets.getSecret(ns, 'db');
        await secrets.getSecret(ns, 'db');
        assert.equal((server.metrics().requests['get secrets'] ?? 0) - before, 2);
        await assert.rejects(secrets.getSecret(ns, 'missing'), (err) => isNotFound(err));
      } finally {
        await client.close();
      }
    });

    it('simple and caching: a name that is not a path segment answers NotFound without a request (its path would reach another object)', async () => {
      const client = createClient(server.kubeConfig());
      const names = ['..', 'a/b', 'a%2fb', '.', 'x'.repeat(254)];
      const pod: V1Pod = { metadata: { namespace: ns, name: 'odd', uid: 'uid-odd' }, spec: { containers: [], imagePullSecrets: names.map((name) => ({ name })) } };
      try {
        const caching = newCachingSecretManager(client, () => undefined, { clock: new FakeClock() });
        caching.registerPod(pod);
        const before = server.metrics().requests['get secrets'] ?? 0;
        for (const manager of [newSimpleSecretManager(client), caching]) {
          for (const name of names) await assert.rejects(manager.getSecret(ns, name), (err) => isNotFound(err), name.slice(0, 10));
        }
        assert.equal((server.metrics().requests['get secrets'] ?? 0) - before, 0, 'no request');
        assert.deepEqual(new Set(caching.entries().map((e) => e.state)), new Set(['missing']));
      } finally {
        await client.close();
      }
    });
  });
}
