import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, CoreV1Api, PatchStrategy, Watch, makeInformer, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';

/** Resolves with the first value `register` delivers that satisfies `pred`. */
function when<T>(register: (cb: (v: T) => void) => void, pred: (v: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => register((v) => pred(v) && resolve(v)));
}

async function apiError(p: Promise<unknown>): Promise<ApiException<string>> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected ApiException, got ${String(err)}`);
    return err as ApiException<string>;
  }
  assert.fail('expected the call to fail');
}

describe('conformance: @kubernetes/client-node', () => {
  let server: ApiServer;
  let kc: KubeConfig;
  let core: CoreV1Api;
  before(async () => {
    server = await startApiServer();
    kc = server.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'cn' } } });
  });
  after(() => server.close());

  it('does CoreV1Api CRUD over TLS with the generated CA and token', async () => {
    const created = await core.createNamespacedSecret({ namespace: 'cn', body: { metadata: { name: 's', labels: { app: 'x' } }, stringData: { user: 'admin' } } });
    assert.equal(created.metadata?.namespace, 'cn');
    assert.ok(created.metadata?.creationTimestamp instanceof Date);
    const read = await core.readNamespacedSecret({ namespace: 'cn', name: 's' });
    assert.equal(Buffer.from(read.data?.['user'] ?? '', 'base64').toString(), 'admin');
    read.data = { user: Buffer.from('root').toString('base64') };
    const replaced = await core.replaceNamespacedSecret({ namespace: 'cn', name: 's', body: read });
    assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);
    const list = await core.listNamespacedSecret({ namespace: 'cn', labelSelector: 'app=x' });
    assert.deepEqual(list.items.map((s) => s.metadata?.name), ['s']);
    const patched = await core.patchNamespacedSecret(
      { namespace: 'cn', name: 's', body: { metadata: { labels: { app: 'y' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(patched.metadata?.labels?.['app'], 'y');
    const jsonPatched = await core.patchNamespacedSecret({ namespace: 'cn', name: 's', body: [{ op: 'add', path: '/metadata/labels/b', value: 'c' }] });
    assert.equal(jsonPatched.metadata?.labels?.['b'], 'c');
    await core.deleteNamespacedSecret({ namespace: 'cn', name: 's' });
    const pods = await core.listPodForAllNamespaces();
    assert.deepEqual(pods.items, []);
  });

  it('surfaces errors as ApiException with the Status code and body', async () => {
    const missing = await apiError(core.readNamespacedConfigMap({ namespace: 'cn', name: 'nope' }));
    assert.equal(missing.code, 404);
    const status = JSON.parse(missing.body) as { reason: string; message: string };
    assert.equal(status.reason, 'NotFound');
    assert.equal(status.message, 'configmaps "nope" not found');
    const cm = await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'c' }, data: { a: '1' } } });
    assert.equal((await apiError(core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'c' } } }))).code, 409);
    await core.replaceNamespacedConfigMap({ namespace: 'cn', name: 'c', body: { ...cm, data: { a: '2' } } });
    const stale = await apiError(core.replaceNamespacedConfigMap({ namespace: 'cn', name: 'c', body: { ...cm, data: { a: '3' } } }));
    assert.equal(stale.code, 409);
    assert.equal((JSON.parse(stale.body) as { reason: string }).reason, 'Conflict');
    const invalid = await apiError(core.createNamespacedPod({ namespace: 'cn', body: { metadata: { name: 'p' }, spec: { containers: [] } } }));
    assert.equal(invalid.code, 422);
    const wrongNs = await apiError(core.createNamespacedSecret({ namespace: 'ghost', body: { metadata: { name: 'x' } } }));
    assert.equal(wrongNs.code, 404);
    server.faults.failNext(1, 429, { verb: 'list', resource: 'configmaps', retryAfterSeconds: 2 });
    const throttled = await apiError(core.listNamespacedConfigMap({ namespace: 'cn' }));
    assert.equal(throttled.code, 429);
    assert.equal(throttled.headers['retry-after'], '2');
    const anon = server.kubeConfig();
    const user = anon.getCurrentUser();
    if (user !== null) (user as { token?: string }).token = 'wrong';
    assert.equal((await apiError(anon.makeApiClient(CoreV1Api).listNamespace())).code, 401);
  });

  it('streams events to Watch', async () => {
    const rv = (await core.listNamespacedConfigMap({ namespace: 'cn' })).metadata?.resourceVersion;
    const events: [string, KubernetesObject][] = [];
    let onEvent: () => void = () => undefined;
    let doneErr: unknown = 'not called';
    const done = new Promise<void>((resolve) => {
      void new Watch(kc)
        .watch('/api/v1/namespaces/cn/configmaps', { resourceVersion: rv, allowWatchBookmarks: true }, (type, obj: KubernetesObject) => {
          events.push([type, obj]);
          onEvent();
        }, (err) => {
          doneErr = err;
          resolve();
        })
        .then((controller) => {
          const twoEvents = new Promise<void>((r) => (onEvent = () => events.length >= 2 && r()));
          void core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'w1' } } })
            .then(() => core.deleteNamespacedConfigMap({ namespace: 'cn', name: 'w1' }))
            .then(() => twoEvents)
            .then(() => server.faults.dropWatches());
          return controller;
        });
    });
    await done;
    assert.equal(doneErr, null, 'a server-side end is a clean done(null)');
    assert.deepEqual(events.map(([t, o]) => [t, o.kind, o.metadata?.name]), [['ADDED', 'ConfigMap', 'w1'], ['DELETED', 'ConfigMap', 'w1']]);
  });

  it('keeps an informer in sync across a dropped watch and a 410 Expired', async () => {
    await core.createNamespace({ body: { metadata: { name: 'inf' } } });
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'before' } } });
    const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/inf/configmaps', () => core.listNamespacedConfigMap({ namespace: 'inf' }));
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    const adds = (name: string): Promise<V1ConfigMap> => when<V1ConfigMap>((cb) => informer.on('add', cb), (o) => o.metadata?.name === name);
    const first = adds('before');
    await informer.start();
    await first;
    const watching = (): Promise<void> => new Promise((resolve) => {
      const check = (): void => void (server.metrics().activeWatches > 0 ? resolve() : setImmediate(check));
      check();
    });
    await watching();

    // 1. The server ends the watch: the informer re-watches from its RV and sees the next change.
    const listsBefore = server.metrics().requests['list configmaps'] ?? 0;
    assert.equal(server.faults.dropWatches(), 1);
    const afterDrop = adds('after-drop');
    await watching();
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'after-drop' } } });
    await afterDrop;
    assert.equal(server.metrics().requests['list configmaps'] ?? 0, listsBefore, 'a dropped watch resumes without a relist');

    // 2. History compacted past the informer's RV (writes elsewhere moved the global RV on): the
    //    resume gets ERROR 410 Expired and the informer relists, seeing what changed meanwhile.
    const deleted = when<V1ConfigMap>((cb) => informer.on('delete', cb), (o) => o.metadata?.name === 'before');
    const missed = adds('missed');
    await core.createNamespacedSecret({ namespace: 'cn', body: { metadata: { name: 'elsewhere' } } });
    server.faults.compactHistory();
    server.faults.dropWatches();
    await core.deleteNamespacedConfigMap({ namespace: 'inf', name: 'before' });
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'missed' } } });
    await Promise.all([deleted, missed]);
    assert.ok((server.metrics().requests['list configmaps'] ?? 0) > listsBefore, 'the 410 made it relist');
    assert.deepEqual(informer.list('inf').map((o) => o.metadata?.name).sort(), ['after-drop', 'missed']);
    const later = adds('later');
    await watching();
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'later' } } });
    await later;
    await informer.stop();
    assert.deepEqual(errors.filter((e) => !(e instanceof Error && e.name === 'AbortError')), []);
  });
});
