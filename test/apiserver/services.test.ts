// core/v1 Services: the `kubernetes` Service every cluster has, kube's
// defaults, ClusterIP and NodePort allocation and the validation of the common
// cases, as kube-apiserver v1.37.2 answers them.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';

const S = '/api/v1/namespaces/default/services';
const svc = (name: string, spec: Record<string, unknown>) => ({ metadata: { name }, spec });

describe('apiserver: services', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  it('has the kubernetes Service in default: ClusterIP 10.0.0.1, port 443 https to the port it listens on', async () => {
    const r = await req(server, 'GET', `${S}/kubernetes`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
    assert.deepEqual(r.json.spec, {
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: Number(new URL(server.url).port) }],
      clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], type: 'ClusterIP', sessionAffinity: 'None',
      ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster',
    });
    assert.deepEqual(r.json.status, { loadBalancer: {} });
    // What `kubectl cluster-info` lists (kube-system services labelled as cluster services): none, as in kube.
    const info = await req(server, 'GET', '/api/v1/namespaces/kube-system/services?labelSelector=kubernetes.io%2Fcluster-service%3Dtrue');
    assert.deepEqual(info.json.items, []);
  });

  it('fills kube\'s defaults and allocates a free ClusterIP of 10.0.0.0/24 to each service', async () => {
    const ips = new Set<string>(['10.0.0.1']);
    for (const name of ['a1', 'a2', 'a3']) {
      const r = await req(server, 'POST', S, { body: svc(name, { ports: [{ port: 80 }], selector: { app: name } }) });
      assert.equal(r.status, 201, r.text);
      const { clusterIP, ...rest } = r.json.spec;
      assert.match(clusterIP, /^10\.0\.0\.(\d+)$/);
      assert.ok(!ips.has(clusterIP), `${clusterIP} handed out twice`);
      ips.add(clusterIP);
      assert.deepEqual(rest, {
        ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }], selector: { app: name }, clusterIPs: [clusterIP], type: 'ClusterIP',
        sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster',
      });
    }
    const headless = await req(server, 'POST', S, { body: svc('headless', { clusterIP: 'None', ports: [{ port: 80, targetPort: 'http' }] }) });
    assert.equal(headless.status, 201);
    assert.deepEqual([headless.json.spec.clusterIP, headless.json.spec.clusterIPs, headless.json.spec.ports[0].targetPort], ['None', ['None'], 'http']);
    // A free address asked for by name (the ones above were random: pick one they did not take).
    const free = Array.from({ length: 200 }, (_, i) => `10.0.0.${i + 50}`).find((ip) => !ips.has(ip)) ?? '';
    const named = await req(server, 'POST', S, { body: svc('named', { clusterIP: free, ports: [{ port: 80 }] }) });
    assert.equal(named.status, 201);
    assert.equal(named.json.spec.clusterIP, free);
  });

  it('refuses a ClusterIP that is taken or outside the range, with kube\'s messages', async () => {
    const taken = await req(server, 'POST', S, { body: svc('taken', { clusterIP: '10.0.0.1', ports: [{ port: 80 }] }) });
    assert.equal(taken.status, 422);
    assert.equal(taken.json.message, 'Service "taken" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.1"]: failed to allocate IP 10.0.0.1: provided IP is already allocated');
    const outside = await req(server, 'POST', S, { body: svc('outside', { clusterIP: '192.168.0.1', ports: [{ port: 80 }] }) });
    assert.equal(outside.status, 422);
    assert.equal(outside.json.message, 'Service "outside" is invalid: spec.clusterIPs: Invalid value: ["192.168.0.1"]: failed to allocate IP 192.168.0.1: the provided network does not match the current range');
  });

  it('allocates node ports for NodePort and LoadBalancer services', async () => {
    const np = await req(server, 'POST', S, { body: svc('np', { type: 'NodePort', ports: [{ port: 80 }] }) });
    assert.equal(np.status, 201);
    const nodePort = np.json.spec.ports[0].nodePort;
    assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
    assert.equal(np.json.spec.externalTrafficPolicy, 'Cluster');
    const lb = await req(server, 'POST', S, { body: svc('lb', { type: 'LoadBalancer', ports: [{ port: 80, nodePort: 30001 }] }) });
    assert.equal(lb.status, 201);
    assert.equal(lb.json.spec.ports[0].nodePort, 30001);
    assert.equal(lb.json.spec.allocateLoadBalancerNodePorts, true);
    const clash = await req(server, 'POST', S, { body: svc('clash', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] }) });
    assert.equal(clash.status, 422);
    assert.match(clash.json.message, /spec\.ports\[0\]\.nodePort: Invalid value: 30001: provided port is already allocated/);
    const ext = await req(server, 'POST', S, { body: svc('ext', { type: 'ExternalName', externalName: 'example.com' }) });
    assert.equal(ext.status, 201);
    assert.deepEqual(ext.json.spec, { type: 'ExternalName', sessionAffinity: 'None', externalName: 'example.com' });
  });

  it('validates type, ports and externalName as kube does', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'spec.ports: Required value'],
      [{ ports: [{ port: 80 }, { port: 81 }] }, '[spec.ports[0].name: Required value, spec.ports[1].name: Required value]'],
      [{ ports: [{ port: 0, name: 'a' }, { port: 70000, name: 'a', protocol: 'XYZ' }] },
        '[spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[1].name: Duplicate value: "a", spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.ports[1].protocol: Unsupported value: "XYZ": supported values: "SCTP", "TCP", "UDP", spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive]'],
      [{ type: 'Foo', ports: [{ port: 80 }] }, 'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
      [{ type: 'ExternalName' }, 'spec.externalName: Required value'],
    ];
    for (const [spec, message] of cases) {
      const r = await req(server, 'POST', S, { body: svc('bad', spec) });
      assert.equal(r.status, 422, JSON.stringify(spec));
      assert.equal(r.json.message, `Service "bad" is invalid: ${message}`);
    }
  });

  it('keeps the ClusterIP on updates that leave it out and refuses changing it', async () => {
    const created = (await req(server, 'POST', S, { body: svc('keep', { ports: [{ port: 80 }] }) })).json;
    const ip = created.spec.clusterIP;
    const put = await req(server, 'PUT', `${S}/keep`, { body: svc('keep', { ports: [{ port: 8080 }] }) });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.json.spec.clusterIP, ip);
    assert.equal(put.json.spec.ports[0].port, 8080);
    const nulled = await req(server, 'PATCH', `${S}/keep`, { body: { spec: { clusterIP: null, clusterIPs: null } }, contentType: 'application/merge-patch+json' });
    assert.equal(nulled.status, 200);
    assert.equal(nulled.json.spec.clusterIP, ip);
    const other = ip === '10.0.0.71' ? '10.0.0.72' : '10.0.0.71';
    const changed = await req(server, 'PATCH', `${S}/keep`, { body: { spec: { clusterIP: other } }, contentType: 'application/merge-patch+json' });
    assert.equal(changed.status, 422);
    assert.equal(changed.json.message, `Service "keep" is invalid: spec.clusterIPs[0]: Invalid value: ["${other}"]: may not change once set`);
  });

  it('drops the fields of the old type when the type changes, as kube does, freeing node ports and IPs', async () => {
    const np = await req(server, 'POST', S, { body: svc('switch', { type: 'NodePort', ports: [{ port: 80, nodePort: 30100 }] }) });
    assert.equal(np.status, 201);
    const merge = { contentType: 'application/merge-patch+json' };
    const cluster = await req(server, 'PATCH', `${S}/switch`, { body: { spec: { type: 'ClusterIP' } }, ...merge });
    assert.equal(cluster.status, 200, cluster.text);
    assert.deepEqual(cluster.json.spec.ports, [{ protocol: 'TCP', port: 80, targetPort: 80 }]);
    assert.equal(cluster.json.spec.externalTrafficPolicy, undefined);
    assert.equal(cluster.json.spec.clusterIP, np.json.spec.clusterIP, 'the ClusterIP stays');
    const reuse = await req(server, 'POST', S, { body: svc('reuse', { type: 'NodePort', ports: [{ port: 80, nodePort: 30100 }] }) });
    assert.equal(reuse.status, 201, 'node port 30100 was released');
    const external = await req(server, 'PATCH', `${S}/switch`, { body: { spec: { type: 'ExternalName', externalName: 'x.example.com' } }, ...merge });
    assert.equal(external.status, 200, external.text);
    assert.deepEqual(external.json.spec, { ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }], type: 'ExternalName', sessionAffinity: 'None', externalName: 'x.example.com' });
    const back = await req(server, 'PATCH', `${S}/switch`, { body: { spec: { type: 'ClusterIP' } }, ...merge });
    assert.equal(back.status, 200, back.text);
    assert.match(back.json.spec.clusterIP, /^10\.0\.0\.\d+$/, 'a new ClusterIP is allocated');
    assert.deepEqual(back.json.spec.clusterIPs, [back.json.spec.clusterIP]);
  });

  it('creates a service on a PUT of a missing one (201), as kube allows for services', async () => {
    const r = await req(server, 'PUT', `${S}/put-new`, { body: svc('put-new', { ports: [{ port: 80 }] }) });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.spec.clusterIP, /^10\.0\.0\.\d+$/);
    const again = await req(server, 'PUT', `${S}/put-new`, { body: svc('put-new', { ports: [{ port: 81 }] }) });
    assert.equal(again.status, 200);
    const mismatch = await req(server, 'PUT', `${S}/put-other`, { body: svc('put-new', { ports: [{ port: 80 }] }) });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.json.message, 'the name of the object (put-new) does not match the name on the URL (put-other)');
    const unnamed = await req(server, 'PUT', `${S}/put-x`, { body: { spec: { ports: [{ port: 80 }] } } });
    assert.equal(unnamed.status, 400);
    assert.equal(unnamed.json.message, 'the name of the object (put-x based on URL) was undeterminable: name must be provided');
    assert.equal((await req(server, 'PUT', '/api/v1/namespaces/default/configmaps/put-new', { body: { metadata: { name: 'put-new' } } })).status, 404, 'not for configmaps');
  });

  it('selects by spec.type and spec.clusterIP, prints kube\'s columns, and answers a delete with the object', async () => {
    const byType = await req(server, 'GET', '/api/v1/services?fieldSelector=spec.type%3DClusterIP,spec.clusterIP%3D10.0.0.1');
    assert.deepEqual(byType.json.items.map((s: { metadata: { name: string } }) => s.metadata.name), ['kubernetes']);
    const bad = await req(server, 'GET', '/api/v1/services?fieldSelector=x%3Dy');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.message, 'field label not supported: x');
    const table = await req(server, 'GET', `${S}?fieldSelector=metadata.name%3Dlb`, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    assert.deepEqual(table.json.columnDefinitions.map((c: { name: string }) => c.name), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    const [name, type, clusterIP, external, ports] = table.json.rows[0].cells;
    assert.deepEqual([name, type, external, ports], ['lb', 'LoadBalancer', '<pending>', '80:30001/TCP']);
    assert.match(clusterIP, /^10\.0\.0\.\d+$/);
    const del = await req(server, 'DELETE', `${S}/lb`);
    assert.equal(del.status, 200);
    assert.equal(del.json.kind, 'Service');
    // Its node port is free again.
    const again = await req(server, 'POST', S, { body: svc('lb2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] }) });
    assert.equal(again.status, 201, again.text);
  });
});
