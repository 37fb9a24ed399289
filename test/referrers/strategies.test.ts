// The generic reference manager with a referrer that is not a pod (an
// Ingress, referencing the TLS Secrets its spec names), over a fake source
// and a fake clock, in each of its three strategies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NotRegisteredError,
  isNotFound,
  newCachingReferenceManager,
  newSimpleReferenceManager,
  newWatchingReferenceManager,
  type ReferenceManager,
  type ReferrerType,
  type StoreEntry,
} from '../../src/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { secret } from '../helpers/objects.ts';
import { settle } from '../helpers/settle.ts';
import { ingress, ingresses, type Ingress } from './helpers.ts';

type Holding = 'caching' | 'watching';
const holding: readonly Holding[] = ['caching', 'watching'];

function setup(strategy: Holding, type: ReferrerType<Ingress> = ingresses) {
  const clock = new FakeClock();
  const source = new FakeObjectSource();
  for (const name of ['a', 'b', 'c']) source.set(secret('web', name, { 'tls.crt': Buffer.from(`cert ${name}`).toString('base64') }));
  const controller = new AbortController();
  const manager: ReferenceManager<Ingress> =
    strategy === 'caching' ? newCachingReferenceManager(source, type, { clock }) : newWatchingReferenceManager(source, type, { clock, signal: controller.signal });
  const stop = async (): Promise<void> => {
    controller.abort();
    await settle();
    assert.equal(clock.pendingTimers, 0, 'no timer left behind');
  };
  return { clock, source, manager, stop };
}

/** name -> sorted referrers, for every entry. */
function held(entries: StoreEntry[]): Record<string, string[]> {
  const pairs = entries.map((e): [string, string[]] => [`${e.namespace}/${e.name}`, [...e.referrers].sort()]);
  return Object.fromEntries(pairs.sort(([a], [b]) => a.localeCompare(b)));
}

for (const strategy of holding) {
  test(`${strategy}: an Ingress registers its TLS secrets; entries() lists them under its key; others are not registered`, async () => {
    const { manager, source, stop } = setup(strategy);
    manager.register(ingress('web', 'shop', 'uid-1', ['a', 'b', 'a']));
    assert.deepEqual(held(manager.entries()), { 'web/a': ['uid-1'], 'web/b': ['uid-1'] }, 'a repeated reference counts once');
    const a = await manager.getObject('web', 'a');
    assert.equal(a.metadata?.name, 'a');
    await assert.rejects(manager.getObject('web', 'c'), NotRegisteredError);
    assert.equal(source.callsOf('get', 'c').length + source.callsOf('list').filter((c) => c.options.fieldSelector === 'metadata.name=c').length, 0, 'c was never asked for');
    await settle();
    assert.equal(manager.entries().find((e) => e.name === 'a')?.state, 'synced');
    await stop();
  });

  test(`${strategy}: re-registering an Ingress moves its references: dropped secrets are released, kept ones stay at one reference`, async () => {
    const { manager, source, stop } = setup(strategy);
    manager.register(ingress('web', 'shop', 'uid-1', ['a', 'b']));
    await manager.getObject('web', 'a');
    await manager.getObject('web', 'b');
    manager.register(ingress('web', 'shop', 'uid-1', ['b', 'c']));
    assert.deepEqual(held(manager.entries()), { 'web/b': ['uid-1'], 'web/c': ['uid-1'] });
    await assert.rejects(manager.getObject('web', 'a'), NotRegisteredError);
    assert.equal((await manager.getObject('web', 'c')).metadata?.name, 'c');
    manager.unregister(ingress('web', 'shop', 'uid-1', []));
    assert.deepEqual(manager.entries(), [], 'unregister uses the references seen at registration');
    if (strategy === 'watching') {
      await settle();
      assert.equal(source.activeWatches, 0);
      assert.deepEqual(
        source.callsOf('list').map((c) => c.options.fieldSelector),
        ['metadata.name=a', 'metadata.name=b', 'metadata.name=c'],
        'the kept secret b was not watched again',
      );
    }
    await stop();
  });

  test(`${strategy}: a secret two Ingresses reference stays until the last one unregisters`, async () => {
    const { manager, source, stop } = setup(strategy);
    manager.register(ingress('web', 'shop', 'uid-1', ['a', 'b']));
    manager.register(ingress('web', 'blog', 'uid-2', ['b']));
    assert.deepEqual(held(manager.entries()), { 'web/a': ['uid-1'], 'web/b': ['uid-1', 'uid-2'] });
    manager.unregister(ingress('web', 'shop', 'uid-1', []));
    manager.unregister(ingress('web', 'shop', 'uid-1', []));
    assert.deepEqual(held(manager.entries()), { 'web/b': ['uid-2'] }, 'unregistering twice drops one registration once');
    assert.equal((await manager.getObject('web', 'b')).metadata?.name, 'b');
    if (strategy === 'watching') {
      await settle();
      assert.equal(source.activeWatches, 1, 'the shared secret is still watched');
    }
    manager.unregister(ingress('web', 'blog', 'uid-2', ['b']));
    assert.deepEqual(manager.entries(), []);
    await assert.rejects(manager.getObject('web', 'b'), NotRegisteredError);
    if (strategy === 'watching') {
      await settle();
      assert.equal(source.activeWatches, 0, 'the last unregistration stops the watch');
    }
    await stop();
  });

  test(`${strategy}: a cluster-wide referrer references secrets in several namespaces; id() names it in entries()`, async () => {
    interface Issuer {
      name: string;
      generation: number;
      secrets: { namespace: string; name: string }[];
    }
    const issuers: ReferrerType<Issuer> = { key: (i) => i.name, id: (i) => `issuer/${i.name}`, references: (i) => i.secrets };
    const clock = new FakeClock();
    const source = new FakeObjectSource();
    source.set(secret('web', 'a'));
    source.set(secret('api', 'a'));
    const controller = new AbortController();
    const manager =
      strategy === 'caching' ? newCachingReferenceManager(source, issuers, { clock }) : newWatchingReferenceManager(source, issuers, { clock, signal: controller.signal });
    manager.register({ name: 'le', generation: 1, secrets: [{ namespace: 'web', name: 'a' }, { namespace: 'api', name: 'a' }] });
    assert.deepEqual(held(manager.entries()), { 'api/a': ['issuer/le'], 'web/a': ['issuer/le'] });
    assert.equal((await manager.getObject('api', 'a')).metadata?.namespace, 'api');
    manager.register({ name: 'le', generation: 2, secrets: [{ namespace: 'api', name: 'a' }] });
    assert.deepEqual(held(manager.entries()), { 'api/a': ['issuer/le'] });
    manager.unregister({ name: 'le', generation: 3, secrets: [] });
    assert.deepEqual(manager.entries(), []);
    controller.abort();
    await settle();
    assert.equal(clock.pendingTimers, 0);
  });

  test(`${strategy}: a referrer with a bad key or reference is refused with a TypeError naming it, and nothing changes`, async () => {
    const { manager, source, stop } = setup(strategy);
    manager.register(ingress('web', 'shop', 'uid-1', ['a']));
    const cases: [Ingress, RegExp][] = [
      [{ metadata: { namespace: 'web', name: 'x', uid: 7 as unknown as string }, spec: {} }, /^register: key\(referrer\) must return a string, got 7$/],
      [{ metadata: { namespace: 'Web', name: 'x', uid: 'uid-2' }, spec: { tls: [{ secretName: 'a' }] } }, /^register: referrer "uid-2": namespace "Web" is not a valid DNS label/],
      [{ metadata: { namespace: 'web', name: 'x', uid: 'uid-2' }, spec: { tls: [{ secretName: 'b' }, { secretName: '' }] } }, /^register: referrer "uid-2": name must be a non-empty string, got ""$/],
      // Moving uid-1's references to a bad list keeps the old ones.
      [{ metadata: { namespace: 'web', name: 'shop', uid: 'uid-1' }, spec: { tls: [{ secretName: 'c' }, { secretName: '' }] } }, /^register: referrer "uid-1": name must/],
    ];
    for (const [bad, message] of cases) assert.throws(() => manager.register(bad), (e) => e instanceof TypeError && message.test(e.message));
    const noIterable: ReferrerType<Ingress> = { key: () => 'k', references: () => null as unknown as [] };
    const notObjects: ReferrerType<Ingress> = { key: () => 'k', references: () => ['a'] as unknown as [] };
    for (const [type, message] of [
      [noIterable, /^register: referrer "k": references\(referrer\) must return an iterable of \{ namespace, name \}, got null$/],
      [notObjects, /^register: referrer "k": a reference must be an object \{ namespace, name \}, got "a"$/],
    ] as const) {
      const other = strategy === 'caching' ? newCachingReferenceManager(source, type) : newWatchingReferenceManager(source, type, { signal: AbortSignal.abort() });
      assert.throws(() => other.register(ingress('web', 'x', 'k', [])), (e) => e instanceof TypeError && message.test(e.message));
      assert.deepEqual(other.entries(), []);
    }
    assert.deepEqual(held(manager.entries()), { 'web/a': ['uid-1'] });
    await settle();
    if (strategy === 'watching') assert.equal(source.activeWatches, 1, 'no watch started or stopped');
    await stop();
  });
}

test('caching: a copy is served for ttlMs, then fetched again; getTTL wins when it answers', async () => {
  const clock = new FakeClock();
  const source = new FakeObjectSource();
  source.set(secret('web', 'a'));
  const node: { ttlMs?: number } = {};
  const manager = newCachingReferenceManager(source, ingresses, { clock, ttlMs: 10_000, getTTL: () => node.ttlMs });
  manager.register(ingress('web', 'shop', 'uid-1', ['a']));
  await manager.getObject('web', 'a');
  clock.step(9_000);
  await manager.getObject('web', 'a');
  assert.equal(source.callsOf('get').length, 1, 'fresh within ttlMs');
  clock.step(2_000);
  await manager.getObject('web', 'a');
  assert.equal(source.callsOf('get').length, 2, 'fetched again after ttlMs');
  node.ttlMs = 60_000;
  clock.step(30_000);
  await manager.getObject('web', 'a');
  assert.equal(source.callsOf('get').length, 2, "getTTL's answer replaces ttlMs");
});

test('caching: re-registering refetches every object, or only the new ones with refreshOnReRegister: false', async () => {
  for (const refreshOnReRegister of [true, false]) {
    const source = new FakeObjectSource();
    for (const name of ['a', 'b']) source.set(secret('web', name));
    const manager = newCachingReferenceManager(source, ingresses, { clock: new FakeClock(), refreshOnReRegister });
    manager.register(ingress('web', 'shop', 'uid-1', ['a']));
    await manager.getObject('web', 'a');
    manager.register(ingress('web', 'shop', 'uid-1', ['a', 'b']));
    await manager.getObject('web', 'a');
    await manager.getObject('web', 'b');
    assert.deepEqual(
      source.callsOf('get').map((c) => c.name),
      refreshOnReRegister ? ['a', 'a', 'b'] : ['a', 'b'],
      `refreshOnReRegister: ${refreshOnReRegister}`,
    );
  }
});

test('watching: a watch not read for maxIdleTimeMs stops until the next read; isImmutable decides which objects are kept for good', async () => {
  const clock = new FakeClock();
  const source = new FakeObjectSource();
  source.set(secret('web', 'a'));
  source.set({ ...secret('web', 'frozen'), metadata: { namespace: 'web', name: 'frozen', labels: { frozen: 'true' } } });
  const controller = new AbortController();
  const manager = newWatchingReferenceManager(source, ingresses, {
    clock,
    signal: controller.signal,
    maxIdleTimeMs: 120_000,
    isImmutable: (o) => o.metadata?.labels?.['frozen'] === 'true',
  });
  manager.register(ingress('web', 'shop', 'uid-1', ['a', 'frozen']));
  await manager.getObject('web', 'a');
  await manager.getObject('web', 'frozen');
  await settle();
  assert.equal(source.activeWatches, 1, 'the frozen secret is immutable: its watch stopped');
  assert.equal(manager.entries().find((e) => e.name === 'frozen')?.state, 'immutable');
  clock.step(120_000);
  await settle();
  assert.equal(source.activeWatches, 1, 'not idle beyond 2 min yet');
  clock.step(60_000);
  await settle();
  assert.equal(source.activeWatches, 0, 'idle beyond maxIdleTimeMs: stopped');
  assert.equal((await manager.getObject('web', 'a')).metadata?.name, 'a');
  assert.equal(source.activeWatches, 1, 'restarted by the read');
  controller.abort();
  await settle();
  assert.equal(clock.pendingTimers, 0);
});

test('watching: by default, an object marked immutable: true is kept for good and a watch idles after 5 minutes', async () => {
  const clock = new FakeClock();
  const source = new FakeObjectSource();
  source.set(secret('web', 'a'));
  source.set(secret('web', 'sealed', {}, { immutable: true }));
  const controller = new AbortController();
  const manager = newWatchingReferenceManager(source, ingresses, { clock, signal: controller.signal });
  manager.register(ingress('web', 'shop', 'uid-1', ['a', 'sealed']));
  await manager.getObject('web', 'a');
  await manager.getObject('web', 'sealed');
  await settle();
  assert.equal(source.activeWatches, 1, 'immutable: true stops its watch');
  clock.step(300_000);
  await settle();
  assert.equal(source.activeWatches, 1);
  clock.step(60_000);
  await settle();
  assert.equal(source.activeWatches, 0);
  controller.abort();
  await settle();
});

test('watching: an unregistered Ingress releases every watch, and aborting the signal stops the rest', async () => {
  const clock = new FakeClock();
  const source = new FakeObjectSource();
  for (const name of ['a', 'b', 'c']) source.set(secret('web', name));
  const controller = new AbortController();
  const manager = newWatchingReferenceManager(source, ingresses, { clock, signal: controller.signal });
  manager.register(ingress('web', 'shop', 'uid-1', ['a', 'b']));
  manager.register(ingress('web', 'blog', 'uid-2', ['c']));
  await settle();
  assert.equal(source.activeWatches, 3);
  manager.unregister(ingress('web', 'shop', 'uid-1', []));
  await settle();
  assert.equal(source.activeWatches, 1);
  controller.abort();
  await settle();
  assert.equal(source.activeWatches, 0);
  assert.equal(clock.pendingTimers, 0);
  assert.throws(() => manager.register(ingress('web', 'new', 'uid-3', ['a'])), { code: 'KOM_CACHE_STOPPED' });
});

test('simple: every read is a GET, registered or not; registration holds nothing', async () => {
  const source = new FakeObjectSource();
  source.set(secret('web', 'a'));
  const manager = newSimpleReferenceManager(source, ingresses);
  manager.register(ingress('web', 'shop', 'uid-1', ['a']));
  assert.deepEqual(manager.entries(), []);
  await manager.getObject('web', 'a');
  await manager.getObject('web', 'a');
  assert.equal(source.callsOf('get').length, 2);
  manager.unregister(ingress('web', 'shop', 'uid-1', ['a']));
  assert.equal((await manager.getObject('web', 'a')).metadata?.name, 'a', 'served without a registration, as the kubelet serves it');
  await assert.rejects(manager.getObject('web', 'missing'), (e) => isNotFound(e));
  await assert.rejects(manager.getObject('web', '..'), (e) => isNotFound(e));
  assert.equal(source.callsOf('get').length, 4, 'an impossible name is never asked for');
});
