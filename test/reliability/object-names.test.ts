// Names that cannot name a Secret or ConfigMap are refused before any state
// changes, by every store and manager, with an error naming the bad value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkObjectName } from '../../src/manager/references.ts';
import { newCacheBasedManager, newObjectStore } from '../../src/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { pod, referencedNames, secret, watchingManagerOver } from '../helpers/objects.ts';

const badNames: [string, RegExp][] = [
  ['Upper', /name "Upper" is not a valid DNS subdomain/],
  ['has space', /name "has space" is not a valid DNS subdomain/],
  ['a/b', /name "a\/b" is not a valid DNS subdomain/],
  ['-leading', /not a valid DNS subdomain/],
  ['trailing.', /not a valid DNS subdomain/],
  ['a..b', /not a valid DNS subdomain/],
  // Would widen the watch's field selector if sent as is.
  ['x,metadata.namespace=other', /not a valid DNS subdomain/],
  ['ünïcode', /not a valid DNS subdomain/],
  ['a'.repeat(254), /name "a{64}"\.\.\. \(254 characters\) is not a valid DNS subdomain/],
];

test('checkObjectName accepts DNS subdomain names and DNS label namespaces', () => {
  for (const name of ['a', 'db', 'tls-cert', 'my.dotted.name', '0', 'a'.repeat(253)]) checkObjectName('shop', name);
  checkObjectName('a'.repeat(63), 'x');
});

test('checkObjectName refuses invalid names and namespaces, truncating long ones in the message', () => {
  for (const [name, message] of badNames) assert.throws(() => checkObjectName('shop', name), message, name.slice(0, 30));
  assert.throws(() => checkObjectName('Shop', 'x'), /namespace "Shop" is not a valid DNS label/);
  assert.throws(() => checkObjectName('a.b', 'x'), /namespace "a.b" is not a valid DNS label/);
  assert.throws(() => checkObjectName('a'.repeat(64), 'x'), /namespace "a{64}"\.\.\. \(64 characters\)|namespace "a{64}" is not/);
  const huge = 'x'.repeat(1_000_000);
  assert.throws(
    () => checkObjectName('shop', huge),
    (err: Error) => err instanceof TypeError && err.message.length < 300,
  );
});

test('a pod referencing an invalid name is refused by registerPod and changes nothing', () => {
  const source = new FakeObjectSource();
  source.set(secret('shop', 'good'));
  const clock = new FakeClock();
  const controller = new AbortController();
  const watching = watchingManagerOver(source, clock, controller.signal);
  const caching = newCacheBasedManager(newObjectStore(source.getObject, clock, () => undefined, 60_000), referencedNames);
  try {
    for (const manager of [watching, caching]) {
      for (const [name, message] of badNames) {
        assert.throws(() => manager.registerPod(pod('shop', 'p', 'uid-1', ['good', name])), message);
      }
      assert.deepEqual(manager.entries?.(), [], 'nothing registered by a refused pod');
      assert.equal(source.activeWatches, 0);
    }
    assert.throws(() => caching.registerPod(pod('Not_A_Namespace', 'p', 'uid-1', ['good'])), /namespace "Not_A_Namespace" is not a valid DNS label/);
  } finally {
    controller.abort();
  }
});

test('get() of an invalid name is refused with the name, not "not registered"', async () => {
  const source = new FakeObjectSource();
  const store = newObjectStore(source.getObject, new FakeClock(), () => undefined, 60_000);
  await assert.rejects(store.get('shop', 'Bad Name'), /name "Bad Name" is not a valid DNS subdomain/);
  assert.equal(source.calls.length, 0, 'no request for an invalid name');
});
