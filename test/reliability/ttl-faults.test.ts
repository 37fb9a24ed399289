// The caching (TTL) secret manager while the server fails: once it holds a
// secret it keeps serving it through 500s, 429s, delays past the request
// timeout and restarts; reads never go back in time; concurrent reads share
// one GET, so the request rate is bounded by reads, not multiplied by them;
// once the faults stop, every secret is fresh within one TTL plus one GET.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { startApiServer } from '../../src/apiserver/index.ts';
import { createClient, newCachingSecretManager } from '../../src/index.ts';
import { FakeClock } from '../../src/testing.ts';
import { decodeV, note, ns, secretPod, seed, trapUnhandledRejections, writer } from './harness.ts';

const trap = trapUnhandledRejections();
after(() => trap.check());

const names = ['s0', 's1', 's2'];
const ttlMs = 10_000;

it('caching manager: serves held secrets through 500, 429, delays and restarts; one GET per object per round; fresh within a TTL after', async () => {
  const server = await startApiServer();
  const core = writer(server.kubeConfig());
  await seed(core, names, 'initial');
  const clock = new FakeClock();
  const client = createClient(server.kubeConfig(), { clock, requestTimeoutMs: 2_000 });
  const secrets = newCachingSecretManager(client, () => ttlMs, { clock });
  const pod = secretPod('p', 'uid-1', names);
  const highest = new Map<string, bigint>();
  /** 10 concurrent reads of every secret while the clock moves; each answer checked monotonic. */
  const readRound = async (): Promise<string[]> => {
    let done = false;
    const reads = Promise.all(
      names.flatMap((name) =>
        Array.from({ length: 10 }, async () => {
          const secret = await secrets.getSecret(ns, name);
          const rv = BigInt(secret.metadata?.resourceVersion ?? '-1');
          const prev = highest.get(name);
          assert.ok(prev === undefined || rv >= prev, `"${name}" went back from ${String(prev)} to ${rv}`);
          highest.set(name, rv);
          return decodeV(secret);
        }),
      ),
    ).finally(() => {
      done = true;
    });
    while (!done) {
      clock.step(250);
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
    }
    return reads;
  };
  const gets = (): number => server.metrics().requests['get secrets'] ?? 0;
  try {
    secrets.registerPod(pod);
    assert.deepEqual(new Set(await readRound()), new Set(['initial']));
    for (const name of names) await core.replaceNamespacedSecret({ namespace: ns, name, body: { metadata: { name }, stringData: { v: 'updated' } } });

    const faults: [string, () => Promise<void> | void][] = [
      ['500', () => server.faults.failNext(1_000, 500, { verb: 'get', resource: 'secrets' })],
      ['429 with Retry-After', () => server.faults.failNext(1_000, 429, { verb: 'get', resource: 'secrets', retryAfterSeconds: 1 })],
      ['delay past the timeout', () => server.faults.setDelay(300)],
      ['restart', () => server.faults.restart()],
    ];
    for (const [what, inject] of faults) {
      clock.step(ttlMs); // every held copy is stale: each read round tries the server
      await inject();
      const before = gets();
      const rounds = 3;
      for (let round = 0; round < rounds; round++) {
        const values = await readRound();
        // A restart only cuts connections: the fetch may then succeed.
        if (what !== 'restart') assert.ok(values.every((v) => v === 'initial'), `${what}: keeps serving the held copy`);
        clock.step(ttlMs);
      }
      // 30 concurrent reads per round share one GET per object; the client retries a 429 with Retry-After 3 times.
      const bound = rounds * names.length * (what.startsWith('429') ? 4 : 1);
      note(`${what}: ${gets() - before} GETs for ${rounds * 30} reads, bound ${bound}`);
      assert.ok(gets() - before <= bound, `${what}: ${gets() - before} GETs for ${rounds * 30} reads, bound ${bound}`);
      server.faults.clear();
    }

    // Faults over: fresh within one TTL (plus the GET).
    clock.step(ttlMs);
    assert.deepEqual(new Set(await readRound()), new Set(['updated']));
    secrets.unregisterPod(pod);
    assert.deepEqual(secrets.entries(), []);
  } finally {
    await client.close();
    await server.close();
  }
});
