// After client.close() nothing can be fetched again: reflectors stop instead
// of retrying forever, the watch cache says it is stopped (and takes no new
// reference), and the TTL cache stops serving what it held as if it were kept
// fresh. The real client is used: its requests fail with ClientClosedError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CacheStoppedError,
  ClientClosedError,
  createClient,
  isSourceClosed,
  newCachingSecretManager,
  newObjectCache,
  newWatchingSecretManager,
  type ReflectorError,
} from '../../src/index.ts';
import { startApiServer } from '../../src/apiserver/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { isImmutable, pod, secret } from '../helpers/objects.ts';
import { settle } from '../helpers/settle.ts';

const stopped = { name: 'CacheStoppedError', code: 'KOM_CACHE_STOPPED' };

test('client.close(): watching manager stops every watch for good; gets and registrations fail with a clear error', async () => {
  const server = await startApiServer({ port: 0, host: '127.0.0.1' });
  const client = createClient(server.kubeConfig());
  const controller = new AbortController();
  const errors: ReflectorError[] = [];
  try {
    await server.kubeConfig().makeApiClient((await import('@kubernetes/client-node')).CoreV1Api).createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'db' }, data: { k: 'dg==' } },
    });
    const secrets = newWatchingSecretManager(client, 60_000, { signal: controller.signal, onError: (e) => errors.push(e) });
    secrets.registerPod(pod('default', 'p', 'uid-1', ['db']));
    assert.equal((await secrets.getSecret('default', 'db')).metadata?.name, 'db');
    await client.close();
    // The watch ends with ClientClosedError; the reflector stops instead of relisting.
    for (let i = 0; i < 50 && secrets.entries()[0]?.state !== 'error' && errors.length === 0; i++) await settle();
    await assert.rejects(secrets.getSecret('default', 'db'), (err: Error) => {
      assert.ok(err instanceof CacheStoppedError);
      assert.equal(err.code, 'KOM_CACHE_STOPPED');
      assert.ok(isSourceClosed(err), 'its cause says the source is closed');
      return true;
    });
    assert.throws(() => secrets.registerPod(pod('default', 'q', 'uid-2', ['other'])), stopped);
    const requests = (): number => (server.metrics().requests['list secrets'] ?? 0) + (server.metrics().requests['watch secrets'] ?? 0);
    const before = requests();
    assert.equal(before, 1, 'one WatchList request before close');
    await settle();
    assert.equal(requests(), before, 'no relist or re-watch after close');
    assert.equal(server.metrics().activeWatches, 0);
  } finally {
    controller.abort();
    await client.close();
    await server.close();
  }
});

test('client.close(): the caching manager no longer serves what it held; every get fails with ClientClosedError', async () => {
  const source = new FakeObjectSource();
  source.set(secret('default', 'db'));
  const clock = new FakeClock();
  let closed = false;
  const client = {
    resource: () => ({
      groupResource: source.groupResource,
      getObject: (namespace: string, name: string, options: object) =>
        closed ? Promise.reject(new ClientClosedError('the client is closed')) : source.getObject(namespace, name, options),
      listObject: source.listObject,
      watchObject: source.watchObject,
    }),
    close: () => Promise.resolve(),
  } as unknown as Parameters<typeof newCachingSecretManager>[0];
  const secrets = newCachingSecretManager(client, () => 1_000, { clock });
  secrets.registerPod(pod('default', 'p', 'uid-1', ['db']));
  assert.equal((await secrets.getSecret('default', 'db')).metadata?.name, 'db');
  closed = true;
  assert.equal((await secrets.getSecret('default', 'db')).metadata?.name, 'db', 'within the TTL, memory answers');
  clock.step(1_000);
  await assert.rejects(secrets.getSecret('default', 'db'), { name: 'ClientClosedError' });
  closed = false;
  source.failNext('get', new Error('connection reset'));
  assert.equal((await secrets.getSecret('default', 'db')).metadata?.name, 'db', 'a transient failure still serves the held copy');
});

test('a reflector whose source is closed reports once and stops; the object cache stops with that cause', async () => {
  const source = new FakeObjectSource();
  source.set(secret('ns', 'a'));
  const clock = new FakeClock();
  let lists = 0;
  const errors: ReflectorError[] = [];
  const store = newObjectCache({
    listObject: () => {
      lists++;
      return Promise.reject(new ClientClosedError('the client is closed'));
    },
    watchObject: source.watchObject,
    isImmutable,
    groupResource: source.groupResource,
    clock,
    maxIdleTimeMs: 60_000,
    onError: (e) => errors.push(e),
  });
  store.addReference('ns', 'a');
  const get = store.get('ns', 'a');
  await assert.rejects(get, (err: Error) => err instanceof CacheStoppedError && err.cause instanceof Error);
  clock.step(600_000);
  await settle();
  assert.equal(lists, 1, 'never retried');
  assert.equal(errors.length, 1);
  assert.equal(clock.pendingTimers, 0, 'no backoff, sync or idle timer left');
  assert.throws(() => store.addReference('ns', 'b'), stopped);
});
