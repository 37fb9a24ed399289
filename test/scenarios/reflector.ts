// The Reflector (list + watch of one object) against a server that ends
// watches, sends bookmarks and forgets history. Real clock: the server's
// watch timeouts are real seconds.
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { findStatusError } from '../../src/index.ts';
import { Reflector, type ReflectorError, type ReflectorStore } from '../../src/reflector/reflector.ts';
import { eventually } from '../helpers/eventually.ts';
import type { RecordingClient, SeenEvent } from '../helpers/recording-client.ts';
import { newNamespace, recordingClient, rvNumber, rvOf, secretKind, writer } from './fixtures.ts';
import type { Scenario } from './scenario.ts';

/** What a reflector wrote, by name. */
class ObjectsStore implements ReflectorStore {
  readonly objects = new Map<string, KubernetesObject>();
  replace(objects: KubernetesObject[]): void {
    this.objects.clear();
    for (const o of objects) this.objects.set(o.metadata?.name ?? '', o);
  }
  add(object: KubernetesObject): void {
    this.objects.set(object.metadata?.name ?? '', object);
  }
  update(object: KubernetesObject): void {
    this.add(object);
  }
  delete(object: KubernetesObject): void {
    this.objects.delete(object.metadata?.name ?? '');
  }
  value(name: string): string | undefined {
    const object = this.objects.get(name);
    return object === undefined ? undefined : secretKind.value(object);
  }
}

/** The requests and events of a client, in order, for failure messages. */
function history(client: RecordingClient): string {
  const requests = client.requests.map((r) => `${r.verb}@${r.options.resourceVersion ?? ''}`);
  const events = client.events.map((e) => `${e.type}@${e.resourceVersion ?? ''}`);
  return `requests ${requests.join(' ')}; events ${events.join(' ')}`;
}

interface Running {
  store: ObjectsStore;
  reflector: Reflector;
  errors: ReflectorError[];
  stop(): Promise<void>;
}

/** A reflector of the secret `name` alone (field selector), as the watching managers run one. */
function reflect(client: RecordingClient, namespace: string, name: string, minWatchTimeoutMs: number): Running {
  const secrets = client.resource('secrets');
  const fieldSelector = `metadata.name=${name}`;
  const store = new ObjectsStore();
  const errors: ReflectorError[] = [];
  const reflector = new Reflector({
    name: `secrets "${namespace}"/"${name}"`,
    list: (options, signal) => secrets.listObject(namespace, { ...options, fieldSelector }, signal),
    watch: (options, signal) => secrets.watchObject(namespace, { ...options, fieldSelector }, signal),
    store,
    minWatchTimeoutMs,
    onError: (error) => errors.push(error),
  });
  const controller = new AbortController();
  const done = reflector.run(controller.signal);
  return {
    store,
    reflector,
    errors,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

const bookmarks: Scenario = {
  name: 'reflector: bookmarks arrive, and the next watch resumes from the bookmark without a relist',
  async run(server) {
    const core = writer(server);
    const ns = await newNamespace(core, 'bookmarks');
    await secretKind.create(core, ns, 'db', 'one');
    await secretKind.create(core, ns, 'noise', 'a');
    const client = recordingClient(server);
    // The server ends each watch after 3 to 5 s: kube-apiserver sends a bookmark
    // 2 s before that (only when the resource's version moved past the watch's
    // start), the embedded server at the end.
    const running = reflect(client, ns, 'db', 3_000);
    try {
      await eventually(() => assert.equal(running.store.value('db'), 'one'));
      await eventually(() => assert.equal(client.count('watch'), 1));
      const noise = await secretKind.replace(core, ns, 'noise', 'b');

      // A watch may get more than one bookmark; the next watch starts from the last.
      const resumed = await eventually(
        () => {
          const bookmarks = client.events.filter((e) => e.type === 'BOOKMARK');
          const watch = client.requests.find((r) => r.verb === 'watch' && bookmarks.some((b) => b.resourceVersion === r.options.resourceVersion));
          assert.ok(watch, `a watch from a bookmark's resourceVersion: ${history(client)}`);
          return watch;
        },
        { timeoutMs: 20_000 },
      );
      assert.ok(rvNumber(resumed.options.resourceVersion) >= rvNumber(rvOf(noise)), 'the bookmark carried the version past the unwatched change');
      for (const bookmark of client.events.filter((e) => e.type === 'BOOKMARK')) {
        assert.equal(bookmark.annotations?.['k8s.io/initial-events-end'], undefined, 'plain bookmarks, not the end of initial events');
      }

      const updated = await secretKind.replace(core, ns, 'db', 'two');
      await eventually(() => assert.equal(running.store.value('db'), 'two'));
      assert.equal(rvOf(running.store.objects.get('db') ?? {}), rvOf(updated));
      assert.equal(client.count('list'), 1, 'never relisted');
      assert.deepEqual(running.errors.map((e) => e.message), []);
    } finally {
      await running.stop();
      await client.close();
    }
  },
};

const serverTimeout: Scenario = {
  name: 'reflector: a watch the server times out (timeoutSeconds=1) is re-established from where it was',
  async run(server) {
    const core = writer(server);
    const ns = await newNamespace(core, 'timeout');
    await secretKind.create(core, ns, 'db', 'one');
    const client = recordingClient(server);
    const running = reflect(client, ns, 'db', 1_000);
    try {
      await eventually(() => assert.equal(running.store.value('db'), 'one'));
      await eventually(() => assert.ok(client.count('watch') >= 3, 'the server ended two watches'), { timeoutMs: 15_000 });
      for (const watch of client.requests.filter((r) => r.verb === 'watch')) assert.equal(watch.options.timeoutSeconds, 1);
      const watches = client.count('watch');
      const updated = await secretKind.replace(core, ns, 'db', 'two');
      await eventually(() => assert.equal(running.store.value('db'), 'two'));
      assert.equal(rvOf(running.store.objects.get('db') ?? {}), rvOf(updated));
      await eventually(() => assert.ok(client.count('watch') > watches + 1, 'and watches on after the change'), { timeoutMs: 15_000 });
      assert.ok(client.stats().streams <= 1, 'one watch at a time');
    } finally {
      await running.stop();
      await client.close();
    }
  },
};

const gone: Scenario = {
  name: 'reflector: a watch from a compacted resourceVersion gets 410 Gone and relists',
  needs: ['compaction'],
  exclusive: true,
  async run(server) {
    const core = writer(server);
    const ns = await newNamespace(core, 'gone');
    await secretKind.create(core, ns, 'db', 'one');
    await secretKind.create(core, ns, 'other', 'a');
    const client = recordingClient(server);
    const running = reflect(client, ns, 'db', 1_000);
    try {
      await eventually(() => assert.equal(running.store.value('db'), 'one'));
      // The next watch waits (the current one ends within 1 s) while the object
      // changes and the history with that change is compacted away.
      const release = client.holdWatches();
      await eventually(() => assert.equal(client.waitingWatches, 1), { timeoutMs: 10_000 });
      const updated = await secretKind.replace(core, ns, 'db', 'two');
      await secretKind.replace(core, ns, 'other', 'b');
      await server.compact();
      release();

      await eventually(() => assert.equal(running.store.value('db'), 'two'), { timeoutMs: 15_000 });
      assert.equal(rvOf(running.store.objects.get('db') ?? {}), rvOf(updated));
      assert.equal(client.count('list'), 2, 'one relist');
      const expired = running.errors.map((e) => findStatusError(e)).find((s) => s?.statusCode === 410);
      assert.ok(expired, `a 410 among the errors: ${running.errors.map((e) => e.message).join('; ')}`);
      assert.equal(expired.reason, 'Expired');
      const error = client.events.find((e: SeenEvent) => e.type === 'ERROR');
      assert.ok(error, 'the 410 came as an ERROR event of the watch');
    } finally {
      await running.stop();
      await client.close();
    }
  },
};

export const reflectorScenarios: Scenario[] = [bookmarks, serverTimeout, gone];
