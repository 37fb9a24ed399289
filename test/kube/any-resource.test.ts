// client.resource(ref) against the real kube-apiserver: get, list and watch
// of a Deployment (apps/v1), an Ingress (networking.k8s.io/v1), cluster-scoped
// resources (a ClusterRole, a Namespace) and a custom resource of a CRD.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { createClient, isNotFound, type KubeClient, type ResourceRef } from '../../src/index.ts';
import { isObject } from '../../src/manager/object-names.ts';
import type { WatchEvent } from '../../src/api/types.ts';
import { hasControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { startControlPlane, type ControlPlane } from '../../src/testing/control-plane.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = hasControlPlaneBinaries() ? false : 'no etcd and kube-apiserver: run `npm run kube:build` (needs Go) or set KUBEBUILDER_ASSETS';
if (skip !== false) console.log(`# test/kube/any-resource.test.ts skipped: ${skip}`);

const ns = 'any-resource';
const widgets: ResourceRef = { group: 'example.kom.dev', version: 'v1', resource: 'widgets' };

async function firstEvent(events: AsyncIterable<WatchEvent>): Promise<WatchEvent> {
  for await (const event of events) if (event.type !== 'BOOKMARK') return event;
  throw new Error('the watch ended without an event');
}

/** Get, list (by name) and watch (from RV 0) of one object through client.resource(ref); answers the object got. */
async function readThrough(client: KubeClient, ref: ResourceRef, namespace: string, name: string): Promise<KubernetesObject> {
  const resource = client.resource(ref);
  const group = ref.group ?? '';
  const got = await resource.getObject(namespace, name, {});
  assert.ok(isObject(got, namespace, name, group), `get answered ${JSON.stringify(got.metadata)}`);
  const list = await resource.listObject(namespace, { fieldSelector: `metadata.name=${name}` });
  assert.deepEqual(list.items.map((o) => o.metadata?.name), [name]);
  assert.ok(list.items.every((o) => isObject(o, namespace, name, group)));
  const stop = new AbortController();
  try {
    const event = await firstEvent(await resource.watchObject(namespace, { fieldSelector: `metadata.name=${name}`, resourceVersion: '0' }, stop.signal));
    assert.equal(event.type, 'ADDED');
    assert.ok(isObject(event.object, namespace, name, group));
  } finally {
    stop.abort();
  }
  await assert.rejects(resource.getObject(namespace, 'missing', {}), (err: unknown) => isNotFound(err));
  return got;
}

describe('client.resource(ref) against kube-apiserver v1.37.2', { skip }, () => {
  let plane: ControlPlane;
  let client: KubeClient;
  before(async () => {
    plane = await startControlPlane();
    const kc = plane.kubeConfig();
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
        },
      },
    });
    await kc.makeApiClient(NetworkingV1Api).createNamespacedIngress({
      namespace: ns,
      body: {
        metadata: { name: 'shop' },
        spec: { tls: [{ hosts: ['shop.example'], secretName: 'shop-tls' }], defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
      },
    });
    await kc.makeApiClient(RbacAuthorizationV1Api).createClusterRole({
      body: { metadata: { name: 'any-resource-reader' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] },
    });
    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    await extensions.createCustomResourceDefinition({
      body: {
        metadata: { name: 'widgets.example.kom.dev' },
        spec: {
          group: 'example.kom.dev',
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
        },
      },
    });
    await eventually(
      async () => {
        const crd = await extensions.readCustomResourceDefinition({ name: 'widgets.example.kom.dev' });
        assert.ok(crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), 'the CRD is Established');
      },
      { timeoutMs: 30_000 },
    );
    // Established is set before the new group is routed everywhere: create until it is.
    await eventually(
      () =>
        kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
          group: 'example.kom.dev',
          version: 'v1',
          namespace: ns,
          plural: 'widgets',
          body: { apiVersion: 'example.kom.dev/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } },
        }),
      { timeoutMs: 30_000 },
    );
    client = createClient(kc);
  });
  after(async () => {
    await client?.close();
    await plane?.stop();
  });

  it('reads a Deployment under /apis/apps/v1', async () => {
    const web = await readThrough(client, { group: 'apps', version: 'v1', resource: 'deployments' }, ns, 'web');
    assert.equal(web.kind, 'Deployment');
    assert.equal(web.apiVersion, 'apps/v1');
    const all = await client.resource({ group: 'apps', version: 'v1', resource: 'deployments' }).listObject('', { labelSelector: 'app=web' });
    assert.deepEqual(all.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`), [`${ns}/web`], 'namespace "" lists across namespaces');
  });

  it('reads an Ingress under /apis/networking.k8s.io/v1', async () => {
    const shop = await readThrough(client, { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' }, ns, 'shop');
    assert.equal(shop.kind, 'Ingress');
    assert.deepEqual((shop as { spec?: { tls?: unknown } }).spec?.tls, [{ hosts: ['shop.example'], secretName: 'shop-tls' }]);
  });

  it('reads cluster-scoped resources with namespace "": a ClusterRole and a Namespace', async () => {
    const roles: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false };
    const role = await readThrough(client, roles, '', 'any-resource-reader');
    assert.equal(role.kind, 'ClusterRole');
    assert.equal(role.metadata?.namespace, undefined);
    const namespace = await readThrough(client, { version: 'v1', resource: 'namespaces', namespaced: false }, '', ns);
    assert.equal(namespace.kind, 'Namespace');
    await assert.rejects(client.resource(roles).getObject('default', 'any-resource-reader', {}), (err: unknown) => err instanceof TypeError && /cluster-scoped/.test(err.message));
  });

  it('reads a custom resource of a CRD', async () => {
    const w1 = await readThrough(client, widgets, ns, 'w1');
    assert.equal(w1.kind, 'Widget');
    assert.equal(w1.apiVersion, 'example.kom.dev/v1');
    assert.deepEqual((w1 as { spec?: unknown }).spec, { size: 3 });
    await assert.rejects(client.resource(widgets).getObject(ns, 'missing', {}), (err: unknown) => isNotFound(err) && (err as Error).message === 'widgets.example.kom.dev "missing" not found');
  });
});
