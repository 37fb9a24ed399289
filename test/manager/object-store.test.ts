import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { NotRegisteredError, StatusError, getObjectTTLFromNodeFunc, isNotFound, newObjectStore, type GetObjectFunc } from '../../src/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { secret } from '../helpers/objects.ts';

const ttlMs = 60_000;

function setup(getTTL: () => number | undefined = () => undefined) {
  const clock = new FakeClock();
  const source = new FakeObjectSource();
  const store = newObjectStore(source.getObject, clock, getTTL, ttlMs);
  return { clock, source, store };
}

test('get of an unregistered name rejects with NotRegisteredError, in the kubelet\'s words', async () => {
  const { store } = setup();
  // The one test that pins a message: the kubelet's own text, which the
  // oracle (test/kube/oracle) compares with the kubelet's answer.
  await assert.rejects(store.get('ns', 'a'), { name: 'NotRegisteredError', code: 'KOM_NOT_REGISTERED', message: 'object "ns"/"a" not registered' });
});

test('fetches on first get, serves from memory within the TTL, refreshes with resourceVersion "0" after it', async () => {
  const { clock, source, store } = setup();
  source.set(secret('ns', 'a', { k: 'djE=' }));
  store.addReference('ns', 'a', 'pod-1');
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '2');
  clock.step(ttlMs - 1);
  source.set(secret('ns', 'a', { k: 'djI=' }));
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '2', 'still fresh');
  clock.step(1);
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '3', 'stale: refetched');
  assert.deepEqual(
    source.callsOf('get').map((c) => c.options),
    [{}, { resourceVersion: '0' }],
  );
});

test("the node's TTL annotation wins over the default", async () => {
  let ttl: number | undefined = 5_000;
  const { clock, source, store } = setup(() => ttl);
  source.set(secret('ns', 'a'));
  store.addReference('ns', 'a');
  await store.get('ns', 'a');
  clock.step(5_000);
  await store.get('ns', 'a');
  assert.equal(source.callsOf('get').length, 2, 'node TTL of 5 s applied');
  ttl = undefined;
  clock.step(5_000);
  await store.get('ns', 'a');
  assert.equal(source.callsOf('get').length, 2, 'default TTL of 60 s applies again');
});

test('a transient failure keeps serving the held object; with nothing held the error is returned and not cached', async () => {
  const { clock, source, store } = setup();
  store.addReference('ns', 'a');
  source.failNext('get', StatusError.of(503, 'ServiceUnavailable', 'apiserver restarting'));
  await assert.rejects(store.get('ns', 'a'), { statusCode: 503 });
  source.set(secret('ns', 'a'));
  const first = await store.get('ns', 'a');
  clock.step(ttlMs);
  source.failNext('get', StatusError.of(500, 'InternalError', 'etcd timeout'));
  assert.equal(await store.get('ns', 'a'), first, 'old object kept');
  assert.equal(source.callsOf('get').length, 3);
});

test('NotFound is cached: it replaces a deleted object and survives a later transient failure', async () => {
  const { clock, source, store } = setup();
  source.set(secret('ns', 'a'));
  store.addReference('ns', 'a');
  await store.get('ns', 'a');
  source.delete('ns', 'a');
  clock.step(ttlMs);
  await assert.rejects(store.get('ns', 'a'), (e) => isNotFound(e));
  source.failNext('get', StatusError.of(500, 'InternalError', 'boom'));
  await assert.rejects(store.get('ns', 'a'), (e) => isNotFound(e), 'the cached NotFound, not the 500');
  source.set(secret('ns', 'a'));
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '4', 're-created object found');
});

test('an answer older than the held object does not replace it', async () => {
  const clock = new FakeClock();
  const answers: KubernetesObject[] = [
    { ...secret('ns', 'a'), metadata: { namespace: 'ns', name: 'a', resourceVersion: '10' } },
    { ...secret('ns', 'a'), metadata: { namespace: 'ns', name: 'a', resourceVersion: '7' } },
    { ...secret('ns', 'a'), metadata: { namespace: 'ns', name: 'a', resourceVersion: '12' } },
  ];
  const getObject: GetObjectFunc = () => Promise.resolve(answers.shift() ?? secret('ns', 'a'));
  const store = newObjectStore(getObject, clock, () => undefined, ttlMs);
  store.addReference('ns', 'a');
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '10');
  clock.step(ttlMs);
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '10', 'lagging answer ignored');
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '12', 'and the next get fetches again');
});

test('concurrent gets share one fetch', async () => {
  const { source, store } = setup();
  source.set(secret('ns', 'a'));
  store.addReference('ns', 'a');
  const results = await Promise.all([store.get('ns', 'a'), store.get('ns', 'a'), store.get('ns', 'a')]);
  assert.equal(source.callsOf('get').length, 1);
  assert.ok(results.every((r) => r === results[0]));
});

test('adding a reference invalidates the held copy: the next get fetches', async () => {
  const { source, store } = setup();
  source.set(secret('ns', 'a'));
  store.addReference('ns', 'a', 'pod-1');
  await store.get('ns', 'a');
  store.addReference('ns', 'a', 'pod-2');
  await store.get('ns', 'a');
  assert.equal(source.callsOf('get').length, 2);
  assert.deepEqual(source.callsOf('get')[1]?.options, {}, 'invalidated data is not held: a full read');
});

test('references count per referrer; a delete from a referrer holding none is a no-op', async () => {
  const { source, store } = setup();
  source.set(secret('ns', 'a'));
  store.addReference('ns', 'a', 'pod-1');
  store.addReference('ns', 'a', 'pod-1');
  store.addReference('ns', 'a', 'pod-2');
  store.deleteReference('ns', 'a', 'pod-3');
  store.deleteReference('ns', 'a', 'pod-1');
  store.deleteReference('ns', 'a', 'pod-2');
  await store.get('ns', 'a');
  store.deleteReference('ns', 'a', 'pod-2');
  await store.get('ns', 'a');
  store.deleteReference('ns', 'a', 'pod-1');
  await assert.rejects(store.get('ns', 'a'), NotRegisteredError);
});

test('unregistering during an in-flight get: the get completes, the next one is refused', async () => {
  const clock = new FakeClock();
  let release: (o: KubernetesObject) => void = () => undefined;
  const getObject: GetObjectFunc = () => new Promise((resolve) => (release = resolve));
  const store = newObjectStore(getObject, clock, () => undefined, ttlMs);
  store.addReference('ns', 'a', 'pod-1');
  const pending = store.get('ns', 'a');
  store.deleteReference('ns', 'a', 'pod-1');
  release(secret('ns', 'a'));
  assert.equal((await pending).metadata?.name, 'a');
  await assert.rejects(store.get('ns', 'a'), NotRegisteredError);
});

test('returned objects are frozen: a caller cannot corrupt the cache', async () => {
  const { source, store } = setup();
  source.set(secret('ns', 'a', { k: 'djE=' }));
  store.addReference('ns', 'a');
  const got = (await store.get('ns', 'a')) as KubernetesObject & { data: Record<string, string> };
  assert.throws(() => {
    got.data.k = 'tampered';
  }, TypeError);
});

test('bad arguments are refused with the argument named, leaving the store intact', async () => {
  const { source, store } = setup();
  source.set(secret('ns', 'a'));
  store.addReference('ns', 'a');
  assert.throws(() => store.addReference('', 'a'), /namespace must be a non-empty string, got ""/);
  assert.throws(() => store.addReference('ns', undefined as unknown as string), /name must be a non-empty string, got undefined/);
  await assert.rejects(store.get('ns', ''), /name must be a non-empty string/);
  assert.equal((await store.get('ns', 'a')).metadata?.name, 'a');
  assert.throws(() => newObjectStore(source.getObject, new FakeClock(), () => undefined, -1), /ttlMs must be a finite number of milliseconds in \[0, 2147483647\], got -1/);
  assert.throws(() => newObjectStore(source.getObject, new FakeClock(), () => undefined, Infinity), /ttlMs must be .* got Infinity/);
});

test('getObjectTTLFromNodeFunc reads node.alpha.kubernetes.io/ttl as whole seconds', async () => {
  const node = (value?: string) => (value === undefined ? { metadata: {} } : { metadata: { annotations: { 'node.alpha.kubernetes.io/ttl': value } } });
  assert.equal(await getObjectTTLFromNodeFunc(() => node('15'))(), 15_000);
  assert.equal(await getObjectTTLFromNodeFunc(() => node('+7'))(), 7_000);
  assert.equal(await getObjectTTLFromNodeFunc(() => node('-3'))(), 0, 'negative: every get refetches');
  assert.equal(await getObjectTTLFromNodeFunc(() => node('1.5'))(), undefined);
  assert.equal(await getObjectTTLFromNodeFunc(() => node('soon'))(), undefined);
  assert.equal(await getObjectTTLFromNodeFunc(() => node())(), undefined);
  assert.equal(await getObjectTTLFromNodeFunc(() => undefined)(), undefined);
  assert.equal(await getObjectTTLFromNodeFunc(() => Promise.resolve(node('0')))(), 0);
  assert.equal(await getObjectTTLFromNodeFunc(() => Promise.reject(new Error('no node')))(), undefined);
});

test('entries() reports pending, synced, missing and error states without data', async () => {
  const { source, store } = setup();
  source.set(secret('ns', 'a', { k: 'c2VjcmV0' }));
  for (const name of ['a', 'gone', 'broken', 'unread']) store.addReference('ns', name, 'pod-1');
  await store.get('ns', 'a');
  await assert.rejects(store.get('ns', 'gone'));
  source.set(secret('ns', 'broken'));
  source.failNext('get', StatusError.of(500, 'InternalError', 'etcd down'));
  await assert.rejects(store.get('ns', 'broken'));
  const states = Object.fromEntries((store.entries?.() ?? []).map((e) => [e.name, e.state]));
  assert.deepEqual(states, { a: 'synced', gone: 'missing', broken: 'pending', unread: 'pending' });
  assert.doesNotMatch(JSON.stringify(store.entries?.()), /c2VjcmV0/);
});

test('a name that is not a path segment, or longer than 253 characters, is never fetched: NotFound, and missing with the reason', async () => {
  const { source, store } = setup();
  const names = ['..', '.', 'a/b', 'a%2fb', 'x'.repeat(254)];
  for (const name of names) store.addReference('ns', name, 'pod-1');
  for (const name of names) {
    await assert.rejects(store.get('ns', name), (err) => isNotFound(err) && !(err as Error).message.includes('x'.repeat(100)), name.slice(0, 10));
  }
  assert.deepEqual(source.calls, [], 'no request for any of them');
  for (const entry of store.entries?.() ?? []) {
    assert.equal(entry.state, 'missing', entry.name.slice(0, 10));
    assert.match(entry.lastError ?? '', /not a valid path segment|longer than 253/);
  }
});

test('getObjectTTLFromNodeFunc takes seconds beyond what Go\'s time.Duration holds as given (DESIGN.md #11: the kubelet\'s multiplication wraps)', async () => {
  const node = (value: string) => ({ metadata: { annotations: { 'node.alpha.kubernetes.io/ttl': value } } });
  // The kubelet: 9223372037 s is a negative Duration (every get fetches), -9223372037 s about 292 years.
  assert.equal(await getObjectTTLFromNodeFunc(() => node('9223372037'))(), 9_223_372_037_000);
  assert.equal(await getObjectTTLFromNodeFunc(() => node('-9223372037'))(), 0);
  // Beyond a safe integer, as strconv.Atoi beyond an int64: no TTL, the default applies.
  assert.equal(await getObjectTTLFromNodeFunc(() => node('99999999999999999999'))(), undefined);
});
