import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { newCacheBasedManager, type Store } from '../../src/index.ts';
import { pod, referencedNames } from '../helpers/objects.ts';

/** A store that keeps per-referrer counts and records every call. */
class CountingStore implements Store {
  readonly calls: string[] = [];
  readonly counts = new Map<string, number>();
  addReference(namespace: string, name: string, from = ''): void {
    this.calls.push(`+${namespace}/${name}@${from}`);
    const key = `${namespace}/${name}@${from}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  deleteReference(namespace: string, name: string, from = ''): void {
    this.calls.push(`-${namespace}/${name}@${from}`);
    const key = `${namespace}/${name}@${from}`;
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n <= 0) this.counts.delete(key);
    else this.counts.set(key, n);
  }
  get(namespace: string, name: string): Promise<KubernetesObject> {
    return Promise.resolve({ metadata: { namespace, name } });
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort());
  }
}

test('registering adds one reference per name from the pod UID; unregistering drops them', () => {
  const store = new CountingStore();
  const manager = newCacheBasedManager(store, referencedNames);
  manager.registerPod(pod('ns', 'p', 'uid-1', ['a', 'b']));
  assert.deepEqual(store.snapshot(), { 'ns/a@uid-1': 1, 'ns/b@uid-1': 1 });
  manager.unregisterPod(pod('ns', 'p', 'uid-1', []));
  assert.deepEqual(store.snapshot(), {});
});

test('register and unregister are idempotent', () => {
  const store = new CountingStore();
  const manager = newCacheBasedManager(store, referencedNames);
  const p = pod('ns', 'p', 'uid-1', ['a']);
  manager.registerPod(p);
  manager.registerPod(p);
  manager.registerPod(p);
  assert.deepEqual(store.snapshot(), { 'ns/a@uid-1': 1 });
  manager.unregisterPod(p);
  manager.unregisterPod(p);
  assert.deepEqual(store.snapshot(), {});
});

test('an update moves references: dropped names go, kept names stay at one, every name is re-added (invalidating TTL copies)', () => {
  const store = new CountingStore();
  const manager = newCacheBasedManager(store, referencedNames);
  manager.registerPod(pod('ns', 'p', 'uid-1', ['a', 'b']));
  store.calls.length = 0;
  manager.registerPod(pod('ns', 'p', 'uid-1', ['b', 'c']));
  assert.deepEqual(store.snapshot(), { 'ns/b@uid-1': 1, 'ns/c@uid-1': 1 });
  assert.deepEqual(store.calls, ['+ns/b@uid-1', '+ns/c@uid-1', '-ns/a@uid-1', '-ns/b@uid-1']);
});

test('pods are keyed by namespace, name and UID: a re-created pod is another registration', () => {
  const store = new CountingStore();
  const manager = newCacheBasedManager(store, referencedNames);
  manager.registerPod(pod('ns', 'p', 'uid-1', ['a']));
  manager.registerPod(pod('ns', 'p', 'uid-2', ['a']));
  manager.registerPod(pod('other', 'p', 'uid-1', ['a']));
  assert.deepEqual(store.snapshot(), { 'ns/a@uid-1': 1, 'ns/a@uid-2': 1, 'other/a@uid-1': 1 });
  manager.unregisterPod(pod('ns', 'p', 'uid-1', []));
  assert.deepEqual(store.snapshot(), { 'ns/a@uid-2': 1, 'other/a@uid-1': 1 });
});

test('unregistering uses the names seen at registration, even if the pod object was mutated since', () => {
  const store = new CountingStore();
  const manager = newCacheBasedManager(store, referencedNames);
  const p = pod('ns', 'p', 'uid-1', ['a']);
  manager.registerPod(p);
  p.spec?.volumes?.push({ name: 'z', secret: { secretName: 'z' } });
  manager.unregisterPod(p);
  assert.deepEqual(store.snapshot(), {});
});

test('bad pods get a clear error and change nothing', () => {
  const store = new CountingStore();
  const manager = newCacheBasedManager(store, referencedNames);
  manager.registerPod(pod('ns', 'ok', 'uid-0', ['a']));
  const bad: [unknown, RegExp][] = [
    [null, /registerPod: pod must be an object, got null/],
    [{}, /registerPod: pod has no metadata/],
    [{ metadata: { name: 'p' } }, /registerPod: pod "p" has no metadata.namespace/],
    [{ metadata: { namespace: 'ns' } }, /registerPod: pod in namespace "ns" has no metadata.name/],
    [{ metadata: { namespace: 'ns', name: 'p', uid: 7 } }, /non-string metadata.uid/],
  ];
  for (const [input, message] of bad) assert.throws(() => manager.registerPod(input as V1Pod), message);
  const throwing = newCacheBasedManager(store, () => new Set(['fine', '']));
  assert.throws(() => throwing.registerPod(pod('ns', 'p', 'uid-9', [])), /name must be a non-empty string, got ""/);
  assert.deepEqual(store.snapshot(), { 'ns/a@uid-0': 1 });
});

test('getObject reads through the store', async () => {
  const manager = newCacheBasedManager(new CountingStore(), referencedNames);
  assert.equal((await manager.getObject('ns', 'a')).metadata?.name, 'a');
});
