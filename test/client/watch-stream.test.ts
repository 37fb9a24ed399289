import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { ConnectionError, WatchDecodeError, WatchStalledError } from '../../src/client/errors.ts';
import { ByteBudget } from '../../src/client/growing-buffer.ts';
import { StallWatchdog } from '../../src/client/stall-watchdog.ts';
import type { TransportResponse } from '../../src/client/transport.ts';
import { watchStream } from '../../src/client/watch-stream.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { turn, until } from './helpers/test-server.ts';

const line = (name: string): string => `${JSON.stringify({ type: 'MODIFIED', object: { kind: 'Secret', apiVersion: 'v1', metadata: { name } } })}\n`;

/** A response whose body the test feeds by hand; counts destroy() calls. */
function fakeResponse(): { response: TransportResponse; body: Readable; destroyed: () => number } {
  const body = new Readable({ read() {} });
  let destroyed = 0;
  const response: TransportResponse = {
    status: 200,
    retryAfter: undefined,
    body,
    destroy(err?: Error) {
      destroyed++;
      body.destroy(err);
    },
    observe(reader) {
      body.on('end', () => reader.onEnd());
      body.on('error', (err: Error) => reader.onError(err));
      body.on('close', () => reader.onClose());
      body.on('data', (chunk: Buffer) => reader.onData(chunk));
    },
  };
  return { response, body, destroyed: () => destroyed };
}

type Events = AsyncIterator<{ type: string; object: { metadata?: { name?: string } } }>;

function open(response: TransportResponse, clock = new FakeClock(), signal = new AbortController().signal, watchdog = new StallWatchdog(clock, 1_000)): Events {
  const settings = { watchdog, maxEventBytes: 1024 * 1024, lineBudget: new ByteBudget(64 * 1024 * 1024), closed: new AbortController().signal, keepManagedFields: true };
  return watchStream(response, settings, signal, 'watch secrets in "ns"')[Symbol.asyncIterator]();
}

const nameOf = (result: IteratorResult<{ object: { metadata?: { name?: string } } }>): string | undefined => (result.done === true ? undefined : result.value.object.metadata?.name);

describe('watchStream', () => {
  it('pauses the body while the consumer holds an event, and reads on when it pulls (backpressure)', async () => {
    const { response, body } = fakeResponse();
    const events = open(response);
    assert.equal(body.readableFlowing, null, 'nothing is read before the first next()');
    const first = events.next();
    body.push(line('a') + line('b'));
    assert.equal(nameOf(await first), 'a');
    await turn();
    assert.equal(body.readableFlowing, false, 'paused while the consumer holds "a"');
    body.push(line('c'));
    await turn();
    assert.equal(body.readableLength, line('c').length, 'the next chunk stays in the stream buffer');
    assert.equal(nameOf(await events.next()), 'b', 'a queued event is served without reading');
    assert.equal(body.readableFlowing, false);
    assert.equal(nameOf(await events.next()), 'c', 'pulling with an empty queue reads on');
    const end = events.next();
    body.push(null);
    assert.deepEqual(await end, { done: true, value: undefined });
  });

  it('a next() while the previous one is pending is refused; the pending one still gets its event', async () => {
    const { response, body } = fakeResponse();
    const events = open(response);
    const first = events.next();
    await assert.rejects(events.next(), (err: unknown) => err instanceof TypeError && /watch secrets in "ns": next\(\) called while the previous next\(\) is pending/.test(err.message));
    body.push(line('a'));
    assert.equal(nameOf(await first), 'a');
    await events.return?.();
  });

  it('break (return) and an aborted signal end the iteration and free the stream', async () => {
    const a = fakeResponse();
    const events = open(a.response);
    const first = events.next();
    a.body.push(line('a'));
    assert.equal(nameOf(await first), 'a');
    assert.deepEqual(await events.return?.(), { done: true, value: undefined });
    assert.equal(a.destroyed(), 1);
    assert.deepEqual(await events.next(), { done: true, value: undefined });

    const b = fakeResponse();
    const controller = new AbortController();
    const aborted = open(b.response, new FakeClock(), controller.signal);
    const pending = aborted.next();
    await turn();
    controller.abort();
    b.response.destroy(new Error('aborted by the transport'));
    assert.deepEqual(await pending, { done: true, value: undefined });
  });

  it('a malformed line throws WatchDecodeError after the events before it; a stream cut short throws ConnectionError', async () => {
    const a = fakeResponse();
    const events = open(a.response);
    const first = events.next();
    a.body.push(line('a'));
    assert.equal(nameOf(await first), 'a');
    const second = events.next();
    a.body.push('{"type":\n');
    await assert.rejects(second, WatchDecodeError);
    await until(() => a.body.destroyed, 'the stream is freed');

    const b = fakeResponse();
    const cut = open(b.response);
    const pending = cut.next();
    b.body.push('{"type":"ADDED",');
    await turn();
    b.body.destroy();
    await assert.rejects(pending, (err: unknown) => err instanceof ConnectionError && /watch secrets in "ns": the watch stream failed/.test(err.message));
  });

  it('the stall clock runs only while the consumer waits on the server', async () => {
    const clock = new FakeClock();
    const { response, body } = fakeResponse();
    const events = open(response, clock);
    clock.step(5_000);
    const first = events.next();
    clock.step(999);
    body.push(line('a'));
    assert.equal(nameOf(await first), 'a');
    clock.step(5_000);
    await turn();
    assert.equal(body.destroyed, false, 'holding an event is not a stall');
    const second = events.next();
    clock.step(500);
    body.push('{"type":"ADDED",');
    await turn();
    clock.step(999);
    await turn();
    assert.equal(body.destroyed, false, 'a partial line is a byte from the server');
    clock.step(1);
    await assert.rejects(second, (err: unknown) => err instanceof WatchStalledError && /no data from the server for 1000 ms/.test(err.message));
    assert.equal(body.destroyed, true);
    assert.equal(clock.pendingTimers, 0);
  });

  it('one timer watches every waiting watch: each stalls at its own time, none runs while nobody waits', async () => {
    const clock = new FakeClock();
    const watchdog = new StallWatchdog(clock, 1_000);
    const feeds = [fakeResponse(), fakeResponse(), fakeResponse()];
    const watches = feeds.map((f) => open(f.response, clock, new AbortController().signal, watchdog));
    const outcomes = watches.map((w) => w.next().then((r) => r, (err: unknown) => err));
    assert.equal(watchdog.size, 3);
    assert.equal(clock.pendingTimers, 1, 'one timer for three watches');
    clock.step(400);
    feeds[1]?.body.push('{"type":');
    await turn();
    clock.step(300);
    feeds[2]?.body.push(line('c'));
    assert.equal(nameOf((await outcomes[2]) as IteratorResult<{ object: { metadata?: { name?: string } } }>), 'c');
    assert.equal(watchdog.size, 2, 'a watch whose consumer holds an event is not watched');
    clock.step(299);
    await turn();
    assert.equal(feeds[0]?.body.destroyed, false);
    clock.step(1);
    assert.ok((await outcomes[0]) instanceof WatchStalledError, 'no byte for 1000 ms since it started waiting');
    assert.equal(feeds[1]?.body.destroyed, false, 'its partial line at 400 ms counts as a byte');
    clock.step(399);
    await turn();
    assert.equal(feeds[1]?.body.destroyed, false);
    clock.step(1);
    assert.ok((await outcomes[1]) instanceof WatchStalledError);
    assert.equal(watchdog.size, 0);
    assert.equal(clock.pendingTimers, 0, 'no timer while no watch waits');
    await watches[2]?.return?.();
  });
});

describe('StallWatchdog', () => {
  it('stops watches falling due one after another in few sweeps, none early and none later than timeout / 128', () => {
    const clock = new FakeClock();
    const watchdog = new StallWatchdog(clock, 12_800);
    const stalledAt = new Map<number, number>();
    let sweeps = 0;
    const realSetTimeout = clock.setTimeout.bind(clock);
    clock.setTimeout = (fn: () => void, ms: number): unknown => realSetTimeout(() => {
      sweeps++;
      fn();
    }, ms);
    for (let i = 0; i < 1_000; i++) {
      const since = clock.now();
      watchdog.add({ waitingSince: since, stall: () => stalledAt.set(i, clock.now() - since) });
      clock.step(1);
    }
    clock.step(20_000);
    assert.equal(stalledAt.size, 1_000);
    for (const waited of stalledAt.values()) assert.ok(waited >= 12_800 && waited <= 12_900, `stopped after ${waited} ms`);
    assert.ok(sweeps <= 11, `${sweeps} sweeps`);
    assert.equal(clock.pendingTimers, 0);
  });
});
