import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isNotFound, newWatchBasedManager, NotRegisteredError } from '../../src/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { isImmutable, pod, referencedNames, secret, watchingManagerOver } from '../helpers/objects.ts';
import { settle } from '../helpers/settle.ts';

function setup(resyncIntervalMs = 60_000) {
  const clock = new FakeClock();
  const source = new FakeObjectSource();
  const controller = new AbortController();
  const manager = watchingManagerOver(source, clock, controller.signal, resyncIntervalMs);
  return { clock, source, controller, manager };
}

test('one watch per distinct referenced object, however many pods reference it', async () => {
  const { source, controller, manager, clock } = setup();
  for (const name of ['a', 'b', 'c']) source.set(secret('ns', name));
  for (let i = 0; i < 10; i++) manager.registerPod(pod('ns', `p${i}`, `uid-${i}`, ['a', 'b', i % 2 === 0 ? 'c' : 'a']));
  await settle();
  assert.equal(source.activeWatches, 3);
  assert.equal(source.callsOf('list').length, 3);
  const gets = await Promise.all(Array.from({ length: 30 }, (_, i) => manager.getObject('ns', ['a', 'b', 'c'][i % 3] ?? 'a')));
  assert.equal(gets.length, 30);
  assert.equal(source.callsOf('list').length, 3, 'gets never list or GET');
  for (let i = 0; i < 10; i++) manager.unregisterPod(pod('ns', `p${i}`, `uid-${i}`, []));
  await settle();
  assert.equal(source.activeWatches, 0, 'unregistering every pod closes every watch');
  controller.abort();
  await settle();
  assert.equal(clock.pendingTimers, 0);
});

test('re-registering a pod with changed references moves the watches without restarting kept ones', async () => {
  const { source, controller, manager } = setup();
  manager.registerPod(pod('ns', 'p', 'uid-1', ['a', 'b']));
  await settle();
  manager.registerPod(pod('ns', 'p', 'uid-1', ['b', 'c']));
  await settle();
  assert.equal(source.activeWatches, 2);
  assert.deepEqual(source.callsOf('list').map((c) => c.options.fieldSelector), ['metadata.name=a', 'metadata.name=b', 'metadata.name=c']);
  await assert.rejects(manager.getObject('ns', 'a'), NotRegisteredError);
  await assert.rejects(manager.getObject('ns', 'b'), (e) => isNotFound(e));
  controller.abort();
  await settle();
});

test('the idle time is 5 x resyncInterval', async () => {
  const { clock, source, controller, manager } = setup(60_000);
  source.set(secret('ns', 'a'));
  manager.registerPod(pod('ns', 'p', 'uid-1', ['a']));
  await manager.getObject('ns', 'a');
  clock.step(300_000);
  await settle();
  assert.equal(source.activeWatches, 1, 'not idle beyond 5 min yet');
  clock.step(60_000);
  await settle();
  assert.equal(source.activeWatches, 0, 'stopped after 5 x 60 s idle');
  await manager.getObject('ns', 'a');
  assert.equal(source.activeWatches, 1, 'restarted by the get');
  controller.abort();
  await settle();
  assert.equal(clock.pendingTimers, 0);
});

test('bad resyncInterval is refused, naming it', () => {
  const source = new FakeObjectSource();
  assert.throws(
    () =>
      newWatchBasedManager({
        listObject: source.listObject,
        watchObject: source.watchObject,
        isImmutable,
        groupResource: { group: '', resource: 'secrets' },
        resyncIntervalMs: Number.NaN,
        getReferencedObjects: referencedNames,
      }),
    /resyncIntervalMs must be a finite number of milliseconds in \[0, 429496729\], got NaN/,
  );
});
