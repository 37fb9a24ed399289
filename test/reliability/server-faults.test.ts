// A watching secret manager against the embedded API server while it drops
// watches, expires every resume, sheds load (429, 500, 503) and answers too
// late. For each fault: the manager keeps answering from memory, the request
// rate stays within what the backoff allows, and once the fault stops every
// registered secret converges to the server's state within the longest
// backoff wait plus one list (fake time). Reads are checked monotonic.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.ts';
import { RequestTimeoutError, isResourceExpired, isServiceUnavailable, isTooManyRequests, isInternalError } from '../../src/index.ts';
import {
  WatchedSecrets,
  convergenceBoundMs,
  decodeV,
  listWatchRequests,
  maxAttempts,
  ns,
  secretPod,
  seed,
  serverIdle,
  trapUnhandledRejections,
  writer,
  note,
} from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

const trap = trapUnhandledRejections();
after(() => trap.check());

const names = ['s0', 's1', 's2', 's3', 's4'];

interface Env {
  server: ApiServer;
  core: CoreV1Api;
  w: WatchedSecrets;
  pods: V1Pod[];
  update: (name: string, value: string) => Promise<void>;
}

/** Runs `body` against a fresh server with two pods sharing s2, all secrets synced; checks convergence and cleanup after. */
async function withEnv(body: (env: Env) => Promise<void>, clientOptions: ConstructorParameters<typeof WatchedSecrets>[1] = {}): Promise<void> {
  const server = await startApiServer();
  const core = writer(server.kubeConfig());
  await seed(core, names, 'initial');
  const w = new WatchedSecrets(server.kubeConfig(), clientOptions);
  const pods = [secretPod('p1', 'uid-1', ['s0', 's1', 's2']), secretPod('p2', 'uid-2', ['s2', 's3', 's4'])];
  const update = async (name: string, value: string): Promise<void> => {
    await core.replaceNamespacedSecret({ namespace: ns, name, body: { metadata: { name }, stringData: { v: value } } });
  };
  try {
    for (const pod of pods) w.manager.registerPod(pod);
    for (const name of names) assert.equal(decodeV(await w.get(name)), 'initial');
    await body({ server, core, w, pods, update });
    server.faults.clear();
    await w.converge(core, names, convergenceBoundMs);
    await w.close(pods);
    await serverIdle(server);
  } finally {
    await w.client.close();
    await server.close();
  }
}

describe('server faults', () => {
  it('every watch dropped repeatedly (clean ends and resets): converges, no more than one re-watch per drop plus backoff', async () => {
    await withEnv(async ({ server, w, update }) => {
      const before = listWatchRequests(server);
      const start = w.clock.now();
      const drops = 10;
      let dropped = 0;
      for (let i = 0; i < drops; i++) {
        // Every watch is open again before the next drop (reads keep them from stopping for idleness).
        await eventually(
          async () => {
            for (const name of names) await w.get(name);
            assert.equal(server.metrics().activeWatches, names.length);
          },
          { onRetry: () => w.clock.step(1_000) },
        );
        dropped += server.faults.dropWatches({ abort: i % 2 === 1 });
        // Written while the watches are down: the re-watch (or relist) must bring it.
        await update(names[i % names.length] ?? 's0', `drop-${i}`);
        await w.runFor(1_500);
      }
      assert.equal(dropped, drops * names.length, 'every drop ended every watch');
      // The last drop's watches are open again too (a reset may wait out a backoff step first).
      await eventually(
        async () => {
          for (const name of names) await w.get(name);
          assert.equal(server.metrics().activeWatches, names.length);
        },
        { onRetry: () => w.clock.step(1_000) },
      );
      const requests = listWatchRequests(server) - before;
      // Per object: a drop costs at most a watch and a list; the backoff adds at most one list and watch per attempt.
      const bound = names.length * 2 * (drops + maxAttempts(w.clock.now() - start));
      note(`${requests} requests, bound ${bound}`);
      assert.ok(requests <= bound, `${requests} list+watch requests during ${drops} drops, bound ${bound}`);
      assert.ok(requests >= dropped, `every dropped watch was re-opened (${requests} requests)`);
    });
  });

  it('410 Expired on every resume: relists and converges', async () => {
    await withEnv(async ({ server, core, w, update }) => {
      const before = listWatchRequests(server);
      const rounds = 10;
      for (let i = 0; i < rounds; i++) {
        await update(names[i % names.length] ?? 's0', `expired-${i}`);
        // Move the global version past every watcher's, then forget the history: every resume is too old.
        await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `bump-${i}` } } });
        server.faults.compactHistory();
        server.faults.dropWatches({ abort: i % 2 === 0 });
        await w.runFor(3_000);
      }
      assert.ok(w.sawError(isResourceExpired), 'resumes were answered 410 Expired');
      const requests = listWatchRequests(server) - before;
      const bound = names.length * 2 * (rounds + maxAttempts(rounds * 3_000)) * 2;
      note(`${requests} requests, bound ${bound}`);
      assert.ok(requests <= bound, `${requests} list+watch requests, bound ${bound}`);
    });
  });

  it('429 with Retry-After on every list and watch for a minute: requests stay within the backoff, then converges', async () => {
    await withEnv(async ({ server, w, update }) => {
      server.faults.failNext(100_000, 429, { verb: 'list', resource: 'secrets', retryAfterSeconds: 2 });
      server.faults.failNext(100_000, 429, { verb: 'watch', resource: 'secrets', retryAfterSeconds: 2 });
      const before = listWatchRequests(server);
      server.faults.dropWatches({ abort: true });
      for (const name of names) await update(name, 'during-429');
      const windowMs = 60_000;
      await w.runFor(windowMs);
      assert.equal(decodeV(await w.get('s0')), 'initial', 'serves the last known state while the server sheds load');
      const requests = listWatchRequests(server) - before;
      // Each attempt: a list the client tries 1 + 3 times (Retry-After), or one watch.
      const bound = names.length * maxAttempts(windowMs) * 4;
      assert.ok(requests >= names.length, `every reflector tried (${requests})`);
      note(`${requests} requests, bound ${bound}`);
      assert.ok(requests <= bound, `${requests} requests in ${windowMs} ms of 429s, bound ${bound}`);
      assert.ok(w.sawError(isTooManyRequests));
    });
  });

  it('500 and 503 bursts: requests stay within the backoff, then converges', async () => {
    await withEnv(async ({ server, w, update }) => {
      const before = listWatchRequests(server);
      const windowMs = 60_000;
      server.faults.dropWatches({ abort: true });
      for (let burst = 0; burst < 4; burst++) {
        // 503 with Retry-After on lists (the client retries them), bare 500 on watches.
        server.faults.failNext(40, 503, { verb: 'list', resource: 'secrets', retryAfterSeconds: 1 });
        server.faults.failNext(40, 500, { verb: 'watch', resource: 'secrets' });
        await update(names[burst] ?? 's0', `burst-${burst}`);
        await w.runFor(windowMs / 4);
        server.faults.clear();
        server.faults.dropWatches({ abort: true });
      }
      const requests = listWatchRequests(server) - before;
      const bound = names.length * (maxAttempts(windowMs) + 4) * 4;
      note(`${requests} requests, bound ${bound}`);
      assert.ok(requests <= bound, `${requests} requests in ${windowMs} ms of 5xx bursts, bound ${bound}`);
      assert.ok(w.sawError(isServiceUnavailable) || w.sawError(isInternalError), 'the bursts were seen');
    });
  });

  it('responses delayed past the request timeout: requests time out, then converges', async () => {
    await withEnv(
      async ({ server, w, update }) => {
        // 300 ms of real time is over 20 s of fake time while runFor steps: past the 2 s request timeout.
        server.faults.setDelay(300);
        server.faults.dropWatches({ abort: true });
        const before = w.counts.list + w.counts.watch;
        const start = w.clock.now();
        const windowMs = 30_000;
        await w.runFor(windowMs / 2);
        // Written while no watch is open (the writes are delayed too); the clock keeps moving meanwhile.
        let written = false;
        const writes = (async () => {
          for (const name of names) await update(name, 'during-delay');
          written = true;
        })();
        while (!written) await w.runFor(250);
        await writes;
        await w.runFor(windowMs / 2);
        assert.equal(decodeV(await w.get('s1')), 'initial', 'serves the last known state meanwhile');
        assert.ok(w.sawError((e) => e instanceof RequestTimeoutError), 'requests timed out');
        const calls = w.counts.list + w.counts.watch - before;
        const bound = names.length * maxAttempts(w.clock.now() - start) * 2;
        note(`${calls} requests, bound ${bound}`);
        assert.ok(calls <= bound, `${calls} list+watch calls, bound ${bound}`);
        server.faults.setDelay(0);
      },
      { requestTimeoutMs: 2_000 },
    );
  });
});
