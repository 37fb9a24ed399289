import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { ConnectionError, WatchDecodeError, WatchStalledError } from '../../src/client/errors.ts';
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
    headers: {},
    body,
    destroy(err?: Error) {
      destroyed++;
      body.destroy(err);
    },
  };
  return { response, body, destroyed: () => destroyed };
}

function open(response: TransportResponse, clock = new FakeClock(), signal = new AbortController().signal): AsyncIterator<{ type: string; object: { metadata?: { name?: string } } }> {
  return watchStream(response, { clock, signal, stallTimeoutMs: 1_000, maxEventBytes: 1024 * 1024, what: 'watch secrets in "ns"' })[Symbol.asyncIterator]();
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
});
