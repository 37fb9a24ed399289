// The starting contract's fixed names (DESIGN.md at the repository root,
// "Public API and the package"): every name other code relies on is exported
// from the entry point the contract names. test/api/exports.test.ts pins the
// complete lists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as root from '../../src/index.ts';
import * as testing from '../../src/testing.ts';
import * as apiserver from '../../src/apiserver/index.ts';

test('the package root exports the seed, the kubelet layer, the client and the errors', () => {
  const functions = [
    'newCacheBasedManager',
    'newObjectStore',
    'getObjectTTLFromNodeFunc',
    'newObjectCache',
    'newWatchBasedManager',
    'isNotFound',
    'isGone',
    'isResourceExpired',
    'isConflict',
    'isTooManyRequests',
    'visitPodSecretNames',
    'visitPodConfigmapNames',
    'getSecretNames',
    'getConfigMapNames',
    'newSimpleSecretManager',
    'newCachingSecretManager',
    'newWatchingSecretManager',
    'newSimpleConfigMapManager',
    'newCachingConfigMapManager',
    'newWatchingConfigMapManager',
    'createClient',
  ] as const;
  for (const name of functions) assert.equal(typeof root[name], 'function', name);
  assert.equal(typeof root.StatusError, 'function');
  assert.equal(typeof root.RealClock, 'function');
  assert.ok(!('FakeClock' in root), 'test doubles live in ./testing only');
});

test('./testing exports FakeClock and the fake source; ./apiserver exports startApiServer', () => {
  const clock = new testing.FakeClock(5);
  assert.equal(clock.now(), 5);
  assert.equal(typeof testing.FakeObjectSource, 'function');
  assert.equal(typeof apiserver.startApiServer, 'function');
});

test('the seed managers have the Manager and Store shapes', () => {
  const source = new testing.FakeObjectSource();
  const store = root.newObjectStore(source.getObject, new testing.FakeClock(), () => undefined, 1_000);
  for (const method of ['addReference', 'deleteReference', 'get'] as const) assert.equal(typeof store[method], 'function', method);
  const manager = root.newCacheBasedManager(store, () => new Set());
  for (const method of ['getObject', 'registerPod', 'unregisterPod'] as const) assert.equal(typeof manager[method], 'function', method);
});
