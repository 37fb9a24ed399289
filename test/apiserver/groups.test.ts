// Named API groups: discovery (/apis, /apis/{group}, /apis/{group}/{version})
// and routing under /apis/{group}/{version}/..., as kube-apiserver v1.37.2
// answers them; aggregated discovery is not served, and kubectl falls back.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { groupVersion, lookupResource, qualifiedResource } from '../../src/apiserver/resources.ts';
import { apiTarget } from '../../src/apiserver/routing.ts';
import { req } from './helpers.ts';

const authz = { groupVersion: 'authorization.k8s.io/v1', version: 'v1' };
const authn = { groupVersion: 'authentication.k8s.io/v1', version: 'v1' };
const events = { groupVersion: 'events.k8s.io/v1', version: 'v1' };

describe('apiserver: API groups', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  it('lists the served groups at /apis, each at /apis/{group}, as kube does', async () => {
    const list = await req(server, 'GET', '/apis');
    assert.deepEqual(list.json, {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: [
        { name: 'events.k8s.io', versions: [events], preferredVersion: events },
        { name: 'authentication.k8s.io', versions: [authn], preferredVersion: authn },
        { name: 'authorization.k8s.io', versions: [authz], preferredVersion: authz },
      ],
    });
    const group = await req(server, 'GET', '/apis/authorization.k8s.io');
    assert.deepEqual(group.json, { kind: 'APIGroup', apiVersion: 'v1', name: 'authorization.k8s.io', versions: [authz], preferredVersion: authz });
  });

  it('lists a group version\'s resources (with apiVersion, unlike /api/v1) and their verbs', async () => {
    const r = await req(server, 'GET', '/apis/authorization.k8s.io/v1');
    assert.deepEqual(r.json, {
      kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'authorization.k8s.io/v1',
      resources: [
        { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] },
        { name: 'selfsubjectrulesreviews', singularName: 'selfsubjectrulesreview', namespaced: false, kind: 'SelfSubjectRulesReview', verbs: ['create'] },
      ],
    });
    const core = await req(server, 'GET', '/api/v1');
    assert.equal(core.json.apiVersion, undefined);
    assert.equal(core.json.groupVersion, 'v1');
    const services = core.json.resources.find((x: { name: string }) => x.name === 'services');
    assert.deepEqual(services, { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['svc'], categories: ['all'] });
    assert.ok(core.json.resources.some((x: { name: string }) => x.name === 'services/status'));
  });

  it('answers an aggregated discovery request with legacy JSON, which clients take as "not aggregated" and fall back from', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    for (const path of ['/api', '/apis']) {
      const r = await req(server, 'GET', path, { headers: { accept } });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.notEqual(r.json.kind, 'APIGroupDiscoveryList');
    }
    // An Accept of the aggregated form alone: 406 here (aggregated discovery is not served; kube-apiserver serves it).
    assert.equal((await req(server, 'GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } })).status, 406);
  });

  it('keeps kube\'s 404s: an unknown version of a served group, a namespaced path to a cluster-scoped resource; not-served for other groups', async () => {
    for (const path of ['/apis/authorization.k8s.io/v2', '/apis/authorization.k8s.io/v1beta1/selfsubjectaccessreviews', '/apis/authorization.k8s.io/v1/namespaces/default/selfsubjectaccessreviews']) {
      const r = await req(server, 'GET', path);
      assert.equal(r.status, 404, path);
      assert.equal(r.json.message, 'the server could not find the requested resource', path);
    }
    const apps = await req(server, 'GET', '/apis/apps');
    assert.equal(apps.status, 404);
    assert.match(apps.json.message, /does not serve apps: it serves \/api\/v1 and the groups listed at \/apis only/);
    const unknown = await req(server, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body: {} });
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.message, /does not serve the resource "subjectaccessreviews" in authorization\.k8s\.io\/v1$/);
  });

  it('routes /api/v1 and /apis/{group}/{version} paths to one table of resources, each entry naming its group', () => {
    assert.deepEqual(apiTarget('/api/v1/namespaces/default/pods'), { group: '', version: 'v1', segments: ['namespaces', 'default', 'pods'] });
    assert.deepEqual(apiTarget('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'), { group: 'authorization.k8s.io', version: 'v1', segments: ['selfsubjectaccessreviews'] });
    assert.equal(apiTarget('/apis/apps/v1/deployments'), undefined);
    assert.equal(apiTarget('/apis/authorization.k8s.io/v1'), undefined, 'discovery, not a resource');
    const ssar = lookupResource('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews');
    assert.ok(ssar !== undefined);
    assert.equal(groupVersion(ssar), 'authorization.k8s.io/v1');
    assert.equal(qualifiedResource(ssar), 'selfsubjectaccessreviews.authorization.k8s.io');
    const secrets = lookupResource('', 'v1', 'secrets');
    assert.ok(secrets !== undefined);
    assert.deepEqual([groupVersion(secrets), qualifiedResource(secrets)], ['v1', 'secrets']);
    assert.equal(lookupResource('authorization.k8s.io', 'v1', 'secrets'), undefined);
  });

  it('lists events.k8s.io/v1 events, the view of core/v1 events kubectl can also ask for', async () => {
    const r = await req(server, 'GET', '/apis/events.k8s.io/v1');
    assert.deepEqual(r.json.resources, [{ name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ev'] }]);
    const list = await req(server, 'GET', '/apis/events.k8s.io/v1/events');
    assert.deepEqual([list.status, list.json.kind, list.json.apiVersion], [200, 'EventList', 'events.k8s.io/v1']);
  });

  it('reports the Kubernetes version whose API it follows', async () => {
    const v = await req(server, 'GET', '/version');
    assert.deepEqual([v.json.major, v.json.minor, v.json.emulationMajor, v.json.emulationMinor], ['1', '37', '1', '37']);
    assert.match(v.json.gitVersion, /^v1\.37\.2\+kom$/);
  });
});
