import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { MalformedResponseError, Reflector, ReflectorError, StatusError, WatchEndedError, isResourceExpired, type ReflectorStore } from '../../src/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { secret } from '../helpers/objects.ts';
import { settle } from '../helpers/settle.ts';

/** A store that records what the reflector wrote. */
class RecordingStore implements ReflectorStore {
  readonly ops: string[] = [];
  readonly objects = new Map<string, KubernetesObject>();
  replace(objects: KubernetesObject[], rv: string): void {
    this.ops.push(`replace(${objects.length})@${rv}`);
    this.objects.clear();
    for (const o of objects) this.objects.set(o.metadata?.name ?? '', o);
  }
  add(o: KubernetesObject): void {
    this.ops.push(`add ${o.metadata?.name}@${o.metadata?.resourceVersion}`);
    this.objects.set(o.metadata?.name ?? '', o);
  }
  update(o: KubernetesObject): void {
    this.ops.push(`update ${o.metadata?.name}@${o.metadata?.resourceVersion}`);
    this.objects.set(o.metadata?.name ?? '', o);
  }
  delete(o: KubernetesObject): void {
    this.ops.push(`delete ${o.metadata?.name}@${o.metadata?.resourceVersion}`);
    this.objects.delete(o.metadata?.name ?? '');
  }
}

interface Harness {
  clock: FakeClock;
  source: FakeObjectSource;
  store: RecordingStore;
  errors: ReflectorError[];
  reflector: Reflector;
  controller: AbortController;
  done: Promise<void>;
}

const running: Harness[] = [];

function start(setup?: (source: FakeObjectSource) => void, random = () => 0): Harness {
  const clock = new FakeClock();
  const source = new FakeObjectSource();
  setup?.(source);
  const store = new RecordingStore();
  const errors: ReflectorError[] = [];
  const reflector = new Reflector({
    name: 'secrets "ns"/"a"',
    list: (options, signal) => source.listObject('ns', { ...options, fieldSelector: 'metadata.name=a' }, signal),
    watch: (options, signal) => source.watchObject('ns', { ...options, fieldSelector: 'metadata.name=a' }, signal),
    store,
    clock,
    random,
    onError: (e) => errors.push(e),
  });
  const controller = new AbortController();
  const done = reflector.run(controller.signal);
  const h = { clock, source, store, errors, reflector, controller, done };
  running.push(h);
  return h;
}

afterEach(async () => {
  for (const h of running.splice(0)) {
    h.controller.abort();
    await h.done;
    await settle();
    assert.equal(h.source.activeWatches, 0, 'no watch left open');
    assert.equal(h.clock.pendingTimers, 0, 'no timer left pending');
  }
});

test('lists from the watch cache, then watches from the list version with bookmarks and a randomised timeout', async () => {
  const h = start((s) => s.set(secret('ns', 'a', { k: 'djE=' })), () => 0.5);
  await settle();
  const [list] = h.source.callsOf('list');
  assert.deepEqual(list?.options, { resourceVersion: '0', limit: 500, fieldSelector: 'metadata.name=a' });
  const [watch] = h.source.callsOf('watch');
  assert.deepEqual(watch?.options, {
    resourceVersion: h.source.resourceVersion,
    allowWatchBookmarks: true,
    timeoutSeconds: 450,
    fieldSelector: 'metadata.name=a',
  });
  assert.deepEqual(h.store.ops, ['replace(1)@2']);
  assert.equal(h.reflector.lastSyncResourceVersion, '2');
});

test('watch timeouts spread over [5 min, 10 min)', async () => {
  const low = start(undefined, () => 0);
  const high = start(undefined, () => 0.999);
  await settle();
  assert.equal(low.source.callsOf('watch')[0]?.options.timeoutSeconds, 300);
  assert.equal(high.source.callsOf('watch')[0]?.options.timeoutSeconds, 599);
});

test('applies watch events in order and tracks the last resourceVersion', async () => {
  const h = start();
  await settle();
  h.source.set(secret('ns', 'a'));
  h.source.set(secret('ns', 'a', { k: 'djI=' }));
  h.source.set(secret('ns', 'other'));
  h.source.delete('ns', 'a');
  await settle();
  assert.deepEqual(h.store.ops, ['replace(0)@1', 'add a@2', 'update a@3', 'delete a@5']);
  assert.equal(h.reflector.lastSyncResourceVersion, '5');
  assert.equal(h.source.callsOf('list').length, 1);
});

test('a watch the server ends cleanly is resumed at once from the last version, without a relist', async () => {
  const h = start((s) => s.set(secret('ns', 'a')));
  await settle();
  h.clock.step(5_000);
  h.source.dropWatches();
  await settle();
  assert.equal(h.source.callsOf('list').length, 1);
  const watches = h.source.callsOf('watch');
  assert.equal(watches.length, 2);
  assert.equal(watches[1]?.options.resourceVersion, '2');
  assert.equal(h.errors.length, 0);
});

test('a watch closed at once without events is a failure: backoff, then relist', async () => {
  const h = start();
  await settle();
  h.source.dropWatches();
  await settle();
  assert.equal(h.errors.length, 1);
  assert.ok(h.errors[0] instanceof ReflectorError);
  assert.equal(h.errors[0].phase, 'watch');
  assert.ok(h.errors[0].cause instanceof WatchEndedError, 'a very short watch');
  assert.equal(h.source.callsOf('list').length, 1, 'no relist before the backoff');
  h.clock.step(800);
  await settle();
  assert.equal(h.source.callsOf('list').length, 2);
});

test('a watch that breaks mid-stream is reported, backed off and relisted from the last version', async () => {
  const h = start((s) => s.set(secret('ns', 'a')));
  await settle();
  h.source.set(secret('ns', 'a', { k: 'djI=' }));
  await settle();
  const reset = new Error('connection reset by peer');
  h.source.breakWatches(reset);
  await settle();
  assert.equal(h.errors.length, 1);
  assert.ok(h.errors[0] instanceof ReflectorError);
  assert.equal(h.errors[0].phase, 'watch');
  assert.equal(h.errors[0].cause, reset);
  h.source.set(secret('ns', 'a', { k: 'djM=' }));
  h.clock.step(799);
  await settle();
  assert.equal(h.source.callsOf('list').length, 1);
  h.clock.step(1);
  await settle();
  const lists = h.source.callsOf('list');
  assert.equal(lists.length, 2);
  assert.equal(lists[1]?.options.resourceVersion, '3', 'relist not older than what we saw');
  assert.equal(h.store.objects.get('a')?.metadata?.resourceVersion, '4', 'converged');
});

test('a 410 Expired ERROR event relists; a 410 on that list retries at once with a consistent read', async () => {
  const h = start((s) => s.set(secret('ns', 'a')));
  await settle();
  h.source.set(secret('ns', 'a', { k: 'djI=' }));
  await settle();
  h.source.failNext('list', StatusError.of(410, 'Expired', 'too old resource version: 3'));
  h.source.expireWatches();
  await settle();
  assert.ok(isResourceExpired(h.errors[0]));
  h.clock.step(800);
  await settle();
  const lists = h.source.callsOf('list').map((c) => c.options.resourceVersion);
  assert.deepEqual(lists, ['0', '3', '']);
  assert.equal(h.source.callsOf('watch').length, 2);
  assert.equal(h.errors.length, 1, 'the expired list is handled, not reported');
});

test('a resume into compacted history gets a 410 and converges through a relist', async () => {
  const h = start((s) => s.set(secret('ns', 'a')));
  await settle();
  h.clock.step(2_000);
  // The watch ends, and meanwhile the object changes and history is compacted.
  h.source.dropWatches();
  h.source.set(secret('ns', 'a', { k: 'djI=' }));
  h.source.compact();
  await settle();
  assert.ok(isResourceExpired(h.errors.at(-1)));
  h.clock.step(800);
  await settle();
  assert.equal(h.store.objects.get('a')?.metadata?.resourceVersion, h.source.resourceVersion);
});

test('list failures back off exponentially with jitter; the loop never gives up', async () => {
  const h = start((s) => s.failNext('list', StatusError.of(500, 'InternalError', 'etcd down'), 4));
  await settle();
  const listsAt: number[] = [];
  let seen = 0;
  for (let t = 0; t <= 15_000; t += 100) {
    const n = h.source.callsOf('list').length;
    if (n > seen) {
      seen = n;
      listsAt.push(h.clock.now());
    }
    h.clock.step(100);
    await settle(5);
  }
  assert.deepEqual(listsAt, [0, 800, 2_400, 5_600, 12_000]);
  assert.equal(h.errors.length, 4);
  assert.ok(h.errors.every((e) => e.phase === 'list'));
  assert.equal(h.source.callsOf('watch').length, 1, 'watching after the fifth list');
  assert.equal(h.reflector.lastError, undefined, 'cleared by the successful list');
});

test('429 on a watch request waits max(backoff, Retry-After) and resumes the watch without relisting', async () => {
  const h = start((s) => s.set(secret('ns', 'a')));
  await settle();
  h.clock.step(5_000);
  h.source.failNext('watch', StatusError.of(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 3 }));
  h.source.dropWatches();
  await settle();
  assert.equal(h.source.callsOf('watch').length, 2);
  h.clock.step(2_999);
  await settle();
  assert.equal(h.source.callsOf('watch').length, 2);
  h.clock.step(1);
  await settle();
  assert.equal(h.source.callsOf('watch').length, 3);
  assert.equal(h.source.callsOf('list').length, 1);
  assert.equal(h.source.callsOf('watch')[2]?.options.resourceVersion, '2');
});

test('a Retry-After beyond a minute (a hostile 10^9 s) is honoured for at most a minute', async () => {
  const h = start((s) => s.set(secret('ns', 'a')));
  await settle();
  h.clock.step(5_000);
  h.source.failNext('watch', StatusError.of(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 1e9 }));
  h.source.dropWatches();
  await settle();
  assert.equal(h.source.callsOf('watch').length, 2);
  h.clock.step(59_999);
  await settle();
  assert.equal(h.source.callsOf('watch').length, 2);
  h.clock.step(1);
  await settle();
  assert.equal(h.source.callsOf('watch').length, 3, 'watching again after 60 s');
  assert.equal(h.source.callsOf('list').length, 1);
});

test('a throwing error hook does not stop the loop', async () => {
  const clock = new FakeClock();
  const source = new FakeObjectSource();
  source.failNext('list', new Error('boom'));
  const reflector = new Reflector({
    name: 'x',
    list: (o, s) => source.listObject('ns', o, s),
    watch: (o, s) => source.watchObject('ns', o, s),
    store: new RecordingStore(),
    clock,
    random: () => 0,
    onError: () => {
      throw new Error('hook bug');
    },
  });
  const controller = new AbortController();
  const done = reflector.run(controller.signal);
  await settle();
  clock.step(800);
  await settle();
  assert.equal(source.callsOf('watch').length, 1);
  controller.abort();
  await done;
  assert.equal(source.activeWatches, 0);
});

test('abort ends run() and closes the watch', async () => {
  const h = start();
  await settle();
  assert.equal(h.source.activeWatches, 1);
  h.controller.abort();
  await h.done;
  assert.equal(h.source.activeWatches, 0);
});

test('abort during a backoff wait ends run() at once', async () => {
  const h = start((s) => s.failNext('list', new Error('refused')));
  await settle();
  assert.equal(h.clock.pendingTimers, 1);
  h.controller.abort();
  await h.done;
  assert.equal(h.clock.pendingTimers, 0);
});

test('options may be a class instance: list, watch and onError are called as its methods, and the name is read only for an error', async () => {
  const clock = new FakeClock();
  const source = new FakeObjectSource();
  source.set(secret('ns', 'a'));
  const store = new RecordingStore();
  class ItemOptions {
    readonly clock = clock;
    readonly store = store;
    readonly reported: string[] = [];
    nameReads = 0;
    get name(): string {
      this.nameReads++;
      return 'secrets "ns"/"a"';
    }
    list(this: ItemOptions, options: Parameters<typeof source.listObject>[1], signal?: AbortSignal): ReturnType<typeof source.listObject> {
      assert.ok(this instanceof ItemOptions);
      return source.listObject('ns', { ...options, fieldSelector: 'metadata.name=a' }, signal);
    }
    watch(this: ItemOptions, options: Parameters<typeof source.watchObject>[1], signal: AbortSignal): ReturnType<typeof source.watchObject> {
      assert.ok(this instanceof ItemOptions);
      return source.watchObject('ns', { ...options, fieldSelector: 'metadata.name=a' }, signal);
    }
    onError(this: ItemOptions, error: ReflectorError): void {
      this.reported.push(error.message);
    }
    random(): number {
      return 0;
    }
  }
  const options = new ItemOptions();
  const reflector = new Reflector(options);
  const controller = new AbortController();
  const done = reflector.run(controller.signal);
  await settle();
  assert.deepEqual(store.ops, ['replace(1)@' + source.callsOf('watch')[0]?.options.resourceVersion]);
  assert.equal(options.nameReads, 0, 'no name string is built while all is well');
  source.breakWatches(new Error('connection reset'));
  await settle();
  assert.equal(options.nameReads, 1);
  assert.match(options.reported[0] ?? '', /^secrets "ns"\/"a": watch failed: /);
  controller.abort();
  await done;
  await settle();
  assert.equal(source.activeWatches, 0);
  assert.equal(clock.pendingTimers, 0);
});

test('an event the reflector cannot apply ends that watch (the stream is returned) and the cycle relists', async () => {
  const returned: string[] = [];
  const h = start((s) => s.set(secret('ns', 'a')));
  await settle();
  // A watch function whose stream yields one malformed event, then would wait forever.
  const reflector = new Reflector({
    name: 'secrets "ns"/"b"',
    list: (options, signal) => h.source.listObject('ns', { ...options, fieldSelector: 'metadata.name=a' }, signal),
    watch: () => ({
      [Symbol.asyncIterator]: () => ({
        next: () => Promise.resolve({ done: false, value: { type: 'ADDED', object: null } as never }),
        return: () => {
          returned.push('returned');
          return Promise.resolve({ done: true, value: undefined });
        },
      }),
    }),
    store: new RecordingStore(),
    clock: h.clock,
    random: () => 0,
    onError: (e) => h.errors.push(e),
  });
  const controller = new AbortController();
  const done = reflector.run(controller.signal);
  await settle();
  assert.deepEqual(returned, ['returned']);
  assert.equal(h.errors.length, 1);
  assert.equal(h.errors[0]?.phase, 'watch');
  assert.ok(h.errors[0].cause instanceof MalformedResponseError, 'a watch event without an object');
  controller.abort();
  await done;
});
