// Each strategy takes only the options it uses. Another strategy's option
// (or a typo) is a compile error, which `npm run typecheck` checks through
// the @ts-expect-error lines below (an option the types accepted would make
// the directive unused, itself an error), and a TypeError naming the option
// at run time, for callers in JavaScript.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  newCachingConfigMapManager,
  newCachingReferenceManager,
  newCachingSecretManager,
  newSimpleReferenceManager,
  newSimpleSecretManager,
  newWatchingConfigMapManager,
  newWatchingReferenceManager,
  newWatchingSecretManager,
} from '../../src/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { clientOver } from '../helpers/objects.ts';
import { ingresses } from './helpers.ts';

const source = new FakeObjectSource();
const client = clientOver(source);
const signal = AbortSignal.abort();

/** A TypeError whose message names `option` as not used by `strategy`. */
function refused(what: string, option: string, strategy: string): (e: unknown) => boolean {
  return (e) => e instanceof TypeError && e.message.startsWith(`${what}: option "${option}" is not used by the ${strategy} strategy (`);
}

test('the simple strategy takes no options', () => {
  // @ts-expect-error: a TTL is a caching option
  assert.throws(() => newSimpleReferenceManager(source, ingresses, { ttlMs: 1_000 }), refused('newSimpleReferenceManager', 'ttlMs', 'simple'));
  // @ts-expect-error: a signal is a watching option
  assert.throws(() => newSimpleReferenceManager(source, ingresses, { signal }), /it takes no options\)$/);
  // @ts-expect-error: nor does the typed one
  assert.throws(() => newSimpleSecretManager(client, { clock: new FakeClock() }), refused('newSimpleSecretManager', 'clock', 'simple'));
  assert.equal(typeof newSimpleReferenceManager(source, ingresses, {}).getObject, 'function');
});

test('the caching strategy takes no watch options, the watching strategy no TTL options', () => {
  const watchOnly = { signal, onError: () => undefined, syncTimeoutMs: 5, maxIdleTimeMs: 60_000, isImmutable: () => false };
  const cacheOnly = { getTTL: () => undefined, ttlMs: 5, refreshOnReRegister: false };
  for (const [option, value] of Object.entries(watchOnly)) {
    assert.throws(() => newCachingReferenceManager(source, ingresses, { [option]: value }), refused('newCachingReferenceManager', option, 'caching'));
  }
  for (const [option, value] of Object.entries(cacheOnly)) {
    assert.throws(() => newWatchingReferenceManager(source, ingresses, { [option]: value }), refused('newWatchingReferenceManager', option, 'watching'));
  }
  // Compile errors, from an object literal and from a variable alike.
  // @ts-expect-error: signal is a watching option
  assert.throws(() => newCachingReferenceManager(source, ingresses, { signal }), refused('newCachingReferenceManager', 'signal', 'caching'));
  const watching = { clock: new FakeClock(), signal };
  // @ts-expect-error: signal is a watching option, even in a variable
  assert.throws(() => newCachingReferenceManager(source, ingresses, watching), refused('newCachingReferenceManager', 'signal', 'caching'));
  const caching = { clock: new FakeClock(), refreshOnReRegister: false };
  // @ts-expect-error: refreshOnReRegister is a caching option
  assert.throws(() => newWatchingReferenceManager(source, ingresses, caching), refused('newWatchingReferenceManager', 'refreshOnReRegister', 'watching'));
  // @ts-expect-error: ttlMs is a caching option
  assert.throws(() => newWatchingReferenceManager(source, ingresses, { ttlMs: 1 }), refused('newWatchingReferenceManager', 'ttlMs', 'watching'));
  // The message lists what the strategy takes.
  assert.throws(
    () => newCachingReferenceManager(source, ingresses, { maxIdleTimeMs: 1 } as never),
    { message: 'newCachingReferenceManager: option "maxIdleTimeMs" is not used by the caching strategy (it takes clock, getTTL, ttlMs, refreshOnReRegister)' },
  );
});

test('the typed managers: caching takes clock and refreshOnReRegister; watching clock, signal, onError and syncTimeoutMs', () => {
  const getTTL = (): undefined => undefined;
  // @ts-expect-error: the watch options
  assert.throws(() => newCachingSecretManager(client, getTTL, { signal }), refused('newCachingSecretManager', 'signal', 'caching'));
  // @ts-expect-error: a watch option
  assert.throws(() => newCachingConfigMapManager(client, getTTL, { syncTimeoutMs: 10 }), refused('newCachingConfigMapManager', 'syncTimeoutMs', 'caching'));
  // @ts-expect-error: the TTL comes from the getTTL argument
  assert.throws(() => newCachingSecretManager(client, getTTL, { ttlMs: 10 }), refused('newCachingSecretManager', 'ttlMs', 'caching'));
  // @ts-expect-error: refreshes are a caching matter
  assert.throws(() => newWatchingSecretManager(client, 60_000, { refreshOnReRegister: false }), refused('newWatchingSecretManager', 'refreshOnReRegister', 'watching'));
  // @ts-expect-error: the idle time comes from the resyncIntervalMs argument
  assert.throws(() => newWatchingConfigMapManager(client, 60_000, { maxIdleTimeMs: 60_000 }), refused('newWatchingConfigMapManager', 'maxIdleTimeMs', 'watching'));
  // What each takes is accepted.
  newCachingSecretManager(client, getTTL, { clock: new FakeClock(), refreshOnReRegister: false });
  newWatchingSecretManager(client, 60_000, { clock: new FakeClock(), signal, onError: () => undefined, syncTimeoutMs: 10 });
});

test('a typo, a non-object and bad values are refused, naming them; undefined values count as absent', () => {
  // @ts-expect-error: no strategy has this option
  assert.throws(() => newWatchingReferenceManager(source, ingresses, { syncTimeout: 10 }), refused('newWatchingReferenceManager', 'syncTimeout', 'watching'));
  for (const bad of [null, 5, 'x', [], () => undefined]) {
    assert.throws(() => newCachingReferenceManager(source, ingresses, bad as never), /^TypeError: newCachingReferenceManager: options must be an object, got /);
  }
  assert.throws(() => newCachingReferenceManager(source, ingresses, { ttlMs: Number.NaN }), /newCachingReferenceManager: options.ttlMs must be a finite number of milliseconds/);
  assert.throws(() => newCachingReferenceManager(source, ingresses, { refreshOnReRegister: 'no' as never }), /options.refreshOnReRegister must be a boolean/);
  assert.throws(() => newWatchingReferenceManager(source, ingresses, { maxIdleTimeMs: 2 ** 31 }), /newWatchingReferenceManager: options.maxIdleTimeMs must be a finite number/);
  assert.throws(() => newWatchingReferenceManager(source, ingresses, { syncTimeoutMs: -1 }), /newWatchingReferenceManager: options.syncTimeoutMs must be/);
  assert.throws(() => newWatchingReferenceManager(source, ingresses, { signal: {} as AbortSignal }), /options.signal must be an AbortSignal/);
  assert.throws(() => newWatchingSecretManager(client, Number.NaN), /newWatchingSecretManager: resyncIntervalMs must be a finite number/);
  assert.throws(() => newCachingSecretManager(client, 5 as never), /newCachingSecretManager: getTTL must be a function/);
  newCachingReferenceManager(source, ingresses, { signal: undefined, ttlMs: undefined });
  newWatchingSecretManager(client, 60_000, { refreshOnReRegister: undefined, signal });
});

test('the resource and the referrer type are checked, naming what is wrong', () => {
  assert.throws(() => newWatchingReferenceManager({} as never, ingresses), /^TypeError: newWatchingReferenceManager: resource.getObject must be a function$/);
  assert.throws(() => newSimpleReferenceManager(null as never, ingresses), /newSimpleReferenceManager: resource must be a ResourceClient/);
  assert.throws(() => newCachingReferenceManager(source, { key: () => 'k' } as never), /newCachingReferenceManager: referrers.references must be a function/);
  assert.throws(() => newCachingReferenceManager(source, { references: () => [] } as never), /referrers.key must be a function/);
  assert.throws(() => newCachingReferenceManager(source, { ...ingresses, id: 'x' } as never), /referrers.id must be a function when given/);
});
