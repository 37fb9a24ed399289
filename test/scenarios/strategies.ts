// The three strategies of the typed managers, for Secrets and ConfigMaps.
import assert from 'node:assert/strict';
import { isNotFound, NotRegisteredError } from '../../src/index.ts';
import { defaultCacheTTLMs } from '../../src/kubelet/managers.ts';
import { FakeClock } from '../../src/testing.ts';
import { eventually } from '../helpers/eventually.ts';
import { kinds, newManager, newNamespace, podReferencing, recordingClient, rvOf, strategies, writer, type Kind, type Strategy } from './fixtures.ts';
import type { Scenario } from './scenario.ts';

/** GETs each strategy sends for the reads below: one per read, one per TTL period, none. */
const expectedGets: Record<Strategy, number> = { simple: 6, caching: 4, watching: 0 };

function strategyScenario(kind: Kind, strategy: Strategy): Scenario {
  const ending = strategy === 'watching' ? 'unregister stops the watch' : strategy === 'caching' ? 'unregister forgets it' : 'unregister changes nothing';
  return {
    name: `${strategy} ${kind.resource}: register, read, update seen, delete seen as NotFound, ${ending}`,
    async run(server) {
      const core = writer(server);
      const ns = await newNamespace(core, `${strategy}-${kind.resource}`);
      await kind.create(core, ns, 'obj', 'one');
      const client = recordingClient(server);
      const clock = new FakeClock();
      const controller = new AbortController();
      const manager = newManager(kind, strategy, client, { clock, signal: controller.signal });
      const pod = podReferencing(kind, ns, 'web', ['obj']);
      /** A change reaches a read at once (simple), after the TTL (caching) or with a watch event (watching). */
      const seen = async (check: () => Promise<void>): Promise<void> => {
        if (strategy === 'caching') clock.step(defaultCacheTTLMs);
        if (strategy === 'watching') await eventually(check);
        else await check();
      };
      const read = async (): Promise<string | undefined> => kind.value(await manager.get(ns, 'obj'));
      try {
        manager.registerPod(pod);
        assert.equal(await read(), 'one');
        assert.equal(await read(), 'one');
        if (strategy === 'watching') await eventually(() => assert.equal(client.stats().streams, 1, 'one watch stream'));

        const updated = await kind.replace(core, ns, 'obj', 'two');
        await seen(async () => {
          const object = await manager.get(ns, 'obj');
          assert.equal(kind.value(object), 'two');
          assert.equal(rvOf(object), rvOf(updated));
        });

        await kind.delete(core, ns, 'obj');
        await seen(() => assert.rejects(manager.get(ns, 'obj'), (err) => isNotFound(err)));

        await kind.create(core, ns, 'obj', 'three');
        await seen(async () => assert.equal(await read(), 'three'));

        manager.unregisterPod(pod);
        if (strategy === 'simple') assert.equal(await read(), 'three', 'a GET does not depend on registration');
        else await assert.rejects(manager.get(ns, 'obj'), NotRegisteredError);
        if (strategy === 'watching') await eventually(() => assert.equal(client.stats().streams, 0, 'the last reference closed the watch'));

        assert.equal(client.count('get'), expectedGets[strategy], `GETs sent by the ${strategy} strategy`);
        if (strategy === 'watching') assert.ok(client.count('list') >= 1 && client.count('watch') >= 1);
        else assert.equal(client.count('list') + client.count('watch'), 0, 'no list or watch');
      } finally {
        controller.abort();
        await client.close();
      }
    },
  };
}

export const strategyScenarios: Scenario[] = kinds.flatMap((kind) => strategies.map((strategy) => strategyScenario(kind, strategy)));
