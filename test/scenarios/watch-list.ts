// WatchList (sendInitialEvents) through our client's watchObject.
import assert from 'node:assert/strict';
import type { ListOptions, WatchEvent } from '../../src/index.ts';
import type { SeenEvent } from '../helpers/recording-client.ts';
import { newNamespace, recordingClient, rvNumber, rvOf, secretKind, within, writer } from './fixtures.ts';
import type { Scenario } from './scenario.ts';

const initialEventsEnd = 'k8s.io/initial-events-end';
const watchList: ListOptions = { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true, resourceVersion: '' };

/** Reads a watch on demand: `take` leaves the watch open for the next call. */
class Events {
  readonly #iterator: AsyncIterator<WatchEvent>;
  constructor(stream: AsyncIterable<WatchEvent>) {
    this.#iterator = stream[Symbol.asyncIterator]();
  }

  /** The events up to the first for which `until` holds for what arrived, within 10 s. */
  take(until: (seen: SeenEvent[]) => boolean): Promise<SeenEvent[]> {
    const read = async (): Promise<SeenEvent[]> => {
      const seen: SeenEvent[] = [];
      for (;;) {
        const next = await this.#iterator.next();
        if (next.done === true) throw new Error(`the watch ended after ${seen.map((e) => e.type).join(', ') || 'no events'}`);
        const meta = next.value.object.metadata;
        seen.push({ resource: 'secrets', type: next.value.type, name: meta?.name, resourceVersion: meta?.resourceVersion, annotations: meta?.annotations });
        if (until(seen)) return seen;
      }
    };
    return within(10_000, 'watch events', read());
  }
}

const has = (type: WatchEvent['type']) => (seen: SeenEvent[]) => seen.some((e) => e.type === type);

const initialEvents: Scenario = {
  name: 'client watchObject: WatchList (sendInitialEvents) sends ADDED for each object, then a bookmark marking the end, then changes',
  async run(server) {
    const core = writer(server);
    const ns = await newNamespace(core, 'watch-list');
    const created = [];
    for (const name of ['a', 'b', 'c']) created.push(await secretKind.create(core, ns, name, name));
    const client = recordingClient(server);
    const secrets = client.resource('secrets');
    const controller = new AbortController();
    try {
      const events = await new Events(await secrets.watchObject(ns, watchList, controller.signal)).take(has('BOOKMARK'));
      assert.deepEqual(
        events.map((e) => e.type),
        ['ADDED', 'ADDED', 'ADDED', 'BOOKMARK'],
      );
      assert.deepEqual(events.slice(0, 3).map((e) => e.name).sort(), ['a', 'b', 'c']);
      const bookmark = events[3];
      assert.equal(bookmark?.annotations?.[initialEventsEnd], 'true');
      for (const object of created) assert.ok(rvNumber(bookmark.resourceVersion) >= rvNumber(rvOf(object)), 'the bookmark is at least as new as every object');

      // One object by name, as a per-object watch asks; then a change on the same stream.
      const one = new Events(await secrets.watchObject(ns, { ...watchList, fieldSelector: 'metadata.name=c' }, controller.signal));
      const first = await one.take(has('BOOKMARK'));
      assert.deepEqual(
        first.map((e) => [e.type, e.name ?? '', e.annotations?.[initialEventsEnd] ?? '']),
        [
          ['ADDED', 'c', ''],
          ['BOOKMARK', '', 'true'],
        ],
      );
      const updated = await secretKind.replace(core, ns, 'c', 'C');
      // Periodic bookmarks may come first (kube-apiserver sends them when secrets change anywhere).
      const after = await one.take(has('MODIFIED'));
      assert.deepEqual(after.slice(0, -1).map((e) => e.type).filter((t) => t !== 'BOOKMARK'), [], 'only bookmarks before the change');
      const change = after.at(-1);
      assert.deepEqual(change, { resource: 'secrets', type: 'MODIFIED', name: 'c', resourceVersion: rvOf(updated), annotations: undefined });
    } finally {
      controller.abort();
      await client.close();
    }
  },
};

const defaults: Scenario = {
  name: 'client watchObject: sendInitialEvents=false starts from now; a watch from resourceVersion "" or "0" with bookmarks ends its initial events with a bookmark',
  async run(server) {
    const core = writer(server);
    const ns = await newNamespace(core, 'watch-defaults');
    await secretKind.create(core, ns, 'a', 'one');
    const client = recordingClient(server);
    const secrets = client.resource('secrets');
    const controller = new AbortController();
    try {
      // The watch is registered once its response headers arrive.
      const fromNow = new Events(await secrets.watchObject(ns, { ...watchList, sendInitialEvents: false }, controller.signal));
      const updated = await secretKind.replace(core, ns, 'a', 'two');
      const events = await fromNow.take(has('MODIFIED'));
      assert.deepEqual(
        events.map((e) => [e.type, e.resourceVersion]),
        [['MODIFIED', rvOf(updated)]],
        'no initial events',
      );

      // Without sendInitialEvents or resourceVersionMatch, kube-apiserver with
      // WatchList defaults such a watch to sendInitialEvents=true.
      for (const resourceVersion of ['', '0']) {
        const legacy = new Events(await secrets.watchObject(ns, { resourceVersion, allowWatchBookmarks: true }, controller.signal));
        const initial = await legacy.take(has('BOOKMARK'));
        assert.deepEqual(
          initial.map((e) => [e.type, e.name ?? '', e.annotations?.[initialEventsEnd] ?? '']),
          [
            ['ADDED', 'a', ''],
            ['BOOKMARK', '', 'true'],
          ],
          `resourceVersion "${resourceVersion}"`,
        );
      }
    } finally {
      controller.abort();
      await client.close();
    }
  },
};

export const watchListScenarios: Scenario[] = [initialEvents, defaults];
