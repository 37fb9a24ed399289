// Requests as kubectl v1.37.2 (`kubectl -v=8` against kube-apiserver),
// @kubernetes/client-node 2.0.1 and python3-kubernetes 22.6.0 (both recorded
// against a listening socket) send them: their paths, query forms, headers
// and body encodings.
import type { Group } from '../case.ts';
import { cms, configMap, sync } from './build.ts';

const kubectlTable = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const kubectlUA = { 'user-agent': 'kubectl/v1.37.2 (linux/amd64) kubernetes/$Format' };
const lastApplied = (data: string): string =>
  JSON.stringify({ apiVersion: 'v1', data: { k: data }, kind: 'ConfigMap', metadata: { annotations: {}, labels: { a: 'b' }, name: 'c1', namespace: '{ns}' } });

export const kubectl: Group = {
  topic: 'kubectl',
  name: 'kubectl',
  steps: [
    { name: 'discovery-api', method: 'GET', path: '/api?timeout=32s', headers: { ...kubectlUA, accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } },
    { name: 'get-empty-table', method: 'GET', path: `${cms}?limit=500`, headers: { ...kubectlUA, accept: kubectlTable } },
    {
      name: 'create',
      method: 'POST',
      path: `${cms}?fieldManager=kubectl-create&fieldValidation=Strict`,
      headers: kubectlUA,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: '{ns}', labels: { a: 'b' } }, data: { k: 'v' } },
      save: { rv1: 'metadata.resourceVersion' },
    },
    { name: 'get-json', method: 'GET', path: `${cms}/c1`, headers: kubectlUA },
    {
      name: 'apply-patch',
      method: 'PATCH',
      path: `${cms}/c1?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`,
      headers: { ...kubectlUA, 'content-type': 'application/strategic-merge-patch+json' },
      body: { data: { k: 'v2' }, metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied('v2') + '\n' } } },
    },
    {
      name: 'label',
      method: 'PATCH',
      path: `${cms}/c1?fieldManager=kubectl-label`,
      headers: { ...kubectlUA, 'content-type': 'application/merge-patch+json' },
      body: { metadata: { labels: { x: 'y' } } },
    },
    { name: 'get-chunked-table', method: 'GET', path: `${cms}?labelSelector=a%3Db&limit=1`, headers: { ...kubectlUA, accept: kubectlTable } },
    {
      name: 'get-watch-table',
      method: 'GET',
      path: `${cms}?resourceVersion={rv1}&watch=true`,
      headers: { ...kubectlUA, accept: kubectlTable },
      watch: { events: 2 },
    },
    { name: 'delete', method: 'DELETE', path: `${cms}/c1`, headers: { ...kubectlUA, 'content-type': 'application/json' }, body: { propagationPolicy: 'Background' } },
    { name: 'get-after-delete', method: 'GET', path: `${cms}/c1`, headers: kubectlUA },
  ],
};

const nodeHeaders = { accept: 'application/json, */*;q=0.8', 'user-agent': 'kubernetes-client-javascript/2.0.1', 'accept-language': '*', 'sec-fetch-mode': 'cors', 'accept-encoding': 'gzip, deflate' };

export const clientNode: Group = {
  topic: 'client-node',
  name: 'client-node',
  steps: [
    { name: 'create', method: 'POST', path: cms, headers: nodeHeaders, body: '{"data":{"a":"b"},"metadata":{"name":"c1","labels":{"a":"b"}}}', save: { rv1: 'metadata.resourceVersion' } },
    sync(1),
    { name: 'list-all-params', method: 'GET', path: `${cms}?fieldSelector=metadata.name%3Dc1&labelSelector=a%3Db&limit=2&resourceVersion=0&resourceVersionMatch=NotOlderThan`, headers: nodeHeaders },
    { name: 'read', method: 'GET', path: `${cms}/c1`, headers: nodeHeaders },
    { name: 'replace', method: 'PUT', path: `${cms}/c1`, headers: nodeHeaders, body: '{"data":{"a":"c"},"metadata":{"name":"c1","resourceVersion":"{rv1}"}}' },
    { name: 'json-patch', method: 'PATCH', path: `${cms}/c1`, headers: { ...nodeHeaders, 'content-type': 'application/json-patch+json' }, body: '[{"op":"add","path":"/data/x","value":"y"}]' },
    { name: 'merge-patch', method: 'PATCH', path: `${cms}/c1`, headers: { ...nodeHeaders, 'content-type': 'application/merge-patch+json' }, body: '{"data":{"x":"z"}}' },
    { name: 'strategic-patch', method: 'PATCH', path: `${cms}/c1`, headers: { ...nodeHeaders, 'content-type': 'application/strategic-merge-patch+json' }, body: '{"data":{"y":"1"}}' },
    {
      name: 'watch-initial-events',
      method: 'GET',
      path: `${cms}?watch=true&resourceVersion=&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`,
      headers: { accept: '*/*', 'user-agent': 'undici', 'accept-language': '*', 'sec-fetch-mode': 'cors', 'accept-encoding': 'gzip, deflate' },
      watch: { events: 2 },
    },
    { name: 'delete-precondition-stale', method: 'DELETE', path: `${cms}/c1?propagationPolicy=Foreground`, headers: nodeHeaders, body: '{"preconditions":{"resourceVersion":"{rv1}"}}' },
    { name: 'delete-collection-no-body', method: 'DELETE', path: `${cms}?labelSelector=a%3Db`, headers: { ...nodeHeaders, 'content-type': 'application/json' } },
    { name: 'list-after', method: 'GET', path: cms, headers: nodeHeaders },
  ],
};

const pyHeaders = { 'accept-encoding': 'identity', accept: 'application/json', 'user-agent': 'OpenAPI-Generator/22.6.0/python', 'content-type': 'application/json' };

export const python: Group = {
  topic: 'python',
  name: 'python',
  steps: [
    { name: 'list-empty', method: 'GET', path: `${cms}?labelSelector=a%3Db&limit=2&resourceVersion=0`, headers: pyHeaders },
    { name: 'create', method: 'POST', path: cms, headers: pyHeaders, body: '{"metadata": {"name": "c1", "labels": {"a": "b"}}, "data": {"a": "b"}}', save: { rv1: 'metadata.resourceVersion' } },
    { name: 'read', method: 'GET', path: `${cms}/c1`, headers: pyHeaders },
    { name: 'replace', method: 'PUT', path: `${cms}/c1`, headers: pyHeaders, body: '{"metadata": {"name": "c1", "resourceVersion": "{rv1}"}, "data": {"a": "c"}}' },
    { name: 'patch-strategic', method: 'PATCH', path: `${cms}/c1`, headers: { ...pyHeaders, 'content-type': 'application/strategic-merge-patch+json' }, body: '{"data": {"x": "y"}}' },
    { name: 'patch-json', method: 'PATCH', path: `${cms}/c1`, headers: { ...pyHeaders, 'content-type': 'application/json-patch+json' }, body: '[{"op": "add", "path": "/data/z", "value": "y"}]' },
    { name: 'watch-capitalised-booleans', method: 'GET', path: `${cms}?allowWatchBookmarks=True&resourceVersion={rv1}&timeoutSeconds=1&watch=True`, headers: pyHeaders, watch: { events: 3 } },
    { name: 'delete-query-options', method: 'DELETE', path: `${cms}/c1?gracePeriodSeconds=0&propagationPolicy=Background`, headers: pyHeaders },
    { name: 'delete-missing-with-preconditions', method: 'DELETE', path: `${cms}/c1`, headers: pyHeaders, body: '{"preconditions": {"resourceVersion": "5"}}' },
  ],
};

export const clientFlows: Group[] = [kubectl, clientNode, python];

export const discovery: Group = {
  topic: 'discovery',
  name: 'discovery',
  namespace: false,
  steps: [
    { name: 'api', method: 'GET', path: '/api' },
    { name: 'api-v1-configmaps-entry', method: 'GET', path: '/api/v1' },
    { name: 'version', method: 'GET', path: '/version' },
    { name: 'healthz', method: 'GET', path: '/healthz' },
    { name: 'readyz', method: 'GET', path: '/readyz' },
    { name: 'livez', method: 'GET', path: '/livez' },
    { name: 'unknown-group-version', method: 'GET', path: '/api/v2' },
  ],
};

export { configMap };
