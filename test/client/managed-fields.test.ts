// ClientOptions.keepManagedFields: objects lose metadata.managedFields by
// default, from gets, list items and watch events alike, and keep them when
// asked. The embedded server records managedFields as kube-apiserver does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.ts';
import { createClient } from '../../src/client/index.ts';
import { dropManagedFields } from '../../src/client/managed-fields.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { req } from '../apiserver/helpers.ts';

const namespace = 'mf';

async function firstObject(events: AsyncIterable<{ object: KubernetesObject }>): Promise<KubernetesObject> {
  for await (const event of events) return event.object;
  throw new Error('the watch ended without an event');
}

async function readAll(keepManagedFields: boolean | undefined, server: ApiServer): Promise<KubernetesObject[]> {
  const client = createClient(server.kubeConfig(), { clock: new FakeClock(), ...(keepManagedFields === undefined ? {} : { keepManagedFields }) });
  const stop = new AbortController();
  try {
    const secrets = client.resource('secrets');
    const got = await secrets.getObject(namespace, 'db', {});
    const listed = (await secrets.listObject(namespace, {})).items[0];
    const watched = await firstObject(await secrets.watchObject(namespace, { resourceVersion: '0' }, stop.signal));
    assert.ok(listed !== undefined);
    return [got, listed, watched];
  } finally {
    stop.abort();
    await client.close();
  }
}

describe('managedFields', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
    assert.equal((await req(server, 'POST', '/api/v1/namespaces', { body: { metadata: { name: namespace } } })).status, 201);
    const created = await req(server, 'POST', `/api/v1/namespaces/${namespace}/secrets?fieldManager=writer`, { body: { metadata: { name: 'db', labels: { app: 'x' } }, stringData: { password: 'p' } } });
    assert.equal(created.status, 201);
    assert.ok(Array.isArray((created.json as KubernetesObject).metadata?.managedFields), 'the server records managedFields');
  });
  after(async () => {
    await server.close();
  });

  it('are dropped by default from gets, list items and watch events; the rest of metadata stays', async () => {
    for (const object of await readAll(undefined, server)) {
      assert.equal(object.metadata?.managedFields, undefined);
      assert.equal(Object.hasOwn(object.metadata ?? {}, 'managedFields'), false);
      assert.equal(object.metadata?.name, 'db');
      assert.deepEqual(object.metadata?.labels, { app: 'x' });
      assert.equal(typeof object.metadata?.resourceVersion, 'string');
    }
  });

  it('are kept with keepManagedFields: true', async () => {
    for (const object of await readAll(true, server)) {
      assert.equal(object.metadata?.managedFields?.[0]?.manager, 'writer');
    }
  });

  it('keepManagedFields must be a boolean', () => {
    assert.throws(() => createClient(server.kubeConfig(), { keepManagedFields: 'yes' as unknown as boolean }), /options\.keepManagedFields must be a boolean/);
  });

  it('dropManagedFields leaves anything without them alone', () => {
    const plain = { metadata: { name: 'a' } };
    const metadata = plain.metadata;
    dropManagedFields(plain);
    assert.equal(plain.metadata, metadata, 'no copy when there is nothing to drop');
    for (const odd of [null, 1, 'x', { metadata: null }, { metadata: 'm' }]) dropManagedFields(odd);
  });
});
