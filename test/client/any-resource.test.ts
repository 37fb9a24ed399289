// client.resource(ref) for any group, version and resource, namespaced or
// cluster-scoped: the paths it asks, the refs it refuses before any request,
// and the object-identity check for other groups and cluster-scoped objects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubernetesObject, V1Namespace } from '@kubernetes/client-node';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { createClient } from '../../src/client/index.ts';
import type { ResourceRef } from '../../src/client/index.ts';
import { resolveResourceRef, resourcePath } from '../../src/client/resource-ref.ts';
import type { WatchEvent, WatchObjectFunc } from '../../src/api/types.ts';
import { isNotFound } from '../../src/api/status-error.ts';
import { newObjectCache } from '../../src/manager/object-cache.ts';
import { checkIsObject, isObject } from '../../src/manager/object-names.ts';
import { UnexpectedObjectError } from '../../src/manager/errors.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { req } from '../apiserver/helpers.ts';
import { sendJson, startTestServer } from './helpers/test-server.ts';
import type { TestRequest, TestResponse, TestServer } from './helpers/test-server.ts';

const deployments: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments' };
const clusterRoles: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false };
const namespaces: ResourceRef = { version: 'v1', resource: 'namespaces', namespaced: false };

async function first(events: AsyncIterable<WatchEvent>): Promise<WatchEvent> {
  for await (const event of events) return event;
  throw new Error('the watch ended without an event');
}

describe('resource refs', () => {
  it('builds the paths of core, named-group and cluster-scoped resources', () => {
    const path = (ref: string | ResourceRef, namespace: string, name?: string): string => resourcePath(resolveResourceRef(ref), namespace, name);
    assert.equal(path('secrets', 'ns', 'db'), '/api/v1/namespaces/ns/secrets/db');
    assert.equal(path({ version: 'v1', resource: 'secrets' }, 'ns', 'db'), '/api/v1/namespaces/ns/secrets/db', 'group absent is core, namespaced by default');
    assert.equal(path({ group: '', version: 'v1', resource: 'secrets', namespaced: true }, '', undefined), '/api/v1/secrets');
    assert.equal(path(deployments, 'shop', 'web'), '/apis/apps/v1/namespaces/shop/deployments/web');
    assert.equal(path(deployments, 'shop'), '/apis/apps/v1/namespaces/shop/deployments');
    assert.equal(path(deployments, ''), '/apis/apps/v1/deployments', 'namespace "" lists across namespaces');
    assert.equal(path({ group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' }, 'ns', 'a b'), '/apis/networking.k8s.io/v1/namespaces/ns/ingresses/a%20b');
    assert.equal(path(clusterRoles, '', 'admin'), '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin');
    assert.equal(path(clusterRoles, ''), '/apis/rbac.authorization.k8s.io/v1/clusterroles');
    assert.equal(path(namespaces, '', 'kube-system'), '/api/v1/namespaces/kube-system');
    assert.equal(path({ group: 'example.com', version: 'v1beta1', resource: 'widgets' }, 'ns'), '/apis/example.com/v1beta1/namespaces/ns/widgets');
    assert.deepEqual(
      { ...resolveResourceRef(clusterRoles) },
      { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false, prefix: '/apis/rbac.authorization.k8s.io/v1', qualified: 'clusterroles.rbac.authorization.k8s.io' },
    );
  });

  it('refuses a namespace for a cluster-scoped resource, naming the resource', () => {
    const api = resolveResourceRef(clusterRoles);
    assert.throws(() => resourcePath(api, 'default', 'admin'), (err: unknown) => {
      assert.ok(err instanceof TypeError);
      assert.equal(err.message, 'clusterroles.rbac.authorization.k8s.io is cluster-scoped: namespace must be "", got "default"');
      return true;
    });
    assert.throws(() => resourcePath(api, 'default'), /clusterroles\.rbac\.authorization\.k8s\.io is cluster-scoped/);
    assert.throws(() => resourcePath(resolveResourceRef(namespaces), 'x'), /namespaces is cluster-scoped/);
    assert.throws(() => resourcePath(resolveResourceRef(deployments), '', 'web'), /namespace must be a non-empty name/, 'a namespaced get needs a namespace');
  });

  it('refuses any group, version or resource that could leave its path, naming the field', () => {
    const bad: [unknown, RegExp][] = [
      [{ group: 'apps/v1', version: 'v1', resource: 'deployments' }, /group must be a DNS subdomain/],
      [{ group: '..', version: 'v1', resource: 'deployments' }, /group must be/],
      [{ group: 'a..b', version: 'v1', resource: 'deployments' }, /group must be/],
      [{ group: '.apps', version: 'v1', resource: 'deployments' }, /group must be/],
      [{ group: 'apps%2fv1', version: 'v1', resource: 'deployments' }, /group must be/],
      [{ group: 'Apps', version: 'v1', resource: 'deployments' }, /group must be/],
      [{ group: 'a?b', version: 'v1', resource: 'deployments' }, /group must be/],
      [{ group: `${'a'.repeat(63)}.`.repeat(4) + 'a'.repeat(10), version: 'v1', resource: 'x' }, /group must be/],
      [{ group: 'a'.repeat(64), version: 'v1', resource: 'x' }, /group must be/],
      [{ group: 7, version: 'v1', resource: 'x' }, /group must be .*, got 7/],
      [{ group: 'apps', version: 'v1/namespaces', resource: 'x' }, /version must be an API version/],
      [{ group: 'apps', version: '..', resource: 'x' }, /version must be/],
      [{ group: 'apps', version: '%76', resource: 'x' }, /version must be/],
      [{ group: 'apps', version: 'V1', resource: 'x' }, /version must be/],
      [{ group: 'apps', version: '1', resource: 'x' }, /version must be/],
      [{ group: 'apps', version: '', resource: 'x' }, /version must be/],
      [{ group: 'apps', resource: 'x' }, /version must be .*, got undefined/],
      [{ group: 'apps', version: 'v1', resource: 'a/b' }, /resource must be a lowercase plural resource name/],
      [{ group: 'apps', version: 'v1', resource: '..' }, /resource must be/],
      [{ group: 'apps', version: 'v1', resource: 'a%2fb' }, /resource must be/],
      [{ group: 'apps', version: 'v1', resource: 'a.b' }, /resource must be/],
      [{ group: 'apps', version: 'v1', resource: 'Deployments' }, /resource must be/],
      [{ group: 'apps', version: 'v1', resource: 'x'.repeat(64) }, /resource must be/],
      [{ group: 'apps', version: 'v1', resource: 'x', namespaced: 'no' }, /namespaced must be a boolean, got "no"/],
      ['secrets/x', /resource must be/],
      ['', /resource must be/],
      [null, /client\.resource: the resource must be a plural name or a ResourceRef, got null/],
    ];
    for (const [ref, message] of bad) {
      assert.throws(() => resolveResourceRef(ref as ResourceRef), (err: unknown) => err instanceof TypeError && message.test(err.message), JSON.stringify(ref));
    }
  });
});

describe('the object-identity check for other groups and cluster-scoped objects', () => {
  it('takes a cluster-scoped object for namespace "" and refuses another group', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'admin' } };
    assert.equal(isObject(role, '', 'admin', 'rbac.authorization.k8s.io'), true);
    assert.equal(isObject(role, 'default', 'admin'), false);
    assert.equal(isObject(role, '', 'admin', 'apps'), false, 'a ClusterRole is not an object of apps');
    assert.equal(isObject({ metadata: { name: 'web', namespace: 'shop' } }, 'shop', 'web', 'apps'), true, 'list items of built-in kinds carry no apiVersion');
    assert.equal(isObject({ apiVersion: 'apps/v1', metadata: { name: 'web', namespace: 'shop' } }, 'shop', 'web', 'apps'), true);
    assert.equal(isObject({ apiVersion: 'v1', metadata: { name: 'web', namespace: 'shop' } }, 'shop', 'web', 'apps'), false);
    assert.equal(isObject({ apiVersion: 'v1', metadata: { name: 'web', namespace: 'shop' } }, 'shop', 'web', ''), true);
    assert.throws(
      () => checkIsObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web', namespace: 'shop' } }, 'shop', 'web', 'get deployments.apps', 'apps'),
      (err: unknown) => err instanceof UnexpectedObjectError && err.message === 'get deployments.apps "shop"/"web": the server answered with the object "shop"/"web" of apiVersion "v1"; it is ignored',
    );
  });

  it('a watching cache of apps/v1 ignores an object of the core group with the same name', async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    const wrong = { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'shop', name: 'web', resourceVersion: '5' } };
    const quiet: WatchObjectFunc = (_namespace, _options, signal) => ({
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<WatchEvent>>((resolve) => signal.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true })),
      }),
    });
    const cache = newObjectCache({
      listObject: () => Promise.resolve({ apiVersion: 'apps/v1', kind: 'DeploymentList', metadata: { resourceVersion: '5' }, items: [wrong] }),
      watchObject: quiet,
      isImmutable: () => false,
      groupResource: { group: 'apps', resource: 'deployments' },
      maxIdleTimeMs: 60_000,
      clock,
      signal: stop.signal,
    });
    try {
      cache.addReference('shop', 'web');
      await assert.rejects(cache.get('shop', 'web'), (err: unknown) => isNotFound(err) && (err as Error).message === 'deployments.apps "web" not found');
      assert.equal(cache.entries?.()[0]?.ignoredObjects, 1);
    } finally {
      stop.abort();
    }
  });
});

describe('any resource against the embedded API server (core group)', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(async () => {
    await server.close();
  });

  it('a core ResourceRef reads what the plural string reads', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    try {
      const byName = await client.resource('namespaces').listObject('', {});
      const byRef = client.resource({ version: 'v1', resource: 'configmaps' });
      assert.deepEqual(byRef.groupResource, { group: '', resource: 'configmaps' });
      const list = await byRef.listObject('', {});
      assert.ok(Array.isArray(list.items));
      assert.ok(byName.items.length > 0);
    } finally {
      await client.close();
    }
  });

  it('gets, lists and watches a cluster-scoped resource (namespaces) with namespace ""', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    const stop = new AbortController();
    try {
      const ns = client.resource<V1Namespace>(namespaces);
      const system = await ns.getObject('', 'kube-system', {});
      assert.equal(system.metadata?.name, 'kube-system');
      assert.equal(isObject(system, '', 'kube-system', ''), true, 'the identity check takes it');
      const list = await ns.listObject('', { fieldSelector: 'metadata.name=default' });
      assert.deepEqual(list.items.map((o) => o.metadata?.name), ['default']);
      const event = await first(await ns.watchObject('', { fieldSelector: 'metadata.name=default', resourceVersion: '0' }, stop.signal));
      assert.equal(event.type, 'ADDED');
      assert.equal(event.object.metadata?.name, 'default');
      await assert.rejects(ns.getObject('', 'missing', {}), (err: unknown) => isNotFound(err) && (err as Error).message === 'namespaces "missing" not found');
      const before = server.metrics().requests['get namespaces'] ?? 0;
      await assert.rejects(ns.getObject('default', 'kube-system', {}), (err: unknown) => err instanceof TypeError && err.message === 'namespaces is cluster-scoped: namespace must be "", got "default"');
      await assert.rejects(ns.listObject('default', {}), TypeError);
      assert.equal(server.metrics().requests['get namespaces'] ?? 0, before, 'nothing was sent');
    } finally {
      stop.abort();
      await client.close();
    }
  });
});

/** A raw API server for two named-group resources: a Deployment `shop/web` and a ClusterRole `admin`. */
function namedGroups(req: TestRequest, res: TestResponse): void {
  const url = new URL(req.url ?? '/', 'https://x');
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'shop', name: 'web', resourceVersion: '7' } };
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'admin', resourceVersion: '8' } };
  const collections: Record<string, [string, KubernetesObject]> = {
    '/apis/apps/v1/namespaces/shop/deployments': ['DeploymentList', deployment],
    '/apis/apps/v1/deployments': ['DeploymentList', deployment],
    '/apis/rbac.authorization.k8s.io/v1/clusterroles': ['ClusterRoleList', role],
  };
  const items: Record<string, KubernetesObject> = {
    '/apis/apps/v1/namespaces/shop/deployments/web': deployment,
    '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin': role,
  };
  const collection = collections[url.pathname];
  if (collection !== undefined && url.searchParams.get('watch') === '1') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`${JSON.stringify({ type: 'ADDED', object: collection[1] })}\n`);
    return;
  }
  if (collection !== undefined) return sendJson(res, 200, { kind: collection[0], apiVersion: collection[1].apiVersion, metadata: { resourceVersion: '9' }, items: [collection[1]] });
  const item = items[url.pathname];
  if (item !== undefined) return sendJson(res, 200, item);
  const gr = url.pathname.includes('/deployments/') ? 'deployments.apps' : 'clusterroles.rbac.authorization.k8s.io';
  const name = url.pathname.split('/').at(-1) ?? '';
  sendJson(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${gr} "${name}" not found` });
}

describe('any resource against a raw HTTP/2 server (named groups)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ handler: namedGroups });
  });
  after(async () => {
    await server.close();
  });

  it('gets, lists and watches apps/v1 Deployments under /apis/apps/v1', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock(), watchList: false });
    const stop = new AbortController();
    try {
      const deploy = client.resource(deployments);
      assert.deepEqual(deploy.groupResource, { group: 'apps', resource: 'deployments' });
      server.requests.length = 0;
      const web = await deploy.getObject('shop', 'web', {});
      assert.equal(web.kind, 'Deployment');
      const list = await deploy.listObject('shop', { labelSelector: 'app=web' });
      assert.deepEqual(list.items.map((o) => o.metadata?.name), ['web']);
      const all = await deploy.listObject('', {});
      assert.equal(all.items.length, 1);
      const event = await first(await deploy.watchObject('shop', { fieldSelector: 'metadata.name=web' }, stop.signal));
      assert.equal(event.object.kind, 'Deployment');
      await assert.rejects(deploy.getObject('shop', 'gone', {}), (err: unknown) => isNotFound(err) && (err as Error).message === 'deployments.apps "gone" not found');
      assert.deepEqual(server.requests.map((r) => r.path), [
        '/apis/apps/v1/namespaces/shop/deployments/web',
        '/apis/apps/v1/namespaces/shop/deployments?labelSelector=app%3Dweb',
        '/apis/apps/v1/deployments',
        '/apis/apps/v1/namespaces/shop/deployments?watch=1&fieldSelector=metadata.name%3Dweb',
        '/apis/apps/v1/namespaces/shop/deployments/gone',
      ]);
    } finally {
      stop.abort();
      await client.close();
    }
  });

  it('gets, lists and watches a cluster-scoped resource of a named group', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock(), watchList: false });
    const stop = new AbortController();
    try {
      const roles = client.resource(clusterRoles);
      assert.deepEqual(roles.groupResource, { group: 'rbac.authorization.k8s.io', resource: 'clusterroles' });
      server.requests.length = 0;
      const admin = await roles.getObject('', 'admin', {});
      assert.equal(isObject(admin, '', 'admin', 'rbac.authorization.k8s.io'), true);
      const list = await roles.listObject('', {});
      assert.deepEqual(list.items.map((o) => o.metadata?.name), ['admin']);
      const event = await first(await roles.watchObject('', { resourceVersion: '9' }, stop.signal));
      assert.equal(event.object.metadata?.name, 'admin');
      await assert.rejects(roles.getObject('kube-system', 'admin', {}), /clusterroles\.rbac\.authorization\.k8s\.io is cluster-scoped/);
      await assert.rejects(Promise.resolve(roles.watchObject('kube-system', {}, stop.signal)), /clusterroles\.rbac\.authorization\.k8s\.io is cluster-scoped/);
      assert.deepEqual(server.requests.map((r) => r.path), [
        '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin',
        '/apis/rbac.authorization.k8s.io/v1/clusterroles',
        '/apis/rbac.authorization.k8s.io/v1/clusterroles?watch=1&resourceVersion=9',
      ]);
    } finally {
      stop.abort();
      await client.close();
    }
  });

  it('throws a TypeError for a bad ref before any request', async () => {
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    try {
      server.requests.length = 0;
      assert.throws(() => client.resource({ group: 'apps/../../api', version: 'v1', resource: 'secrets' }), /group must be a DNS subdomain/);
      assert.throws(() => client.resource({ group: 'apps', version: 'v1', resource: '../secrets' }), /resource must be/);
      assert.equal(server.requests.length, 0);
    } finally {
      await client.close();
    }
  });
});

describe('any resource against the embedded API server (registered apps/v1 and cluster-scoped resources)', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer({
      resources: [
        { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
        { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
      ],
    });
  });
  after(async () => {
    await server.close();
  });

  async function post(path: string, body: unknown): Promise<void> {
    const reply = await req(server, 'POST', path, { body });
    assert.equal(reply.status, 201, reply.text);
  }

  it('reads a Deployment through client.resource and a watching cache of it', async () => {
    await post('/api/v1/namespaces', { metadata: { name: 'shop' } });
    await post('/apis/apps/v1/namespaces/shop/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } });
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    const stop = new AbortController();
    try {
      const deploy = client.resource(deployments);
      assert.equal((await deploy.getObject('shop', 'web', {})).kind, 'Deployment');
      assert.deepEqual((await deploy.listObject('', {})).items.map((o) => o.metadata?.name), ['web']);
      const cache = newObjectCache({
        listObject: deploy.listObject,
        watchObject: deploy.watchObject,
        isImmutable: () => false,
        groupResource: deploy.groupResource,
        maxIdleTimeMs: 60_000,
        clock: new FakeClock(),
        signal: stop.signal,
      });
      cache.addReference('shop', 'web');
      const cached = (await cache.get('shop', 'web')) as KubernetesObject & { spec?: { replicas?: number } };
      assert.equal(cached.spec?.replicas, 2, 'the identity check takes an apps/v1 object for apps');
    } finally {
      stop.abort();
      await client.close();
    }
  });

  it('gets, lists and watches a cluster-scoped ClusterRole with namespace ""', async () => {
    await post('/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] });
    const client = createClient(server.kubeConfig(), { clock: new FakeClock() });
    const stop = new AbortController();
    try {
      const roles = client.resource(clusterRoles);
      const reader = await roles.getObject('', 'reader', {});
      assert.ok(isObject(reader, '', 'reader', 'rbac.authorization.k8s.io'));
      assert.deepEqual((await roles.listObject('', { fieldSelector: 'metadata.name=reader' })).items.map((o) => o.metadata?.name), ['reader']);
      const event = await first(await roles.watchObject('', { fieldSelector: 'metadata.name=reader', resourceVersion: '0' }, stop.signal));
      assert.deepEqual([event.type, event.object.kind, event.object.metadata?.name], ['ADDED', 'ClusterRole', 'reader']);
      await assert.rejects(roles.getObject('', 'missing', {}), (err: unknown) => isNotFound(err) && (err as Error).message === 'clusterroles.rbac.authorization.k8s.io "missing" not found');
    } finally {
      stop.abort();
      await client.close();
    }
  });
});
