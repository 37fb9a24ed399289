// Many watches over HTTP/2, and WatchList.
import assert from 'node:assert/strict';
import type { ReflectorError } from '../../src/index.ts';
import { eventually } from '../helpers/eventually.ts';
import type { SeenEvent } from '../helpers/recording-client.ts';
import { newManager, newNamespace, podReferencing, recordingClient, rvNumber, rvOf, secretKind, within, writer } from './fixtures.ts';
import type { Scenario } from './scenario.ts';

const watched = 250;

const manyStreams: Scenario = {
  name: `watching secrets: ${watched} watches share 3 HTTP/2 connections (100 streams each, the server's limit)`,
  timeoutMs: 120_000,
  async run(server) {
    const core = writer(server);
    const ns = await newNamespace(core, 'streams');
    const names = Array.from({ length: watched }, (_, i) => `s-${i}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((name) => secretKind.create(core, ns, name, name)));
    }
    const client = recordingClient(server);
    const controller = new AbortController();
    const errors: ReflectorError[] = [];
    // The real clock: a list that fails is retried after the reflector's backoff
    // (see the report of issue 11: Node 24.20+ can break HTTP/2 bodies).
    const manager = newManager(secretKind, 'watching', client, { signal: controller.signal, syncTimeoutMs: 30_000, onError: (e) => errors.push(e) });
    const pod = podReferencing(secretKind, ns, 'web', names);
    try {
      manager.registerPod(pod);
      const objects = await within(60_000, `${watched} gets`, Promise.all(names.map((name) => manager.get(ns, name))));
      if (errors.length > 0) console.log(`# ${server.name}, ${watched} watches: recovered from ${errors.length} errors, the first: ${errors[0]?.message ?? ''}`);
      assert.deepEqual(
        objects.map((o) => secretKind.value(o)),
        names,
      );
      await eventually(() => {
        const stats = client.stats();
        assert.equal(stats.streams, watched, 'one watch stream per secret');
        assert.equal(stats.http2Connections, 3, 'ceil(250 / 100) connections');
        assert.equal(stats.http1Sockets, 0);
      });
      manager.unregisterPod(pod);
      await eventually(() => assert.equal(client.stats().streams, 0));
    } finally {
      controller.abort();
      await client.close();
    }
  },
};

const initialEventsEnd = 'k8s.io/initial-events-end';

const watchList: Scenario = {
  name: 'client watchObject: WatchList (sendInitialEvents) sends ADDED for each object, then a bookmark marking the end',
  async run(server) {
    const core = writer(server);
    const ns = await newNamespace(core, 'watch-list');
    const created = [];
    for (const name of ['a', 'b', 'c']) created.push(await secretKind.create(core, ns, name, name));
    const client = recordingClient(server);
    const secrets = client.resource('secrets');
    const controller = new AbortController();
    const watchListOptions = { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true, resourceVersion: '' };
    const events: SeenEvent[] = [];
    const collect = async (namespace: string, options: typeof watchListOptions & { fieldSelector?: string }, until: (e: SeenEvent[]) => boolean): Promise<void> => {
      const stream = await secrets.watchObject(namespace, options, controller.signal);
      for await (const event of stream) {
        const meta = event.object.metadata;
        events.push({ resource: 'secrets', type: event.type, name: meta?.name, resourceVersion: meta?.resourceVersion, annotations: meta?.annotations });
        if (until(events)) return;
      }
    };
    // Everything in the namespace, then a change on the same stream.
    const whole = collect(ns, watchListOptions, (e) => e.some((x) => x.type === 'MODIFIED'));
    try {
      await eventually(() => assert.ok(events.some((e) => e.type === 'BOOKMARK')));
      const initial = events.filter((e) => e.type !== 'BOOKMARK');
      assert.deepEqual(initial.map((e) => e.type), ['ADDED', 'ADDED', 'ADDED']);
      assert.deepEqual(initial.map((e) => e.name).sort(), ['a', 'b', 'c']);
      assert.equal(events.length, 4, 'the bookmark comes after the initial events');
      const bookmark = events[3];
      assert.equal(bookmark?.type, 'BOOKMARK');
      assert.equal(bookmark.annotations?.[initialEventsEnd], 'true');
      for (const object of created) assert.ok(rvNumber(bookmark.resourceVersion) >= rvNumber(rvOf(object)), 'the bookmark is at least as new as every object');
      const updated = await secretKind.replace(core, ns, 'b', 'B');
      await within(10_000, 'the change after the initial events', whole);
      assert.deepEqual(events.at(-1), { resource: 'secrets', type: 'MODIFIED', name: 'b', resourceVersion: rvOf(updated), annotations: undefined });

      // One object by name, as a per-object watch asks.
      events.length = 0;
      await within(10_000, 'a WatchList of one object', collect(ns, { ...watchListOptions, fieldSelector: 'metadata.name=c' }, (e) => e.some((x) => x.type === 'BOOKMARK')));
      assert.deepEqual(
        events.map((e) => [e.type, e.name ?? '', e.annotations?.[initialEventsEnd] ?? '']),
        [
          ['ADDED', 'c', ''],
          ['BOOKMARK', '', 'true'],
        ],
      );
    } finally {
      controller.abort();
      await whole.catch(() => undefined);
      await client.close();
    }
  },
};

export const streamScenarios: Scenario[] = [manyStreams, watchList];
