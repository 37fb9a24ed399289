// A burst of requests must not add a listener per request to one shared
// EventTarget: addEventListener walks the listeners already there, so that
// is quadratic in requests in flight (2.4 s of CPU for 10,000 at start-up).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/client/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import type { TestServer } from './helpers/test-server.ts';
import { answerBookmarkOrSecret, startTestServer } from './helpers/test-server.ts';

describe('a burst of requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ handler: answerBookmarkOrSecret });
  });
  after(async () => {
    await server.close();
  });

  it('adds no listener per request to any one EventTarget (such as the client\'s close signal)', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    const added = new Map<EventTarget, number>();
    const original = Object.getOwnPropertyDescriptor(EventTarget.prototype, 'addEventListener');
    const add = original?.value as (this: EventTarget, ...args: Parameters<EventTarget['addEventListener']>) => void;
    EventTarget.prototype.addEventListener = function (this: EventTarget, ...args: Parameters<EventTarget['addEventListener']>) {
      added.set(this, (added.get(this) ?? 0) + 1);
      add.apply(this, args);
    };
    try {
      const secrets = client.resource('secrets');
      await Promise.all(Array.from({ length: 500 }, async () => secrets.getObject('ns', 'x', {})));
    } finally {
      if (original !== undefined) Object.defineProperty(EventTarget.prototype, 'addEventListener', original);
      await client.close();
    }
    const most = Math.max(0, ...added.values());
    assert.ok(most < 10, `one EventTarget got ${most} listeners for 500 requests`);
  });
});
