import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { isNotFound, newObjectCache, NotRegisteredError, ReflectorError, SyncTimeoutError, type Store } from '../../src/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { isImmutable, secret } from '../helpers/objects.ts';
import { settle } from '../helpers/settle.ts';

interface Harness {
  clock: FakeClock;
  source: FakeObjectSource;
  store: Store;
  controller: AbortController;
  errors: ReflectorError[];
}
const open: Harness[] = [];

function setup(options: { maxIdleTimeMs?: number; syncTimeoutMs?: number } = {}): Harness {
  const clock = new FakeClock();
  const source = new FakeObjectSource();
  const controller = new AbortController();
  const errors: ReflectorError[] = [];
  const store = newObjectCache({
    listObject: source.listObject,
    watchObject: source.watchObject,
    isImmutable,
    groupResource: { group: '', resource: 'secrets' },
    clock,
    maxIdleTimeMs: options.maxIdleTimeMs ?? 300_000,
    ...(options.syncTimeoutMs !== undefined && { syncTimeoutMs: options.syncTimeoutMs }),
    signal: controller.signal,
    onError: (e) => errors.push(e),
  });
  const h = { clock, source, store, controller, errors };
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    h.controller.abort();
    await settle();
    assert.equal(h.source.activeWatches, 0, 'abort closed every watch');
    assert.equal(h.clock.pendingTimers, 0, 'abort left no timer');
  }
});

test('the first reference starts one list+watch of that object only; the last reference stops it', async () => {
  const { source, store } = setup();
  source.set(secret('ns', 'a'));
  store.addReference('ns', 'a', 'pod-1');
  store.addReference('ns', 'a', 'pod-2');
  await settle();
  assert.equal(source.callsOf('list').length, 1);
  assert.equal(source.callsOf('list')[0]?.options.fieldSelector, 'metadata.name=a');
  assert.equal(source.activeWatches, 1);
  store.deleteReference('ns', 'a', 'pod-1');
  await settle();
  assert.equal(source.activeWatches, 1, 'pod-2 still references it');
  store.deleteReference('ns', 'a', 'pod-2');
  await settle();
  assert.equal(source.activeWatches, 0);
  await assert.rejects(store.get('ns', 'a'), NotRegisteredError);
});

test('get waits for the first sync, woken by the list (no polling), then serves from memory', async () => {
  const { clock, source, store } = setup({ syncTimeoutMs: 5_000 });
  source.set(secret('ns', 'a'));
  source.failNext('list', new Error('apiserver unavailable'));
  store.addReference('ns', 'a');
  let result: string | undefined;
  const pending = store.get('ns', 'a').then((o) => (result = o.metadata?.resourceVersion));
  await settle();
  assert.equal(result, undefined, 'not synced yet');
  assert.equal(clock.pendingTimers, 3, 'the backoff, the sync timeout and the idle check: no poll timer');
  while (result === undefined && clock.now() < 5_000) {
    clock.step(100);
    await settle(3);
  }
  await pending;
  assert.equal(result, '2');
  assert.ok(clock.now() >= 800 && clock.now() < 1_700, `answered at the relist (${clock.now()} ms)`);
  for (let i = 0; i < 5; i++) await store.get('ns', 'a');
  assert.equal(source.callsOf('list').length, 2);
  assert.equal(source.callsOf('get').length, 0, 'never a GET');
});

test('get gives up after the sync timeout with the last error as its cause', async () => {
  const { clock, source, store } = setup({ syncTimeoutMs: 1_000 });
  const refused = new Error('connect ECONNREFUSED 127.0.0.1:6443');
  source.failNext('list', refused, 10);
  store.addReference('ns', 'a');
  const pending = assert.rejects(store.get('ns', 'a'), (err: unknown) => {
    assert.ok(err instanceof SyncTimeoutError);
    assert.equal(err.code, 'KOM_SYNC_TIMEOUT');
    assert.ok(err.cause instanceof ReflectorError, 'the watch\'s last error');
    assert.equal(err.cause.phase, 'list');
    assert.equal(err.cause.cause, refused);
    return true;
  });
  await settle();
  clock.step(1_000);
  await pending;
});

test('updates, deletion and re-creation reach get() through the watch', async () => {
  const { source, store } = setup();
  source.set(secret('ns', 'a', { k: 'djE=' }));
  store.addReference('ns', 'a');
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '2');
  source.set(secret('ns', 'a', { k: 'djI=' }));
  await settle();
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '3');
  source.delete('ns', 'a');
  await settle();
  await assert.rejects(store.get('ns', 'a'), (err) => isNotFound(err) && (err as Error).message === 'secrets "a" not found');
  source.set(secret('ns', 'a', { k: 'djM=' }));
  await settle();
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '5');
  assert.equal(source.callsOf('list').length, 1, 'one list, the rest by watch');
});

test('a missing object is NotFound once synced, and appears when created', async () => {
  const { source, store } = setup();
  store.addReference('ns', 'missing');
  await assert.rejects(store.get('ns', 'missing'), (e) => isNotFound(e));
  source.set(secret('ns', 'missing'));
  await settle();
  assert.equal((await store.get('ns', 'missing')).metadata?.name, 'missing');
});

test('an immutable object stops its watch at get and is served from memory for good', async () => {
  const { clock, source, store } = setup();
  source.set(secret('ns', 'a', {}, { immutable: true }));
  store.addReference('ns', 'a');
  const first = await store.get('ns', 'a');
  await settle();
  assert.equal(source.activeWatches, 0);
  clock.step(3_600_000);
  await settle();
  assert.equal(await store.get('ns', 'a'), first);
  assert.equal(source.callsOf('list').length, 1, 'never restarted, even past the idle time');
  assert.ok(source.callsOf('watch').length <= 1);
});

test('an idle watch stops at the minute check after maxIdleTime and restarts, with a fresh sync, on the next get', async () => {
  const { clock, source, store } = setup({ maxIdleTimeMs: 60_000 });
  source.set(secret('ns', 'a'));
  store.addReference('ns', 'a');
  await store.get('ns', 'a');
  clock.step(60_000);
  await settle();
  assert.equal(source.activeWatches, 1, 'idle for exactly maxIdleTime: still watched');
  clock.step(60_000);
  await settle();
  assert.equal(source.activeWatches, 0, 'stopped at the next check');
  source.set(secret('ns', 'a', { k: 'djI=' }));
  const fresh = await store.get('ns', 'a');
  assert.equal(fresh.metadata?.resourceVersion, '3', 'waited for a fresh list, not the stale copy');
  const lists = source.callsOf('list');
  assert.equal(lists.length, 2);
  assert.equal(lists[1]?.options.resourceVersion, '2', 'relist not older than what it had');
  assert.equal(source.activeWatches, 1);
});

test('maxIdleTime below a minute is raised to a minute', async () => {
  const { clock, source, store } = setup({ maxIdleTimeMs: 1_000 });
  source.set(secret('ns', 'a'));
  store.addReference('ns', 'a');
  await store.get('ns', 'a');
  clock.step(60_000);
  await settle();
  assert.equal(source.activeWatches, 1);
});

test('a watch is never stopped for idleness before its first sync', async () => {
  const { clock, source, store } = setup({ maxIdleTimeMs: 60_000 });
  source.failNext('list', new Error('down'), 1_000);
  store.addReference('ns', 'a');
  const listsAt = async (seconds: number): Promise<number> => {
    while (clock.now() < seconds * 1_000) {
      clock.step(1_000);
      await settle(3);
    }
    return source.callsOf('list').length;
  };
  const at100 = await listsAt(100);
  const at300 = await listsAt(300);
  assert.ok(at300 > at100, `still retrying after four idle checks (${at100} -> ${at300} lists)`);
  source.clearFaults();
  source.set(secret('ns', 'a'));
  const before = clock.now();
  while (source.activeWatches === 0 && clock.now() - before < 61_000) {
    clock.step(1_000);
    await settle(3);
  }
  assert.equal(source.activeWatches, 1, 'synced and watching');
  await listsAt(Math.ceil(clock.now() / 60_000) * 60 + 1);
  assert.equal(source.activeWatches, 0, 'idle since its first reference: stopped at the first check after the sync');
});

test('a watch broken mid-stream or expired converges after backoff', async () => {
  const { clock, source, store, errors } = setup();
  source.set(secret('ns', 'a'));
  store.addReference('ns', 'a');
  await store.get('ns', 'a');
  source.breakWatches();
  source.set(secret('ns', 'a', { k: 'djI=' }));
  await settle();
  clock.step(1_600);
  await settle();
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '3');
  source.compact();
  source.expireWatches();
  source.set(secret('ns', 'a', { k: 'djM=' }));
  await settle();
  clock.step(30_000);
  await settle();
  assert.equal((await store.get('ns', 'a')).metadata?.resourceVersion, '4');
  assert.equal(errors.length, 2);
});

test('unregistering during a pending get rejects it as not registered', async () => {
  const { source, store } = setup();
  source.failNext('list', new Error('down'));
  store.addReference('ns', 'a', 'pod-1');
  const pending = store.get('ns', 'a');
  store.deleteReference('ns', 'a', 'pod-1');
  await assert.rejects(pending, NotRegisteredError);
});

test('abort stops every watch, starts none, fails pending gets at once, and serves only immutable objects after', async () => {
  const { source, store, controller } = setup();
  source.set(secret('ns', 'a'));
  source.set(secret('ns', 'frozen', {}, { immutable: true }));
  store.addReference('ns', 'a');
  store.addReference('ns', 'frozen');
  await store.get('ns', 'a');
  await store.get('ns', 'frozen');
  source.failNext('list', new Error('down'));
  store.addReference('ns', 'b');
  const pending = store.get('ns', 'b');
  controller.abort();
  const stopped = { name: 'CacheStoppedError', code: 'KOM_CACHE_STOPPED' };
  await assert.rejects(pending, stopped);
  await settle();
  assert.equal(source.activeWatches, 0);
  // Upstream marks mutable items unsynced on shutdown: nothing that may have
  // changed since is served as if it were fresh.
  await assert.rejects(store.get('ns', 'a'), stopped);
  assert.equal((await store.get('ns', 'frozen')).metadata?.name, 'frozen', 'an immutable object never changes: still served');
  assert.throws(() => store.addReference('ns', 'c'), stopped);
  assert.throws(() => store.addReference('ns', 'a', 'another-pod'), stopped, 'no reference is taken at all');
  assert.deepEqual(store.entries?.().find((e) => e.name === 'a')?.referrers, [''], 'the refused reference changed nothing');
  await settle();
  assert.equal(source.callsOf('list', 'c').length, 0, 'no new watch after abort');
  store.deleteReference('ns', 'a');
  assert.equal(store.entries?.().some((e) => e.name === 'a'), false, 'references can still be dropped');
});

test('entries() reports each object, its referrers and its state, never its data', async () => {
  const { clock, source, store } = setup({ maxIdleTimeMs: 60_000 });
  source.set(secret('ns', 'a', { password: 'c2VjcmV0' }));
  source.set(secret('ns', 'frozen', {}, { immutable: true }));
  store.addReference('ns', 'a', 'pod-1');
  store.addReference('ns', 'a', 'pod-2');
  store.addReference('ns', 'gone', 'pod-1');
  store.addReference('ns', 'frozen', 'pod-1');
  const state = (name: string) => store.entries?.().find((e) => e.name === name);
  assert.equal(state('a')?.state, 'pending', 'before the first list completes');
  await store.get('ns', 'a');
  await assert.rejects(store.get('ns', 'gone'));
  await store.get('ns', 'frozen');
  assert.deepEqual(state('a'), { namespace: 'ns', name: 'a', referrers: ['pod-1', 'pod-2'], state: 'synced', resourceVersion: '2' });
  assert.equal(state('gone')?.state, 'missing');
  assert.equal(state('frozen')?.state, 'immutable');
  clock.step(120_000);
  await settle();
  assert.equal(state('a')?.state, 'idle');
  assert.doesNotMatch(JSON.stringify(store.entries?.()), /c2VjcmV0/);
});

test('entries() shows a failing sync as error with its message', async () => {
  const { source, store } = setup();
  source.failNext('list', new Error('forbidden by RBAC'), 5);
  store.addReference('ns', 'a');
  await settle();
  const [entry] = store.entries?.() ?? [];
  assert.equal(entry?.state, 'error');
  assert.match(entry?.lastError ?? '', /forbidden by RBAC/);
});

test('per-object watches ask for a server timeout of 30 to 60 minutes, as the kubelet since v1.31 (not the reflector default of 5 to 10)', async () => {
  const { source, store } = setup();
  source.set(secret('ns', 'a'));
  for (const name of ['a', 'b', 'c', 'd', 'e']) store.addReference('ns', name);
  await store.get('ns', 'a');
  await settle();
  const timeouts = source.callsOf('watch').map((c) => c.options.timeoutSeconds ?? 0);
  assert.equal(timeouts.length, 5);
  for (const t of timeouts) assert.ok(t >= 1_800 && t < 3_600, `timeoutSeconds ${t}`);
});
