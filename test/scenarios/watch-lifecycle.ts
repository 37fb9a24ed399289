// When the watching managers stop and restart their per-object watches.
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/testing.ts';
import { eventually } from '../helpers/eventually.ts';
import { kinds, newManager, newNamespace, podReferencing, recordingClient, secretKind, writer } from './fixtures.ts';
import type { Scenario } from './scenario.ts';

const immutable: Scenario = {
  name: 'watching secrets and configmaps: an immutable object stops its watch and is served from memory',
  async run(server) {
    const core = writer(server);
    const ns = await newNamespace(core, 'immutable');
    for (const kind of kinds) {
      await kind.create(core, ns, 'frozen', 'ice', { immutable: true });
      await kind.create(core, ns, 'live', 'water');
    }
    const client = recordingClient(server);
    const controller = new AbortController();
    const options = { clock: new FakeClock(), signal: controller.signal };
    const managers = kinds.map((kind) => ({ kind, manager: newManager(kind, 'watching', client, options) }));
    try {
      for (const { kind, manager } of managers) {
        manager.registerPod(podReferencing(kind, ns, 'web', ['frozen', 'live']));
        assert.equal(kind.value(await manager.get(ns, 'frozen')), 'ice');
        assert.equal(kind.value(await manager.get(ns, 'live')), 'water');
        assert.equal(manager.entries().find((e) => e.name === 'frozen')?.state, 'immutable');
      }
      await eventually(() => assert.equal(client.stats().streams, 2, 'only the two mutable objects are watched'));

      // Nothing watches the immutable objects any more: their deletion is not seen,
      // while changes to the mutable ones still are.
      for (const { kind } of managers) {
        await kind.delete(core, ns, 'frozen');
        await kind.replace(core, ns, 'live', 'steam');
      }
      for (const { kind, manager } of managers) {
        await eventually(async () => assert.equal(kind.value(await manager.get(ns, 'live')), 'steam'));
        assert.equal(kind.value(await manager.get(ns, 'frozen')), 'ice');
      }
      assert.equal(client.count('get'), 0);
    } finally {
      controller.abort();
      await client.close();
    }
  },
};

const idle: Scenario = {
  name: 'watching secrets: an idle watch stops, and the next get restarts it with a fresh list',
  async run(server) {
    const core = writer(server);
    const ns = await newNamespace(core, 'idle');
    await secretKind.create(core, ns, 'db', 'one');
    const client = recordingClient(server);
    const clock = new FakeClock();
    const controller = new AbortController();
    // maxIdleTime = 5 x 60 s; idleness is checked every minute of the fake clock.
    const manager = newManager(secretKind, 'watching', client, { clock, signal: controller.signal });
    try {
      manager.registerPod(podReferencing(secretKind, ns, 'web', ['db']));
      assert.equal(secretKind.value(await manager.get(ns, 'db')), 'one');
      await eventually(() => assert.equal(client.stats().streams, 1));

      for (let minute = 0; minute < 6; minute++) clock.step(60_000);
      await eventually(() => assert.equal(client.stats().streams, 0, 'the idle watch was closed'));
      assert.equal(manager.entries()[0]?.state, 'idle');

      await secretKind.replace(core, ns, 'db', 'two');
      const lists = client.count('list');
      assert.equal(secretKind.value(await manager.get(ns, 'db')), 'two', 'the get after idleness waits for a fresh list');
      assert.equal(client.count('list'), lists + 1);
      await eventually(() => assert.equal(client.stats().streams, 1, 'watching again'));
      assert.equal(manager.entries()[0]?.state, 'synced');
    } finally {
      controller.abort();
      await client.close();
    }
  },
};

export const watchLifecycleScenarios: Scenario[] = [immutable, idle];
