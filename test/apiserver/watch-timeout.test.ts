// Watch timeoutSeconds as kube-apiserver v1.37.2 reads it (checked by hand):
// int64 seconds, any positive value honoured (even beyond what one Node timer
// can wait), values that overflow int64 nanoseconds or are negative end the
// watch at once, and what strconv.ParseInt refuses is a 400.
/* eslint-disable @typescript-eslint/no-unsafe-member-access */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import type { Clock } from '../../src/util/clock.ts';
import { maxTimerDelayMs } from '../../src/util/duration.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { req, watch } from './helpers.ts';

const S = '/api/v1/namespaces/default/secrets';

/**
 * A clock with Node's timer semantics on fake time: a delay above 2^31-1 ms
 * (or below 1) fires after 1 ms, as setTimeout does. A server given a clock
 * like this (a thin wrapper over Node's timers) must still honour long timeouts.
 */
class NodeTimerClock implements Clock {
  readonly fake = new FakeClock(Date.UTC(2026, 0, 1));
  now(): number {
    return this.fake.now();
  }
  setTimeout(fn: () => void, ms: number): unknown {
    return this.fake.setTimeout(fn, ms >= 1 && ms <= maxTimerDelayMs ? ms : 1);
  }
  clearTimeout(handle: unknown): void {
    this.fake.clearTimeout(handle);
  }
}

describe('apiserver watch timeoutSeconds', () => {
  let server: ApiServer;
  const clock = new NodeTimerClock();
  before(async () => {
    server = await startApiServer({ clock, bookmarkIntervalMs: maxTimerDelayMs });
  });
  after(() => server.close());

  const path = (t: string): string => `${S}?watch=true&timeoutSeconds=${t}&resourceVersion=${server.metrics().resourceVersion}`;

  it('2,147,484 s (beyond what one timer can wait) is honoured to the millisecond', async () => {
    const w = await watch(server, path('2147484'));
    let ended = false;
    void w.ended.then(() => (ended = true));
    clock.fake.step(1000);
    clock.fake.step(2_147_484_000 - 1000 - 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ended, false, 'still open 1 ms before its timeout');
    assert.equal(server.metrics().activeWatches, 1);
    await req(server, 'POST', S, { body: { metadata: { name: 'late' } } });
    assert.equal((await w.next()).object.metadata.name, 'late');
    clock.fake.step(1);
    await w.ended;
    assert.equal(server.metrics().activeWatches, 0);
  });

  it('9,223,372,036 s (the most int64 nanoseconds hold) stays open; one more, or a negative value, ends at once with no event', async () => {
    const longest = await watch(server, path('9223372036'));
    clock.fake.step(3 * maxTimerDelayMs);
    assert.equal(server.metrics().activeWatches, 1);
    longest.close();
    await longest.ended;
    for (const t of ['9223372037', '10000000000', '-1', '-9223372036']) {
      const w = await watch(server, path(t));
      assert.equal(w.status, 200, t);
      await w.ended;
      assert.equal(w.buffered(), 0, `${t}: no event`);
    }
    assert.equal(server.metrics().activeWatches, 0);
  });

  it('what strconv.ParseInt refuses is a 400 with its message', async () => {
    for (const [t, why] of [['1.5', 'invalid syntax'], ['abc', 'invalid syntax'], ['1e3', 'invalid syntax'], ['99999999999999999999', 'value out of range']]) {
      const r = await req(server, 'GET', `${S}?watch=true&timeoutSeconds=${t}`);
      assert.equal(r.status, 400, t);
      assert.equal(r.json.reason, 'BadRequest');
      assert.equal(r.json.message, `strconv.ParseInt: parsing "${t}": ${why}`);
    }
  });

  it('duration options beyond what a timer can wait are refused, naming the option', async () => {
    await assert.rejects(startApiServer({ bookmarkIntervalMs: 2 ** 31 }), { name: 'TypeError', message: /startApiServer: options\.bookmarkIntervalMs must be a finite number of milliseconds/ });
    assert.throws(() => server.faults.setDelay(Infinity), { name: 'TypeError', message: /faults\.setDelay: ms must be a finite number of milliseconds/ });
  });
});
