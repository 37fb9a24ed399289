// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';

// kube-apiserver v1.37.2 answered this Pod with this spec (less what its
// admission plugins add: the service account, its token volume and mounts,
// tolerations, priority and preemptionPolicy).
const PODS = '/api/v1/namespaces/default/pods';
const digest = 'registry.k8s.io/pause@sha256:0000000000000000000000000000000000000000000000000000000000000000';
const sent = {
  metadata: { name: 'rich' },
  spec: {
    initContainers: [{ name: 'i', image: 'busybox:1.36', ports: [{ containerPort: 81 }] }],
    containers: [
      {
        name: 'c',
        image: digest,
        ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP', name: 'dns' }],
        env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
        livenessProbe: { httpGet: { path: '/', port: 80 } },
        readinessProbe: { exec: { command: ['true'] } },
        resources: { limits: { cpu: '1' } },
      },
      { name: 'd', image: 'nginx:latest' },
      { name: 'e', image: 'localhost:5000/app' },
    ],
    volumes: [
      { name: 's', secret: { secretName: 's' } },
      { name: 'm', configMap: { name: 'm' } },
      { name: 'e', emptyDir: {} },
      { name: 'h', hostPath: { path: '/tmp' } },
      { name: 'p', projected: { sources: [{ secret: { name: 's' } }] } },
      { name: 'd', downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } },
    ],
  },
};
const probe = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };
const message = { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' };
const expected = {
  volumes: [
    { name: 's', secret: { secretName: 's', defaultMode: 420 } },
    { name: 'm', configMap: { name: 'm', defaultMode: 420 } },
    { name: 'e', emptyDir: {} },
    { name: 'h', hostPath: { path: '/tmp', type: '' } },
    { name: 'p', projected: { sources: [{ secret: { name: 's' } }], defaultMode: 420 } },
    { name: 'd', downwardAPI: { items: [{ path: 'n', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }], defaultMode: 420 } },
  ],
  initContainers: [{ name: 'i', image: 'busybox:1.36', ports: [{ containerPort: 81, protocol: 'TCP' }], resources: {}, ...message, imagePullPolicy: 'IfNotPresent' }],
  containers: [
    {
      name: 'c',
      image: digest,
      ports: [{ containerPort: 80, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }],
      env: [{ name: 'A', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }, { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
      resources: { limits: { cpu: '1' }, requests: { cpu: '1' } },
      livenessProbe: { httpGet: { path: '/', port: 80, scheme: 'HTTP' }, ...probe },
      readinessProbe: { exec: { command: ['true'] }, ...probe },
      ...message,
      imagePullPolicy: 'IfNotPresent',
    },
    { name: 'd', image: 'nginx:latest', resources: {}, ...message, imagePullPolicy: 'Always' },
    { name: 'e', image: 'localhost:5000/app', resources: {}, ...message, imagePullPolicy: 'Always' },
  ],
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  dnsPolicy: 'ClusterFirst',
  securityContext: {},
  schedulerName: 'default-scheduler',
  enableServiceLinks: true,
};

describe('Pod defaults', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  it('sets the container, volume and spec defaults kube-apiserver sets', async () => {
    const r = await req(server, 'POST', `${PODS}?fieldManager=creator`, { body: sent });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json.spec, expected);
  });

  it('the creator owns the defaults, under the keys kube uses (a port keyed with its defaulted protocol)', async () => {
    const r = await req(server, 'GET', `${PODS}/rich`);
    const spec = r.json.metadata.managedFields[0].fieldsV1['f:spec'];
    const c = spec['f:containers']['k:{"name":"c"}'];
    assert.deepEqual(c['f:ports'], {
      '.': {},
      'k:{"containerPort":53,"protocol":"UDP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {}, 'f:protocol': {} },
      'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
    });
    for (const f of ['f:imagePullPolicy', 'f:terminationMessagePath', 'f:terminationMessagePolicy']) assert.deepEqual(c[f], {}, f);
    assert.deepEqual(c['f:resources'], { '.': {}, 'f:limits': { '.': {}, 'f:cpu': {} }, 'f:requests': { '.': {}, 'f:cpu': {} } });
    assert.deepEqual(spec['f:containers']['k:{"name":"d"}']['f:resources'], {});
    assert.deepEqual(spec['f:securityContext'], {});
    assert.deepEqual(spec['f:enableServiceLinks'], {});
    assert.deepEqual(spec['f:volumes']['k:{"name":"s"}']['f:secret'], { '.': {}, 'f:defaultMode': {}, 'f:secretName': {} });
  });

  it('a status condition without its times gets them as null, as Go writes an unset metav1.Time (and the writer owns them)', async () => {
    const made = await req(server, 'POST', PODS, { body: { metadata: { name: 'cond' }, spec: { containers: [{ name: 'c', image: 'i' }] } } });
    assert.equal(made.status, 201);
    const status = { ...made.json.status, conditions: [{ type: 'Ready', status: 'False' }] };
    const r = await req(server, 'PUT', `${PODS}/cond/status?fieldManager=kubelet`, { body: { ...made.json, status } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.status.conditions, [{ type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: null }]);
    type Fields = Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    const kubelet = (r.json.metadata.managedFields as { manager: string; fieldsV1: Fields }[]).find((m) => m.manager === 'kubelet');
    const ready = kubelet?.fieldsV1['f:status']?.['f:conditions']?.['k:{"type":"Ready"}'] ?? {};
    assert.deepEqual(Object.keys(ready).sort(), ['.', 'f:lastProbeTime', 'f:lastTransitionTime', 'f:status', 'f:type']);
  });

  it('defaults again on update, so an update that leaves a default out changes nothing', async () => {
    const current = await req(server, 'GET', `${PODS}/rich`);
    const spec = structuredClone(current.json.spec);
    delete spec.containers[2].imagePullPolicy;
    delete spec.containers[2].terminationMessagePath;
    delete spec.enableServiceLinks;
    const r = await req(server, 'PUT', `${PODS}/rich`, { body: { ...current.json, spec } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.spec, expected);
    assert.equal(r.json.metadata.resourceVersion, current.json.metadata.resourceVersion, 'no change, no new resourceVersion');
  });
});
