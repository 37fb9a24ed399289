// Property: whatever sequence of source faults (dropped, broken and expired
// watches, compacted history, failing lists and watches with 429, 500, 410)
// is interleaved with writes, deletes and reads, reads never go back in time,
// and once the faults stop and the backoff cap plus a list has passed, every
// registered object reads as the source holds it, with one watch each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { StatusError, SyncTimeoutError, isNotFound, newWatchBasedManager } from '../../src/index.ts';
import { FakeClock, FakeObjectSource } from '../../src/testing.ts';
import { isImmutable, pod, referencedNames, secret } from '../helpers/objects.ts';
import { settle } from '../helpers/settle.ts';

const ns = 'ns';
const names = ['a', 'b', 'c'] as const;

type Step =
  | { kind: 'write'; name: string; value: string }
  | { kind: 'delete'; name: string }
  | { kind: 'read'; name: string }
  | { kind: 'fault'; fault: 'drop' | 'break' | 'expire' | 'compact' | 'list429' | 'list500' | 'list410' | 'watch429' | 'watch500' }
  | { kind: 'time'; ms: number };

const name = fc.constantFrom(...names);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), name, value: fc.constantFrom('x', 'y', 'z') }),
  fc.record({ kind: fc.constant('delete' as const), name }),
  fc.record({ kind: fc.constant('read' as const), name }),
  fc.record({
    kind: fc.constant('fault' as const),
    fault: fc.constantFrom('drop', 'break', 'expire', 'compact', 'list429', 'list500', 'list410', 'watch429', 'watch500'),
  }),
  fc.record({ kind: fc.constant('time' as const), ms: fc.constantFrom(100, 900, 5_000, 31_000) }),
);

/** Steps the clock in 1 s increments, letting the reflectors run between them. */
async function pass(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 1_000) {
    clock.step(Math.min(1_000, ms - t));
    await settle();
  }
}

test('reads stay monotonic under any fault sequence and converge once faults stop (100 runs)', { timeout: 120_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
      const clock = new FakeClock();
      const source = new FakeObjectSource({ historyLimit: 5 });
      for (const n of names) source.set(secret(ns, n, { v: 'initial' }));
      const controller = new AbortController();
      const manager = newWatchBasedManager({
        listObject: source.listObject,
        watchObject: source.watchObject,
        isImmutable,
        groupResource: source.groupResource,
        resyncIntervalMs: 3_600_000,
        getReferencedObjects: referencedNames,
        clock,
        signal: controller.signal,
      });
      const highest = new Map<string, bigint>();
      const read = async (n: string): Promise<string | undefined> => {
        try {
          const object = await manager.getObject(ns, n);
          const rv = BigInt(object.metadata?.resourceVersion ?? '-1');
          const prev = highest.get(n);
          assert.ok(prev === undefined || rv >= prev, `"${n}" went back from ${String(prev)} to ${rv}`);
          highest.set(n, rv);
          return (object as { data?: Record<string, string> }).data?.['v'];
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      };
      const p = pod(ns, 'p', 'uid-1', [...names]);
      try {
        manager.registerPod(p);
        await settle();
        for (const s of steps) {
          switch (s.kind) {
            case 'write':
              source.set(secret(ns, s.name, { v: s.value }));
              break;
            case 'delete':
              try {
                source.delete(ns, s.name);
              } catch {
                // already gone
              }
              break;
            case 'read': {
              // A read may time out (1 s) waiting for a sync that faults hold back: that is an answer too.
              let done = false;
              const answer = read(s.name)
                .catch((err: unknown) => assert.ok(err instanceof SyncTimeoutError, String(err)))
                .finally(() => {
                  done = true;
                });
              for (let t = 0; t < 2_000 && !done; t += 100) {
                clock.step(100);
                await settle();
              }
              await answer;
              break;
            }
            case 'time':
              await pass(clock, s.ms);
              break;
            case 'fault':
              if (s.fault === 'drop') source.dropWatches();
              else if (s.fault === 'break') source.breakWatches();
              else if (s.fault === 'expire') source.expireWatches();
              else if (s.fault === 'compact') source.compact();
              else if (s.fault === 'list429') source.failNext('list', StatusError.of(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 1 }), 3);
              else if (s.fault === 'list500') source.failNext('list', StatusError.of(500, 'InternalError', 'boom'), 3);
              else if (s.fault === 'list410') source.failNext('list', StatusError.of(410, 'Expired', 'too old'), 2);
              else if (s.fault === 'watch429') source.failNext('watch', StatusError.of(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 2 }), 3);
              else source.failNext('watch', StatusError.of(500, 'InternalError', 'boom'), 3);
              break;
          }
          await settle();
        }
        // Faults stop: within the longest backoff wait (2 x 30 s) plus a list, everything converges.
        source.clearFaults();
        await pass(clock, 70_000);
        for (const n of names) {
          const held = await read(n);
          const truth = await source.getObject(ns, n, {}).then(
            (o) => (o as { data?: Record<string, string> }).data?.['v'],
            () => undefined,
          );
          assert.equal(held, truth, `"${n}" converged`);
        }
        assert.equal(source.activeWatches, names.length, 'one watch per object');
        manager.unregisterPod(p);
        await settle();
        assert.equal(source.activeWatches, 0);
        assert.equal(clock.pendingTimers, 0, 'no timer left');
      } finally {
        controller.abort();
      }
    }),
    { numRuns: 100 },
  );
});
