// The other kinds the embedded server serves, as kubectl writes them:
// Secrets, ServiceAccounts and Pods (create, get, list as a Table, replace,
// patch, delete).
import type { Group } from '../case.ts';

const ns = '/api/v1/namespaces/{ns}';
const ua = { 'user-agent': 'kubectl/v1.37.2 (linux/amd64) kubernetes/$Format' };
const table = { ...ua, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' };

export const kinds: Group = {
  topic: 'kinds',
  name: 'kinds',
  steps: [
    {
      name: 'secret-create-generic',
      method: 'POST',
      path: `${ns}/secrets?fieldManager=kubectl-create&fieldValidation=Strict`,
      headers: ua,
      body: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's1', namespace: '{ns}' }, data: { k: 'dg==' } },
    },
    { name: 'secret-create-tls-missing-keys', method: 'POST', path: `${ns}/secrets`, body: { metadata: { name: 's2' }, type: 'kubernetes.io/tls', data: {} } },
    { name: 'secret-create-string-data-merge', method: 'POST', path: `${ns}/secrets`, body: { metadata: { name: 's3' }, data: { a: 'YQ==' }, stringData: { a: 'b', c: 'd' } } },
    { name: 'secret-get-table', method: 'GET', path: `${ns}/secrets?limit=500`, headers: table },
    {
      name: 'secret-replace',
      method: 'PUT',
      path: `${ns}/secrets/s1?fieldManager=kubectl-replace&fieldValidation=Strict`,
      headers: ua,
      body: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's1', namespace: '{ns}' }, data: { k: 'dzI=' }, type: 'Opaque' },
    },
    {
      name: 'secret-patch-json',
      method: 'PATCH',
      path: `${ns}/secrets/s1?fieldManager=kubectl-patch`,
      headers: { ...ua, 'content-type': 'application/json-patch+json' },
      body: [{ op: 'add', path: '/data/x', value: 'eA==' }],
    },
    { name: 'serviceaccount-create', method: 'POST', path: `${ns}/serviceaccounts?fieldManager=kubectl-create`, headers: ua, body: { metadata: { name: 'sa1' } } },
    // kube's ServiceAccount admission needs the namespace's "default" ServiceAccount (no controller here makes it).
    { name: 'serviceaccount-default', method: 'POST', path: `${ns}/serviceaccounts`, body: { metadata: { name: 'default' } }, setup: true },
    { name: 'serviceaccount-get-table', method: 'GET', path: `${ns}/serviceaccounts`, headers: table },
    {
      name: 'pod-create',
      method: 'POST',
      path: `${ns}/pods?fieldManager=kubectl-run`,
      headers: ua,
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', labels: { run: 'p1' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
    { name: 'pod-no-containers', method: 'POST', path: `${ns}/pods`, body: { metadata: { name: 'p2' }, spec: { containers: [] } } },
    { name: 'pod-get', method: 'GET', path: `${ns}/pods/p1` },
    { name: 'pod-get-table', method: 'GET', path: `${ns}/pods`, headers: table },
    { name: 'pod-field-selector-node', method: 'GET', path: `${ns}/pods?fieldSelector=spec.nodeName%3D` },
    { name: 'pod-label-patch', method: 'PATCH', path: `${ns}/pods/p1?fieldManager=kubectl-label`, headers: { ...ua, 'content-type': 'application/merge-patch+json' }, body: { metadata: { labels: { x: 'y' } } } },
    { name: 'pod-spec-image-patch', method: 'PATCH', path: `${ns}/pods/p1`, headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } } },
    { name: 'pod-spec-forbidden-patch', method: 'PATCH', path: `${ns}/pods/p1`, headers: { 'content-type': 'application/merge-patch+json' }, body: { spec: { restartPolicy: 'Never' } } },
    { name: 'pod-delete', method: 'DELETE', path: `${ns}/pods/p1`, headers: { ...ua, 'content-type': 'application/json' }, body: { propagationPolicy: 'Background' } },
    { name: 'pod-get-after-delete', method: 'GET', path: `${ns}/pods/p1` },
  ],
};
