// The reflector's WatchList sync against the embedded API server: one
// request when served, list + watch when refused, and what it does when the
// stream breaks before the initial-events-end bookmark.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.ts';
import { Reflector, WatchEndedError, createClient, type KubeClient, type ReflectorError, type ReflectorStore, type WatchEvent, type WatchObjectFunc } from '../../src/index.ts';
import { FakeClock } from '../../src/testing.ts';
import { eventually } from '../helpers/eventually.ts';
import { settle } from '../helpers/settle.ts';

/** A store that holds objects by name and records each replace. */
class MapStore implements ReflectorStore {
  readonly objects = new Map<string, KubernetesObject>();
  readonly replaces: { names: string[]; resourceVersion: string }[] = [];
  replace(objects: KubernetesObject[], resourceVersion: string): void {
    this.objects.clear();
    for (const o of objects) this.objects.set(o.metadata?.name ?? '', o);
    this.replaces.push({ names: objects.map((o) => o.metadata?.name ?? '').sort(), resourceVersion });
  }
  add(o: KubernetesObject): void {
    this.objects.set(o.metadata?.name ?? '', o);
  }
  update(o: KubernetesObject): void {
    this.objects.set(o.metadata?.name ?? '', o);
  }
  delete(o: KubernetesObject): void {
    this.objects.delete(o.metadata?.name ?? '');
  }
}

interface Running {
  reflector: Reflector;
  store: MapStore;
  errors: ReflectorError[];
  controller: AbortController;
  done: Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serverWith(names: string[], options: { watchList?: boolean } = {}): Promise<{ server: ApiServer; core: CoreV1Api; client: KubeClient }> {
  const server = await startApiServer(options);
  cleanups.push(() => server.close());
  const core = server.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'wl' } } });
  for (const name of names) await core.createNamespacedSecret({ namespace: 'wl', body: { metadata: { name }, stringData: { v: name } } });
  const client = createClient(server.kubeConfig());
  cleanups.push(() => client.close());
  return { server, core, client };
}

/** A reflector over every secret of namespace wl, on a FakeClock (its backoff never fires unless stepped). */
function reflect(client: KubeClient, options: { watch?: WatchObjectFunc; store?: MapStore; clock?: FakeClock } = {}): Running {
  const secrets = client.resource('secrets');
  const watch = options.watch ?? secrets.watchObject;
  const store = options.store ?? new MapStore();
  const errors: ReflectorError[] = [];
  const reflector = new Reflector({
    name: 'secrets "wl"',
    list: (o, signal) => secrets.listObject('wl', o, signal),
    watch: (o, signal) => watch('wl', o, signal),
    store,
    clock: options.clock ?? new FakeClock(),
    ...(secrets.watchObject.watchList !== undefined && { watchList: secrets.watchObject.watchList }),
    onError: (e) => errors.push(e),
  });
  const controller = new AbortController();
  const done = reflector.run(controller.signal);
  cleanups.push(async () => {
    controller.abort();
    await done;
  });
  return { reflector, store, errors, controller, done };
}

const requests = (server: ApiServer, verb: 'list' | 'watch'): number => server.metrics().requests[`${verb} secrets`] ?? 0;

/**
 * A watch function over the real one that records each call (WatchList or
 * watch, and from which resourceVersion) and, on call number `breakCall`
 * only, passes the events up to (not including) the initial-events-end
 * bookmark and then `ends` the stream: cleanly ('end') or with an ERROR
 * event (a 410 Expired); or drops the bookmarks and leaves the stream open
 * ('no-bookmark').
 */
function breakWatchList(inner: WatchObjectFunc, ends: 'end' | '410' | 'no-bookmark' | 'never', breakCall = 1): WatchObjectFunc & { calls: string[]; passed: () => number } {
  const calls: string[] = [];
  let passed = 0;
  const watch = async (namespace: string, options: Parameters<WatchObjectFunc>[1], signal: AbortSignal): Promise<AsyncIterable<WatchEvent>> => {
    calls.push(`${options.sendInitialEvents === true ? 'watch-list' : 'watch'}@${options.resourceVersion ?? '-'}`);
    const stream = await inner(namespace, options, signal);
    if (calls.length !== breakCall || ends === 'never') return stream;
    return (async function* cut() {
      for await (const event of stream) {
        if (event.type === 'BOOKMARK') {
          // Like a server that ignores sendInitialEvents: no end bookmark, the stream stays open.
          if (ends === 'no-bookmark') continue;
          break;
        }
        passed++;
        yield event;
      }
      if (ends === '410') yield { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' } as KubernetesObject };
    })();
  };
  return Object.assign(watch, { calls, passed: () => passed });
}

describe('Reflector with WatchList', () => {
  it('refuses an initialEventsTimeoutMs below 1 s or beyond what a timer can wait, naming it', () => {
    const base = { name: 'x', list: () => Promise.reject(new Error('unused')), watch: () => Promise.reject(new Error('unused')), store: new MapStore() };
    assert.throws(() => new Reflector({ ...base, initialEventsTimeoutMs: 999 }), /Reflector: initialEventsTimeoutMs must be a finite number of milliseconds in \[1000, 2147483647\], got 999/);
    assert.throws(() => new Reflector({ ...base, initialEventsTimeoutMs: 2 ** 31 }), /Reflector: initialEventsTimeoutMs/);
  });

  it('syncs with one watch request and no list; the initial events replace the store at the bookmark version; changes follow on the same stream', async () => {
    const { server, core, client } = await serverWith(['c', 'a', 'b']);
    const stale = new MapStore();
    stale.objects.set('gone', { metadata: { name: 'gone', namespace: 'wl' } });
    const r = reflect(client, { store: stale });
    await eventually(() => assert.equal(r.store.replaces.length, 1));
    assert.deepEqual(r.store.replaces[0]?.names, ['a', 'b', 'c']);
    assert.deepEqual([...r.store.objects.keys()].sort(), ['a', 'b', 'c'], 'an object not in the initial events is gone, as after a list');
    assert.equal(r.store.replaces[0]?.resourceVersion, server.metrics().resourceVersion, "the bookmark's version");
    assert.equal(r.reflector.lastSyncResourceVersion, server.metrics().resourceVersion);
    assert.equal(requests(server, 'watch'), 1);
    assert.equal(requests(server, 'list'), 0);
    assert.equal(client.resource('secrets').watchObject.watchList?.state, 'served');

    await core.deleteNamespacedSecret({ namespace: 'wl', name: 'b' });
    await eventually(() => assert.deepEqual([...r.store.objects.keys()].sort(), ['a', 'c']));
    assert.equal(requests(server, 'watch'), 1, 'the WatchList stream goes on as the watch');
    assert.deepEqual(r.errors, []);
  });

  it('falls back to list + watch when the server refuses WatchList (422); a second reflector on the same client does not ask again', async () => {
    const { server, client } = await serverWith(['a', 'b'], { watchList: false });
    const first = reflect(client);
    await eventually(() => assert.equal(server.metrics().activeWatches, 1));
    assert.deepEqual([...first.store.objects.keys()].sort(), ['a', 'b']);
    assert.equal(requests(server, 'watch'), 2, 'the refused WatchList, then the watch');
    assert.equal(requests(server, 'list'), 1);
    const support = client.resource('secrets').watchObject.watchList;
    assert.equal(support?.state, 'refused');
    assert.match(support?.refusal ?? '', /sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled/);
    assert.deepEqual(first.errors, [], 'a refusal is not an error');

    const second = reflect(client);
    await eventually(() => assert.equal(server.metrics().activeWatches, 2));
    assert.deepEqual([...second.store.objects.keys()].sort(), ['a', 'b']);
    assert.equal(requests(server, 'watch'), 3, 'no second WatchList request');
    assert.equal(requests(server, 'list'), 2);
  });

  it('reflectors that start while the first WatchList request is out wait for its answer: one refused request in all', async () => {
    const { server, client } = await serverWith(['a'], { watchList: false });
    const all = [reflect(client), reflect(client), reflect(client), reflect(client)];
    await eventually(() => assert.equal(server.metrics().activeWatches, 4));
    for (const r of all) assert.deepEqual([...r.store.objects.keys()], ['a']);
    assert.equal(requests(server, 'watch'), 5, 'one refused WatchList, then one watch each');
    assert.equal(requests(server, 'list'), 4);
  });

  it('a WatchList request that fails otherwise (500) makes that reflector list; the others, released, use WatchList; nothing is remembered as refused', async () => {
    const { server, client } = await serverWith(['a']);
    server.faults.failNext(1, 500, { verb: 'watch' });
    const all = [reflect(client), reflect(client), reflect(client)];
    await eventually(() => assert.equal(server.metrics().activeWatches, 3));
    for (const r of all) assert.deepEqual([...r.store.objects.keys()], ['a']);
    assert.equal(requests(server, 'list'), 1, 'only the reflector whose WatchList failed lists');
    assert.equal(requests(server, 'watch'), 4);
    assert.equal(client.resource('secrets').watchObject.watchList?.state, 'served');
    assert.equal(all.flatMap((r) => r.errors).map((e) => e.phase).join(), 'watch-list', 'the failure is reported once');
  });

  it('a stream that ends before the initial-events-end bookmark is reported and the cycle lists instead: the store syncs without waiting for a backoff', async () => {
    const { server, client } = await serverWith(['a', 'b']);
    const watch = breakWatchList(client.resource('secrets').watchObject, 'end');
    const r = reflect(client, { watch });
    await eventually(() => assert.equal(watch.calls.length, 2));
    assert.deepEqual(r.store.replaces.map((x) => x.names), [['a', 'b']], 'one replace, by the list: the cut initial events were not applied');
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]?.phase, 'watch-list');
    assert.ok(r.errors[0]?.cause instanceof WatchEndedError, 'the stream ended before its bookmark');
    assert.equal(requests(server, 'list'), 1);
    assert.deepEqual(watch.calls, ['watch-list@', `watch@${r.reflector.lastSyncResourceVersion}`]);
    assert.equal(client.resource('secrets').watchObject.watchList?.state, 'served', 'a cut stream is no refusal');
  });

  it('a 410 Expired during the initial events of a resumed WatchList retries at once from "" (no list, no backoff)', async () => {
    const { server, client } = await serverWith(['a']);
    const clock = new FakeClock();
    const watch = breakWatchList(client.resource('secrets').watchObject, '410', 2);
    const r = reflect(client, { clock, watch });
    await eventually(() => assert.equal(r.store.replaces.length, 1));
    const synced = r.reflector.lastSyncResourceVersion;
    server.faults.dropWatches({ abort: true });
    await eventually(() => assert.equal(r.errors.length, 1));
    clock.step(60_000);
    await eventually(() => assert.equal(r.store.replaces.length, 2));
    assert.deepEqual(watch.calls, ['watch-list@', `watch-list@${synced}`, 'watch-list@']);
    assert.equal(requests(server, 'list'), 0);
    assert.equal(r.errors.length, 1, 'the 410 is handled, as client-go does, not reported');
    assert.deepEqual([...r.store.objects.keys()], ['a']);
  });

  it('a stream that sends no initial-events-end bookmark (a server or proxy ignoring sendInitialEvents) is given up after 10 s of silence: the client lists from then on', async () => {
    const { server, client } = await serverWith(['a']);
    const clock = new FakeClock();
    const watch = breakWatchList(client.resource('secrets').watchObject, 'no-bookmark');
    const r = reflect(client, { clock, watch });
    await eventually(() => assert.equal(watch.passed(), 1));
    await settle();
    clock.step(9_999);
    await settle();
    assert.equal(r.store.replaces.length, 0, 'not synced yet');
    clock.step(1);
    await eventually(() => assert.equal(r.store.replaces.length, 1));
    assert.deepEqual([...r.store.objects.keys()], ['a']);
    assert.equal(requests(server, 'list'), 1);
    await eventually(() => assert.deepEqual(watch.calls, ['watch-list@', `watch@${r.reflector.lastSyncResourceVersion}`]));
    assert.equal(r.errors[0]?.phase, 'watch-list');
    assert.ok(r.errors[0]?.cause instanceof WatchEndedError, 'nothing came before the bookmark');
    const support = client.resource('secrets').watchObject.watchList;
    assert.equal(support?.state, 'refused');
    const second = reflect(client);
    await eventually(() => assert.equal(second.store.replaces.length, 1));
    assert.equal(requests(server, 'list'), 2, 'the next reflector lists at once');
  });

  it('after a broken watch, WatchList resumes from the last synced version', async () => {
    const { server, core, client } = await serverWith(['a']);
    const clock = new FakeClock();
    const watch = breakWatchList(client.resource('secrets').watchObject, 'never');
    const r = reflect(client, { clock, watch });
    await eventually(() => assert.equal(r.store.replaces.length, 1));
    const synced = r.reflector.lastSyncResourceVersion;
    server.faults.dropWatches({ abort: true });
    await eventually(() => assert.equal(r.errors.length, 1));
    await core.createNamespacedSecret({ namespace: 'wl', body: { metadata: { name: 'b' } } });
    clock.step(60_000);
    await eventually(() => assert.deepEqual([...r.store.objects.keys()].sort(), ['a', 'b']));
    assert.equal(requests(server, 'list'), 0);
    assert.deepEqual(watch.calls, ['watch-list@', `watch-list@${synced}`]);
  });
});
