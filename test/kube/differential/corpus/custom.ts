// Custom resources: kube-apiserver serving CRDs whose schema is an object
// that preserves unknown fields (created by differential.test.ts, see
// customResourceDefinitions) against the embedded server serving the same
// names as extra resources (ApiServerOptions.resources): discovery, writes
// and their checks, reads, selectors, patches, watches and deletes.
import type { ExtraResource } from '../../../../src/apiserver/index.ts';
import type { Group } from '../case.ts';

export const customGroup = 'kom.example.com';
/** The cluster-scoped resource has a group of its own: kube's order of a group-version's custom resources is not stable. */
export const clusterGroup = 'cluster.kom.example.com';

/** What both servers serve: the CRDs on kube-apiserver, the extra resources here. */
export const customResources: ExtraResource[] = [
  { group: customGroup, version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true, shortNames: ['wd'] },
  { group: clusterGroup, version: 'v1', kind: 'Gadget', plural: 'gadgets', namespaced: false },
];

/** The CRDs of customResources, as kube-apiserver takes them. */
export function customResourceDefinitions(): unknown[] {
  return customResources.map((r) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${r.plural}.${r.group}` },
    spec: {
      group: r.group,
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      names: { plural: r.plural, kind: r.kind, ...(r.shortNames === undefined ? {} : { shortNames: r.shortNames }) },
      versions: [{ name: r.version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  }));
}

const W = `/apis/${customGroup}/v1/namespaces/{ns}/widgets`;
const G = `/apis/${clusterGroup}/v1/gadgets`;
const apiVersion = `${customGroup}/v1`;
const ua = { 'user-agent': 'kubectl/v1.37.2 (linux/amd64) kubernetes/$Format' };
const table = { ...ua, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' };
const merge = { 'content-type': 'application/merge-patch+json' };

const widget = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion,
  kind: 'Widget',
  metadata: { name, labels: { app: 'shop' } },
  spec: { size: 3, list: [1, 2], nested: { a: 'b' } },
  ...extra,
});

export const custom: Group = {
  topic: 'custom resources',
  name: 'custom',
  steps: [
    { name: 'discovery-group', method: 'GET', path: `/apis/${customGroup}` },
    { name: 'discovery-version', method: 'GET', path: `/apis/${customGroup}/v1` },
    { name: 'create', method: 'POST', path: `${W}?fieldManager=kubectl-create&fieldValidation=Strict`, headers: ua, body: widget('w1', { status: { ok: true }, extra: 1 }), save: { rv_w1: 'metadata.resourceVersion' } },
    { name: 'create-again', method: 'POST', path: W, body: widget('w1') },
    { name: 'create-wrong-kind', method: 'POST', path: W, body: { apiVersion, kind: 'Gadget', metadata: { name: 'x' } } },
    { name: 'create-no-kind', method: 'POST', path: W, body: { metadata: { name: 'x' } } },
    { name: 'create-no-api-version', method: 'POST', path: W, body: { kind: 'Widget', metadata: { name: 'x' } } },
    { name: 'create-other-version', method: 'POST', path: W, body: { apiVersion: `${customGroup}/v2`, kind: 'Widget', metadata: { name: 'x' } } },
    { name: 'create-unknown-metadata-strict', method: 'POST', path: `${W}?fieldValidation=Strict`, body: widget('x', { metadata: { name: 'x', foo: 1 } }) },
    { name: 'create-unknown-metadata-warn', method: 'POST', path: W, body: widget('w2', { metadata: { name: 'w2', foo: 1 }, anything: { at: ['all'] } }) },
    { name: 'create-duplicate-strict', method: 'POST', path: `${W}?fieldValidation=Strict`, body: '{"apiVersion":"kom.example.com/v1","kind":"Widget","metadata":{"name":"x"},"spec":{"x":1,"x":2}}' },
    { name: 'create-label-type', method: 'POST', path: W, body: widget('x', { metadata: { name: 'x', labels: { a: 1 } } }) },
    { name: 'create-bad-name', method: 'POST', path: W, body: widget('X_1') },
    { name: 'get', method: 'GET', path: `${W}/w1` },
    { name: 'get-missing', method: 'GET', path: `${W}/nope` },
    { name: 'get-table', method: 'GET', path: `${W}?limit=500`, headers: table },
    { name: 'list', method: 'GET', path: W },
    { name: 'list-all-namespaces', method: 'GET', path: `/apis/${customGroup}/v1/widgets?labelSelector=app%3Dshop` },
    { name: 'list-by-name', method: 'GET', path: `${W}?fieldSelector=metadata.name%3Dw2` },
    { name: 'list-by-namespace', method: 'GET', path: `${W}?fieldSelector=metadata.namespace%3D{ns}` },
    { name: 'list-unsupported-field', method: 'GET', path: `${W}?fieldSelector=spec.size%3D3` },
    { name: 'status-subresource', method: 'GET', path: `${W}/w1/status` },
    { name: 'update-without-rv', method: 'PUT', path: `${W}/w1`, body: widget('w1', { spec: { size: 4 } }) },
    { name: 'update', method: 'PUT', path: `${W}/w1?fieldManager=kubectl-replace`, headers: ua, body: widget('w1', { metadata: { name: 'w1', resourceVersion: '{rv_w1}' }, spec: { size: 4 } }) },
    { name: 'update-stale', method: 'PUT', path: `${W}/w1`, body: widget('w1', { metadata: { name: 'w1', resourceVersion: '{rv_w1}' }, spec: { size: 5 } }) },
    { name: 'patch-merge', method: 'PATCH', path: `${W}/w1?fieldManager=kubectl-patch`, headers: { ...ua, ...merge }, body: { spec: { size: 6, list: null } } },
    { name: 'patch-labels', method: 'PATCH', path: `${W}/w1?fieldManager=kubectl-label`, headers: { ...ua, ...merge }, body: { metadata: { labels: { x: 'y' } } } },
    { name: 'patch-status', method: 'PATCH', path: `${W}/w1`, headers: merge, body: { status: { ok: false } } },
    { name: 'patch-json', method: 'PATCH', path: `${W}/w1`, headers: { 'content-type': 'application/json-patch+json' }, body: [{ op: 'add', path: '/spec/tags', value: ['a'] }] },
    { name: 'patch-strategic', method: 'PATCH', path: `${W}/w1`, headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: { spec: { size: 1 } } },
    {
      name: 'apply-create',
      method: 'PATCH',
      path: `${W}/a1?fieldManager=kubectl`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: { apiVersion, kind: 'Widget', metadata: { name: 'a1' }, spec: { size: 1, m: { k: 'v' }, l: [1] } },
    },
    {
      name: 'apply-conflict',
      method: 'PATCH',
      path: `${W}/a1?fieldManager=other`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      body: { apiVersion, kind: 'Widget', metadata: { name: 'a1' }, spec: { size: 2 } },
    },
    {
      name: 'watch-from-rv',
      method: 'GET',
      path: `${W}?watch=true&resourceVersion={rv_w1}&fieldSelector=metadata.name%3Dw1`,
      watch: { events: 1, during: [{ name: 'watched-patch', method: 'PATCH', path: `${W}/w1`, headers: merge, body: { spec: { size: 7 } } }] },
    },
    { name: 'watch-initial-events', method: 'GET', path: `${W}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=app%3Dshop`, watch: { events: 3 } },
    { name: 'delete', method: 'DELETE', path: `${W}/w2` },
    { name: 'delete-missing', method: 'DELETE', path: `${W}/w2` },
    { name: 'delete-collection', method: 'DELETE', path: `${W}?labelSelector=app%3Dshop` },
    { name: 'cluster-create', method: 'POST', path: G, body: { apiVersion: `${clusterGroup}/v1`, kind: 'Gadget', metadata: { name: 'diff-g1', namespace: '{ns}' }, note: 'kept' } },
    { name: 'cluster-get', method: 'GET', path: `${G}/diff-g1` },
    { name: 'cluster-list', method: 'GET', path: `${G}?fieldSelector=metadata.name%3Ddiff-g1` },
    { name: 'cluster-delete', method: 'DELETE', path: `${G}/diff-g1` },
  ],
};
