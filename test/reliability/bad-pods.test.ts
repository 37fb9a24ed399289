// Bad pods given to the kubelet-layer managers: each gets a clear error or is
// handled, and what the manager holds (entries, watches) stays correct.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { isNotFound, newCachingSecretManager, newWatchingSecretManager, type SecretManager } from '../../src/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { clientOver, secret } from '../helpers/objects.ts';
import { settle } from '../helpers/settle.ts';

const ns = 'shop';

function setup(): { source: FakeObjectSource; secrets: SecretManager; clock: FakeClock; stop: () => void } {
  const source = new FakeObjectSource();
  for (const name of ['a', 'b', 'c', 'db']) source.set(secret(ns, name, { v: Buffer.from(name).toString('base64') }));
  const clock = new FakeClock();
  const controller = new AbortController();
  const secrets = newWatchingSecretManager(clientOver(source), 60_000, { clock, signal: controller.signal });
  return { source, secrets, clock, stop: () => controller.abort() };
}

function volumePod(name: string, uid: string, refs: string[]): V1Pod {
  return { metadata: { namespace: ns, name, uid }, spec: { containers: [{ name: 'c' }], volumes: refs.map((r, i) => ({ name: `v${i}`, secret: { secretName: r } })) } };
}

const summary = (secrets: SecretManager): string[] => secrets.entries().map((e) => `${e.name}:${[...e.referrers].sort().join('+')}`).sort();

test('pods without metadata, namespace or name are refused with an error naming what is missing; registrations stay', async () => {
  const { source, secrets, stop } = setup();
  try {
    secrets.registerPod(volumePod('good', 'uid-good', ['db']));
    const bad: [unknown, RegExp][] = [
      [null, /registerPod: pod must be an object, got null/],
      [undefined, /registerPod: pod must be an object, got undefined/],
      ['pod', /registerPod: pod must be an object/],
      [{}, /registerPod: pod has no metadata/],
      [{ metadata: null }, /registerPod: pod has no metadata/],
      [{ metadata: { name: 'p' } }, /registerPod: pod "p" has no metadata.namespace/],
      [{ metadata: { namespace: ns } }, /registerPod: pod in namespace "shop" has no metadata.name/],
      [{ metadata: { namespace: ns, name: 'p', uid: 5 } }, /registerPod: pod "shop"\/"p" has a non-string metadata.uid/],
    ];
    for (const [pod, message] of bad) {
      assert.throws(() => secrets.registerPod(pod as V1Pod), message);
      assert.throws(() => secrets.unregisterPod(pod as V1Pod), new RegExp(message.source.replace('registerPod', 'unregisterPod')));
    }
    await settle();
    assert.deepEqual(summary(secrets), ['db:uid-good']);
    assert.equal(source.activeWatches, 1);
  } finally {
    stop();
  }
});

test('a pod without uid or without spec is handled: no uid is one anonymous registration, no spec references nothing', async () => {
  const { source, secrets, stop } = setup();
  try {
    const noUid: V1Pod = { metadata: { namespace: ns, name: 'p' }, spec: { containers: [], volumes: [{ name: 'v', secret: { secretName: 'a' } }] } };
    secrets.registerPod(noUid);
    secrets.registerPod(noUid);
    secrets.registerPod({ metadata: { namespace: ns, name: 'q', uid: 'uid-q' } });
    await settle();
    assert.deepEqual(summary(secrets), ['a:'], 'registered once, referrer ""');
    secrets.unregisterPod(noUid);
    secrets.unregisterPod({ metadata: { namespace: ns, name: 'q', uid: 'uid-q' } });
    await settle();
    assert.deepEqual(summary(secrets), []);
    assert.equal(source.activeWatches, 0);
  } finally {
    stop();
  }
});

test('null where objects or names are expected is skipped; the valid references are kept', async () => {
  const { source, secrets, stop } = setup();
  try {
    const pod = {
      metadata: { namespace: ns, name: 'p', uid: 'uid-1' },
      spec: {
        imagePullSecrets: [null, { name: null }, { name: 'a' }],
        initContainers: null,
        containers: [
          null,
          { name: 'c', env: null, envFrom: [null, { secretRef: null }, { secretRef: { name: null } }] },
          { name: 'd', env: [{ name: 'X', valueFrom: null }, { name: 'Y', valueFrom: { secretKeyRef: null } }, { name: 'Z', valueFrom: { secretKeyRef: { name: 'b', key: 'k' } } }] },
        ],
        volumes: [null, { name: 'v0', secret: null }, { name: 'v1', secret: { secretName: null } }, { name: 'v2', projected: { sources: [null, { secret: null }, { secret: { name: 'c' } }] } }],
      },
    } as unknown as V1Pod;
    secrets.registerPod(pod);
    await settle();
    assert.deepEqual(summary(secrets), ['a:uid-1', 'b:uid-1', 'c:uid-1']);
    assert.equal(source.activeWatches, 3);
    const nullSpec = { metadata: { namespace: ns, name: 'n', uid: 'uid-n' }, spec: null } as unknown as V1Pod;
    secrets.registerPod(nullSpec);
    secrets.unregisterPod(nullSpec);
    secrets.unregisterPod(pod);
    await settle();
    assert.equal(source.activeWatches, 0);
  } finally {
    stop();
  }
});

test('a secret referenced many times by one pod (and the pod registered twice) is one watch, one referrer', async () => {
  const { source, secrets, stop } = setup();
  try {
    const pod: V1Pod = {
      metadata: { namespace: ns, name: 'p', uid: 'uid-1' },
      spec: {
        imagePullSecrets: [{ name: 'db' }, { name: 'db' }],
        containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'db' } }], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'db', key: 'k' } } }] }],
        volumes: [
          { name: 'v0', secret: { secretName: 'db' } },
          { name: 'v1', secret: { secretName: 'db' } },
          { name: 'v2', projected: { sources: [{ secret: { name: 'db' } }, { secret: { name: 'db' } }] } },
        ],
      },
    };
    secrets.registerPod(pod);
    secrets.registerPod(pod);
    await settle();
    assert.deepEqual(summary(secrets), ['db:uid-1']);
    assert.equal(source.activeWatches, 1);
    assert.equal(source.callsOf('list', 'db').length, 1, 'one list, not one per reference');
    secrets.unregisterPod(pod);
    await settle();
    assert.equal(source.activeWatches, 0, 'a single unregister drops every duplicate');
  } finally {
    stop();
  }
});

test('a pod mutated after registration: unregister drops what was registered; re-registering moves the references', async () => {
  const { source, secrets, stop } = setup();
  try {
    const pod = volumePod('p', 'uid-1', ['a', 'b']);
    secrets.registerPod(pod);
    pod.spec?.volumes?.splice(0, 2, { name: 'v', secret: { secretName: 'c' } });
    await settle();
    assert.deepEqual(summary(secrets), ['a:uid-1', 'b:uid-1'], 'the mutation changes nothing by itself');
    secrets.registerPod(pod);
    await settle();
    assert.deepEqual(summary(secrets), ['c:uid-1']);
    pod.spec = { containers: [] };
    secrets.unregisterPod(pod);
    await settle();
    assert.deepEqual(summary(secrets), []);
    assert.equal(source.activeWatches, 0);
  } finally {
    stop();
  }
});

test('returned objects cannot be mutated to change what the cache serves', async () => {
  const { secrets, stop } = setup();
  try {
    secrets.registerPod(volumePod('p', 'uid-1', ['db']));
    const first = await secrets.getSecret(ns, 'db');
    assert.throws(() => {
      (first.data as Record<string, string>)['v'] = 'changed';
    }, TypeError);
    assert.equal((await secrets.getSecret(ns, 'db')).data?.['v'], Buffer.from('db').toString('base64'));
  } finally {
    stop();
  }
});

test('enormous reference lists: 5,000 secrets in one pod are 5,000 watches, all gone on unregister; impossible names among 20,000 are registered too', async () => {
  const { source, secrets, stop } = setup();
  try {
    const names = Array.from({ length: 5_000 }, (_, i) => `s-${i}`);
    const big = volumePod('big', 'uid-big', names);
    secrets.registerPod(big);
    await settle();
    assert.equal(source.activeWatches, 5_000);
    assert.equal(secrets.entries().length, 5_000);
    secrets.unregisterPod(big);
    await settle();
    assert.equal(source.activeWatches, 0);

    const huge = Array.from({ length: 20_000 }, (_, i) => `h-${i}`);
    const oneMegabyte = 'x'.repeat(1 << 20);
    huge.push('Not A Name', oneMegabyte);
    const hugePod = volumePod('huge', 'uid-huge', huge);
    secrets.registerPod(hugePod);
    await settle();
    assert.equal(secrets.entries().length, 20_002, 'kube-apiserver accepted the pod: every name is registered');
    assert.equal(source.activeWatches, 20_001, 'a name longer than any object can have is never watched');
    const long = secrets.entries().find((e) => e.name === oneMegabyte);
    assert.equal(long?.state, 'missing');
    assert.ok((long?.lastError ?? '').length < 300, 'the reason does not repeat the megabyte');
    await assert.rejects(secrets.getSecret(ns, oneMegabyte), (err: Error) => isNotFound(err) && err.message.length < (1 << 20) + 100);
    secrets.unregisterPod(hugePod);
    await settle();
    assert.deepEqual(secrets.entries(), []);
    assert.equal(source.activeWatches, 0);
  } finally {
    stop();
  }
});

test('the caching (TTL) manager refuses only pods without identity; impossible names are registered and answer NotFound', async () => {
  const source = new FakeObjectSource();
  source.set(secret(ns, 'ok'));
  const secrets = newCachingSecretManager(clientOver(source), () => undefined, { clock: new FakeClock() });
  assert.throws(() => secrets.registerPod({ metadata: {} }), /has no metadata.namespace/);
  assert.deepEqual(secrets.entries(), []);
  secrets.registerPod(volumePod('p', 'uid-1', ['ok', 'Bad']));
  assert.deepEqual(secrets.entries().map((e) => e.name).sort(), ['Bad', 'ok']);
  assert.equal((await secrets.getSecret(ns, 'ok')).metadata?.name, 'ok');
  await assert.rejects(secrets.getSecret(ns, 'Bad'), (err) => isNotFound(err));
});
