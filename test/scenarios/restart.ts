// The API server restarts under a watching manager.
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ReflectorError } from '../../src/index.ts';
import { FakeClock } from '../../src/testing.ts';
import { eventually } from '../helpers/eventually.ts';
import { newManager, newNamespace, podReferencing, recordingClient, rvNumber, rvOf, secretKind, writer } from './fixtures.ts';
import type { Scenario } from './scenario.ts';

/** Retries a write that met the restart (a connection the old server closed). */
async function write<T>(what: () => Promise<T>): Promise<T> {
  return eventually(what, { timeoutMs: 15_000 });
}

const restart: Scenario = {
  name: 'watching secrets: an API server restart mid-watch loses no update (before, in the watch gap, after)',
  needs: ['restart'],
  exclusive: true,
  timeoutMs: 90_000,
  async run(server) {
    const core = writer(server);
    const ns = await newNamespace(core, 'restart');
    await secretKind.create(core, ns, 'db', 'v1');
    const client = recordingClient(server);
    const clock = new FakeClock();
    const controller = new AbortController();
    const errors: ReflectorError[] = [];
    const manager = newManager(secretKind, 'watching', client, { clock, signal: controller.signal, onError: (e) => errors.push(e) });
    /** Every resourceVersion a read returned, in order. */
    const served: string[] = [];
    const read = async (): Promise<KubernetesObject> => {
      const object = await manager.get(ns, 'db');
      served.push(rvOf(object));
      return object;
    };
    // The reflector's backoff runs on the fake clock: move it while real I/O happens.
    const until = (value: string, rv: string): Promise<void> =>
      eventually(
        async () => {
          const object = await read();
          assert.equal(secretKind.value(object), value);
          assert.equal(rvOf(object), rv);
        },
        { timeoutMs: 30_000, onRetry: () => clock.step(100) },
      );
    try {
      manager.registerPod(podReferencing(secretKind, ns, 'web', ['db']));
      assert.equal(secretKind.value(await read()), 'v1');
      const v2 = await secretKind.replace(core, ns, 'db', 'v2');
      await until('v2', rvOf(v2));

      await server.restart();
      // The watch broke with the restart; this change is made before it is re-established.
      const v3 = await write(() => secretKind.replace(core, ns, 'db', 'v3'));
      await until('v3', rvOf(v3));
      const v4 = await write(() => secretKind.replace(core, ns, 'db', 'v4'));
      await until('v4', rvOf(v4));

      for (let i = 1; i < served.length; i++) {
        assert.ok(rvNumber(served[i]) >= rvNumber(served[i - 1]), `resourceVersions served in order: ${served.join(' ')}`);
      }
      assert.equal(client.count('get'), 0);
      console.log(`# ${server.name} restart: ${client.count('list')} lists, ${client.count('watch')} watches; recovered from: ${errors.map((e) => e.message).join(' | ') || 'nothing'}`);
    } finally {
      controller.abort();
      await client.close();
    }
  },
};

export const restartScenarios: Scenario[] = [restart];
