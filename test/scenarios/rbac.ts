// A node-like identity: get, list and watch of named secrets only.
import assert from 'node:assert/strict';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { isForbidden, SyncTimeoutError } from '../../src/index.ts';
import { FakeClock } from '../../src/testing.ts';
import { eventually } from '../helpers/eventually.ts';
import { newManager, newNamespace, podReferencing, recordingClient, secretKind, writer } from './fixtures.ts';
import type { Scenario } from './scenario.ts';

const rbac: Scenario = {
  name: 'RBAC: get, list and watch on named secrets (resourceNames) is enough for the watching manager; another secret is Forbidden without breaking the others',
  needs: ['rbac'],
  async run(server) {
    const user = server.restrictedUser;
    assert.ok(user !== undefined, 'the server names a user without permissions');
    const core = writer(server);
    const ns = await newNamespace(core, 'rbac');
    for (const name of ['db', 'tls', 'other']) await secretKind.create(core, ns, name, name);
    const rbacApi = server.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbacApi.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'pod-secrets' },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'], resourceNames: ['db', 'tls'] }],
      },
    });
    await rbacApi.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'pod-secrets' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-secrets' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      },
    });

    const client = recordingClient(server, user);
    const clock = new FakeClock();
    const controller = new AbortController();
    const manager = newManager(secretKind, 'watching', client, { clock, signal: controller.signal });
    try {
      // RBAC bindings take effect asynchronously (the authorizer's informers).
      await eventually(async () => assert.equal((await client.resource('secrets').getObject(ns, 'db', {})).metadata?.name, 'db'));
      await assert.rejects(client.resource('secrets').listObject(ns, {}), (err) => isForbidden(err), 'listing every secret is forbidden');

      manager.registerPod(podReferencing(secretKind, ns, 'web', ['db', 'tls', 'other']));
      assert.equal(secretKind.value(await manager.get(ns, 'db')), 'db');
      assert.equal(secretKind.value(await manager.get(ns, 'tls')), 'tls');
      await eventually(() => assert.equal(client.stats().streams, 2, 'db and tls watched'));

      // The secret outside the Role: its list is refused; a get waits for the sync
      // (1 s of the fake clock) and names the refusal as its cause.
      await eventually(() => assert.match(manager.entries().find((e) => e.name === 'other')?.lastError ?? '', /forbidden/i));
      const denied = manager.get(ns, 'other');
      clock.step(1_000);
      await assert.rejects(denied, (err) => err instanceof SyncTimeoutError && isForbidden(err));

      await secretKind.replace(core, ns, 'db', 'db-2');
      await eventually(async () => assert.equal(secretKind.value(await manager.get(ns, 'db')), 'db-2'));
      assert.equal(secretKind.value(await manager.get(ns, 'tls')), 'tls');

      const simple = newManager(secretKind, 'simple', client);
      await assert.rejects(simple.get(ns, 'other'), (err) => isForbidden(err));
    } finally {
      controller.abort();
      await client.close();
    }
  },
};

export const rbacScenarios: Scenario[] = [rbac];
