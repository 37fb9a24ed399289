// Names from pods: kube-apiserver accepts a pod that references names no
// Secret can have (imagePullSecrets "Registry_Creds"). Every name is
// registered; impossible ones answer NotFound, names that are not path
// segments are never requested, and no name can widen a watch's selector.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkObjectName, nameFieldSelector } from '../../src/manager/object-names.ts';
import { unreachableName } from '../../src/util/object-names.ts';
import { isNotFound, newCacheBasedManager, newObjectStore } from '../../src/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { pod, referencedNames, secret, watchingManagerOver } from '../helpers/objects.ts';
import { settle } from '../helpers/settle.ts';

/** Accepted by kube-apiserver in a pod spec, but no Secret can have them. */
const impossibleNames = ['Upper', 'Registry_Creds', 'has space', '-leading', 'trailing.', 'a..b', 'ünïcode', 'x,metadata.name!=y', 'a=b', 'back\\slash'];
/** Not path segments (or too long): never sent to the server at all. */
const unreachableNames = ['.', '..', 'a/b', '../kube-system', '%2e%2e', 'a'.repeat(254)];

test('checkObjectName takes any non-empty name and refuses bad namespaces, naming them', () => {
  for (const name of ['a', 'Upper', 'a/b', '..', 'a'.repeat(300)]) checkObjectName('shop', name);
  assert.throws(() => checkObjectName('shop', ''), /name must be a non-empty string, got ""/);
  assert.throws(() => checkObjectName('shop', 42), /name must be a non-empty string, got 42/);
  assert.throws(() => checkObjectName('Shop', 'x'), /namespace "Shop" is not a valid DNS label/);
  assert.throws(() => checkObjectName('a.b', 'x'), /namespace "a.b" is not a valid DNS label/);
  const huge = 'x'.repeat(1_000_000);
  assert.throws(() => checkObjectName(huge, 'x'), (err: Error) => err instanceof TypeError && err.message.length < 300);
});

test('unreachableName: names that are not path segments or longer than 253 characters, with a short reason', () => {
  for (const name of unreachableNames) assert.match(unreachableName(name) ?? '', /path segment|longer than 253/, name.slice(0, 20));
  for (const name of ['a', 'db.example', 'a'.repeat(253), ...impossibleNames]) assert.equal(unreachableName(name), undefined, name);
  assert.ok((unreachableName('/'.repeat(100_000)) ?? '').length < 300);
});

test('nameFieldSelector escapes backslash, comma and equals so a name is one exact term', () => {
  assert.equal(nameFieldSelector('db'), 'metadata.name=db');
  assert.equal(nameFieldSelector('x,metadata.name!=y'), 'metadata.name=x\\,metadata.name!\\=y');
  assert.equal(nameFieldSelector('a\\,b'), 'metadata.name=a\\\\\\,b');
});

test('a pod naming impossible secrets registers every reference: its valid secret is served, the others are NotFound', async () => {
  const source = new FakeObjectSource();
  source.set(secret('shop', 'good', { k: 'dg==' }));
  source.set(secret('shop', 'other'));
  const clock = new FakeClock();
  const controller = new AbortController();
  const watching = watchingManagerOver(source, clock, controller.signal);
  const caching = newCacheBasedManager(newObjectStore(source.getObject, clock, () => undefined, 60_000), referencedNames);
  const names = ['good', ...impossibleNames, ...unreachableNames];
  try {
    for (const manager of [watching, caching]) {
      manager.registerPod(pod('shop', 'p', 'uid-1', names));
      assert.equal(manager.entries?.().length, names.length, 'every name is registered');
      assert.equal((await manager.getObject('shop', 'good')).metadata?.name, 'good');
      for (const name of [...impossibleNames, ...unreachableNames]) {
        await assert.rejects(manager.getObject('shop', name), (err) => isNotFound(err), name.slice(0, 20));
      }
    }
    // No selector was widened: no list or watch ever carried another secret.
    for (const entry of watching.entries?.() ?? []) assert.equal(entry.ignoredObjects, undefined, entry.name.slice(0, 20));
    // The watch cache never lists them; the TTL store never gets them
    // (test/kubelet/managers.test.ts checks that against a server).
    for (const name of unreachableNames) {
      assert.deepEqual(source.callsOf('list', name), [], `no list for ${name.slice(0, 20)}`);
      assert.deepEqual(source.callsOf('get', name), [], `no get for ${name.slice(0, 20)}`);
    }
    const unreachable = watching.entries?.().find((e) => e.name === '..');
    assert.equal(unreachable?.state, 'missing');
    assert.match(unreachable?.lastError ?? '', /not a valid path segment/);
    assert.equal(source.activeWatches, 1 + impossibleNames.length, 'one watch per requestable name');
  } finally {
    controller.abort();
    await settle();
  }
});

test('a watch for a name with selector syntax selects exactly that name, not the namespace', async () => {
  const source = new FakeObjectSource();
  source.set(secret('shop', 'good'));
  source.set(secret('shop', 'x,metadata.name!=y'));
  const clock = new FakeClock();
  const controller = new AbortController();
  const watching = watchingManagerOver(source, clock, controller.signal);
  try {
    watching.registerPod(pod('shop', 'p', 'uid-1', ['x,metadata.name!=y']));
    assert.equal((await watching.getObject('shop', 'x,metadata.name!=y')).metadata?.name, 'x,metadata.name!=y');
    const list = source.callsOf('list')[0];
    assert.equal(list?.options.fieldSelector, 'metadata.name=x\\,metadata.name!\\=y');
    assert.equal(watching.entries?.()[0]?.ignoredObjects, undefined, 'the list held only the named secret');
  } finally {
    controller.abort();
    await settle();
  }
});

