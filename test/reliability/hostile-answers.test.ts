// A broken or hostile server (or proxy) answers with objects other than the
// one asked for, of another kind, or with resourceVersions that are not
// integers. The cache serves only the object it watches or fetched, and
// treats resourceVersions as opaque.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import {
  isNotFound,
  newCacheBasedManager,
  newObjectCache,
  newObjectStore,
  newSimpleSecretManager,
  newWatchingSecretManager,
  type ListOptions,
  type Store,
} from '../../src/index.ts';
import { FakeClock } from '../../src/testing.ts';
import { WatchStream } from '../../src/testing/watch-stream.ts';
import { clientOver, isImmutable, pod, referencedNames, secret } from '../helpers/objects.ts';
import { settle } from '../helpers/settle.ts';

const groupResource = { group: '', resource: 'secrets' };
const unexpected = { name: 'UnexpectedObjectError', code: 'KOM_UNEXPECTED_OBJECT' };

function withRv(object: KubernetesObject, resourceVersion: string | undefined): KubernetesObject {
  const copy = structuredClone(object);
  if (resourceVersion !== undefined) copy.metadata = { ...copy.metadata, resourceVersion };
  return copy;
}

/** A source that answers lists and watches as the test scripts them. */
class ScriptedSource {
  readonly groupResource = groupResource;
  readonly lists: ListOptions[] = [];
  readonly watches: ListOptions[] = [];
  listAnswer: KubernetesListObject<KubernetesObject> = { apiVersion: 'v1', kind: 'SecretList', metadata: { resourceVersion: '1' }, items: [] };
  getAnswer: KubernetesObject | undefined;
  stream: WatchStream | undefined;

  readonly listObject = (_namespace: string, options: ListOptions): Promise<KubernetesListObject<KubernetesObject>> => {
    this.lists.push(options);
    return Promise.resolve(structuredClone(this.listAnswer));
  };

  readonly watchObject = (_namespace: string, options: ListOptions, signal: AbortSignal): WatchStream => {
    this.watches.push(options);
    this.stream = new WatchStream(signal, () => undefined);
    return this.stream;
  };

  readonly getObject = (): Promise<KubernetesObject> =>
    this.getAnswer === undefined ? Promise.reject(new Error('no answer scripted')) : Promise.resolve(structuredClone(this.getAnswer));
}

const controllers: AbortController[] = [];
afterEach(async () => {
  for (const c of controllers.splice(0)) c.abort();
  await settle();
});

function watchCache(source: ScriptedSource, clock = new FakeClock()): Store {
  const controller = new AbortController();
  controllers.push(controller);
  return newObjectCache({
    listObject: source.listObject,
    watchObject: source.watchObject,
    isImmutable,
    groupResource,
    clock,
    maxIdleTimeMs: 300_000,
    signal: controller.signal,
  });
}

test('watch: list items and events for another namespace or name are ignored and counted; the watched object is served', async () => {
  const source = new ScriptedSource();
  // A proxy substitutes kube-system/db for default/db.
  source.listAnswer = { metadata: { resourceVersion: '5' }, items: [withRv(secret('kube-system', 'db', { k: 'c3lzdGVt' }), '5')] };
  const store = watchCache(source);
  store.addReference('default', 'db');
  await assert.rejects(store.get('default', 'db'), (err) => isNotFound(err), 'the substituted object is not served');
  assert.equal(store.entries?.()[0]?.ignoredObjects, 1);

  source.stream?.push({ type: 'ADDED', object: withRv(secret('kube-system', 'db', { k: 'c3lzdGVt' }), '6') });
  source.stream?.push({ type: 'ADDED', object: withRv(secret('default', 'db2'), '7') });
  await settle();
  await assert.rejects(store.get('default', 'db'), (err) => isNotFound(err));
  assert.equal(store.entries?.()[0]?.ignoredObjects, 3);

  source.stream?.push({ type: 'ADDED', object: withRv(secret('default', 'db', { k: 'cmlnaHQ=' }), '8') });
  source.stream?.push({ type: 'MODIFIED', object: withRv(secret('kube-system', 'db', { k: 'ZXZpbA==' }), '9') });
  source.stream?.push({ type: 'DELETED', object: withRv(secret('other', 'db'), '10') });
  await settle();
  const served = (await store.get('default', 'db')) as KubernetesObject & { data?: Record<string, string> };
  assert.equal(served.metadata?.namespace, 'default');
  assert.deepEqual(served.data, { k: 'cmlnaHQ=' }, 'neither the foreign update nor the foreign delete touched it');
  assert.equal(store.entries?.()[0]?.ignoredObjects, 5);
});

test('TTL store: an answer that is another object is an error the first time and never replaces the held object', async () => {
  const source = new ScriptedSource();
  const clock = new FakeClock();
  const store = newObjectStore(source.getObject, clock, () => undefined, 1_000);
  store.addReference('default', 'db');
  source.getAnswer = withRv(secret('kube-system', 'db'), '5');
  await assert.rejects(store.get('default', 'db'), unexpected);
  source.getAnswer = withRv(secret('default', 'db', { k: 'cmlnaHQ=' }), '6');
  assert.equal((await store.get('default', 'db')).metadata?.namespace, 'default');
  clock.step(1_000);
  source.getAnswer = withRv(secret('default', 'other'), '7');
  assert.equal((await store.get('default', 'db')).metadata?.resourceVersion, '6', 'the held object is kept');
  assert.equal(store.entries?.()[0]?.ignoredObjects, 2);
});

test('simple strategy: an answer that is another object is refused', async () => {
  const source = new ScriptedSource();
  source.getAnswer = secret('kube-system', 'db');
  const secrets = newSimpleSecretManager(clientOver(source));
  await assert.rejects(secrets.getSecret('default', 'db'), unexpected);
  source.getAnswer = secret('default', 'db');
  assert.equal((await secrets.getSecret('default', 'db')).metadata?.namespace, 'default');
});

test('typed managers refuse an object of another kind ("unexpected object type"), and take list items without a kind', async () => {
  const source = new ScriptedSource();
  const configMap = { ...withRv(secret('default', 'db'), '3'), kind: 'ConfigMap' };
  source.listAnswer = { metadata: { resourceVersion: '3' }, items: [configMap] };
  const controller = new AbortController();
  controllers.push(controller);
  const secrets = newWatchingSecretManager(clientOver(source), 60_000, { clock: new FakeClock(), signal: controller.signal });
  secrets.registerPod(pod('default', 'p', 'uid-1', ['db']));
  await assert.rejects(secrets.getSecret('default', 'db'), unexpected);
  const withoutKind = withRv(secret('default', 'db'), '4');
  delete withoutKind.kind;
  source.stream?.push({ type: 'MODIFIED', object: withoutKind });
  await settle();
  assert.equal((await secrets.getSecret('default', 'db')).metadata?.resourceVersion, '4');
});

test('opaque resourceVersions: a list at "abc" with an object at "xyz" is served; later events apply in arrival order', async () => {
  const source = new ScriptedSource();
  source.listAnswer = { metadata: { resourceVersion: 'abc' }, items: [withRv(secret('default', 'db'), 'xyz')] };
  const store = watchCache(source);
  store.addReference('default', 'db');
  assert.equal((await store.get('default', 'db')).metadata?.resourceVersion, 'xyz');
  assert.equal(source.watches[0]?.resourceVersion, 'abc', 'the watch resumes from the list version as given');
  source.stream?.push({ type: 'MODIFIED', object: withRv(secret('default', 'db'), 'pqr') });
  await settle();
  assert.equal((await store.get('default', 'db')).metadata?.resourceVersion, 'pqr', 'not comparable: the newest arrival wins');
  source.stream?.push({ type: 'MODIFIED', object: withRv(secret('default', 'db'), '12') });
  source.stream?.push({ type: 'MODIFIED', object: withRv(secret('default', 'db'), '11') });
  await settle();
  assert.equal((await store.get('default', 'db')).metadata?.resourceVersion, '12', 'integers still order: 11 is older than 12');
});

test('a list without a resourceVersion syncs, and the watch starts from the current state', async () => {
  const source = new ScriptedSource();
  source.listAnswer = { metadata: {}, items: [withRv(secret('default', 'db'), '4')] };
  const store = watchCache(source);
  store.addReference('default', 'db');
  assert.equal((await store.get('default', 'db')).metadata?.resourceVersion, '4');
  await settle();
  assert.equal(source.lists.length, 1, 'not relisted');
  assert.equal(source.watches[0]?.resourceVersion, '');
});

test('the caching manager with refreshOnReRegister: false fetches only what an updated pod newly references', async () => {
  let gets = 0;
  const getObject = (namespace: string, name: string): Promise<KubernetesObject> => {
    gets++;
    return Promise.resolve(withRv(secret(namespace, name), String(gets)));
  };
  const clock = new FakeClock();
  const diffing = newCacheBasedManager(newObjectStore(getObject, clock, () => undefined, 60_000), referencedNames, { refreshOnReRegister: false });
  diffing.registerPod(pod('ns', 'p', 'uid-1', ['a', 'b']));
  await diffing.getObject('ns', 'a');
  await diffing.getObject('ns', 'b');
  assert.equal(gets, 2);
  // The kubelet re-registers on every pod sync: nothing changed, nothing fetched.
  for (let i = 0; i < 5; i++) diffing.registerPod(pod('ns', 'p', 'uid-1', ['a', 'b']));
  await diffing.getObject('ns', 'a');
  await diffing.getObject('ns', 'b');
  assert.equal(gets, 2);
  diffing.registerPod(pod('ns', 'p', 'uid-1', ['b', 'c']));
  await diffing.getObject('ns', 'b');
  await diffing.getObject('ns', 'c');
  assert.equal(gets, 3, 'only c is new');
  await assert.rejects(diffing.getObject('ns', 'a'), { name: 'NotRegisteredError', code: 'KOM_NOT_REGISTERED' });
  assert.deepEqual(diffing.entries?.().map((e) => [e.name, e.referrers]), [['b', ['uid-1']], ['c', ['uid-1']]]);
  diffing.registerPod(pod('ns', 'p', 'uid-2', ['b']));
  await diffing.getObject('ns', 'b');
  assert.equal(gets, 4, 'a new pod (new UID) fetches fresh content');
  diffing.unregisterPod(pod('ns', 'p', 'uid-1', []));
  diffing.unregisterPod(pod('ns', 'p', 'uid-2', []));
  assert.deepEqual(diffing.entries?.(), []);

  const refreshing = newCacheBasedManager(newObjectStore(getObject, clock, () => undefined, 60_000), referencedNames);
  refreshing.registerPod(pod('ns', 'p', 'uid-1', ['a']));
  await refreshing.getObject('ns', 'a');
  refreshing.registerPod(pod('ns', 'p', 'uid-1', ['a']));
  await refreshing.getObject('ns', 'a');
  assert.equal(gets, 6, 'the default (the seed) refetches on every re-registration');
  assert.throws(() => newCacheBasedManager(refreshing as never, referencedNames, { refreshOnReRegister: 'no' as never }), /refreshOnReRegister must be a boolean/);
});
