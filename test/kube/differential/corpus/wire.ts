// Watches (event sequences, bookmarks, initial events) and the wire: body
// sizes, content types, Accept headers, deep JSON, paths.
import type { Group, Step } from '../case.ts';
import { cms, configMap, seed, sync } from './build.ts';

const write = (name: string, method: Step['method'], path: string, body?: unknown): Step => ({ name, method, path, ...(body === undefined ? {} : { body }) });

export const watches: Group = {
  topic: 'watch',
  name: 'watch',
  steps: [
    seed('w1', { app: 'a' }),
    seed('w2'),
    sync(1),
    { name: 'no-rv-initial-added', method: 'GET', path: `${cms}?watch=true`, watch: { events: 2 } },
    { name: 'rv0-initial-added', method: 'GET', path: `${cms}?watch=1&resourceVersion=0`, watch: { events: 2 } },
    { name: 'from-rv-replays', method: 'GET', path: `${cms}?watch=true&resourceVersion={rv_w1}`, watch: { events: 1 } },
    {
      name: 'live-events',
      method: 'GET',
      path: `${cms}?watch=true&resourceVersion={rv_w2}`,
      watch: {
        events: 4,
        during: [
          write('create', 'POST', cms, configMap('w3', { k: 'v' }, { app: 'a' })),
          write('update', 'PUT', `${cms}/w3`, configMap('w3', { k: 'v2' }, { app: 'b' })),
          write('patch', 'PATCH', `${cms}/w3?fieldManager=x`, undefined),
          write('delete', 'DELETE', `${cms}/w3`),
        ],
      },
      save: {},
    },
    {
      name: 'selector-transitions',
      method: 'GET',
      path: `${cms}?watch=true&labelSelector=app%3Da&resourceVersion={rv_w2}`,
      watch: { events: 3 },
    },
    { name: 'single-object', method: 'GET', path: `${cms}?watch=true&fieldSelector=metadata.name%3Dw1`, watch: { events: 1 } },
    { name: 'bookmarks-allowed', method: 'GET', path: `${cms}?watch=true&allowWatchBookmarks=true&resourceVersion={rv_w2}`, watch: { events: 4 } },
    sync(2),
    {
      name: 'send-initial-events',
      method: 'GET',
      path: `${cms}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
      watch: { events: 3 },
    },
    { name: 'send-initial-events-rv0', method: 'GET', path: `${cms}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=0&allowWatchBookmarks=true`, watch: { events: 3 } },
    { name: 'send-initial-events-no-match', method: 'GET', path: `${cms}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true`, watch: { events: 1 } },
    { name: 'send-initial-events-no-bookmarks', method: 'GET', path: `${cms}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`, watch: { events: 1 } },
    { name: 'send-initial-events-false', method: 'GET', path: `${cms}?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&resourceVersion={rv_w2}&allowWatchBookmarks=true`, watch: { events: 4 } },
    { name: 'exact-match-rejected', method: 'GET', path: `${cms}?watch=true&resourceVersionMatch=Exact&resourceVersion={rv_w2}`, watch: { events: 1 } },
    { name: 'old-path', method: 'GET', path: '/api/v1/watch/namespaces/{ns}/configmaps?resourceVersion={rv_w1}', watch: { events: 1 } },
    { name: 'named-old-path', method: 'GET', path: '/api/v1/watch/namespaces/{ns}/configmaps/w2?resourceVersion={rv_w1}', watch: { events: 1 } },
    { name: 'timeout-bad', method: 'GET', path: `${cms}?watch=true&timeoutSeconds=abc` },
    { name: 'watch-bad-value', method: 'GET', path: `${cms}?watch=maybe`, watch: { events: 3 } },
    { name: 'from-rv-1', method: 'GET', path: `${cms}?watch=true&resourceVersion=1`, watch: { events: 1 } },
    { name: 'all-namespaces-from-rv', method: 'GET', path: `/api/v1/configmaps?watch=true&resourceVersion={rv_w1}`, watch: { events: 1 } },
  ],
};
// The patch inside live-events is a merge patch of a label.
const live = watches.steps.find((s) => 'name' in s && s.name === 'live-events') as Step;
const patchStep = live.watch?.during?.[2];
if (patchStep !== undefined) {
  patchStep.headers = { 'content-type': 'application/merge-patch+json' };
  patchStep.body = { metadata: { labels: { app: 'a' } } };
}

const mib = 1024 * 1024;

export const wire: Group = {
  topic: 'wire',
  name: 'wire',
  steps: [
    seed('x'),
    { name: 'data-1mib-over', method: 'POST', path: cms, body: configMap('big', { k: 'x'.repeat(mib) }) },
    { name: 'data-just-under-1mib', method: 'POST', path: cms, body: configMap('big2', { k: 'x'.repeat(mib - 1024) }) },
    { name: 'body-3mib-over', method: 'POST', path: cms, body: configMap('huge', { k: 'x'.repeat(3 * mib + 10) }) },
    { name: 'deep-json', method: 'POST', path: cms, body: `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}` },
    { name: 'deep-json-10k-in-data', method: 'POST', path: cms, body: `{"metadata":{"name":"deep"},"data":${'['.repeat(10_000)}${']'.repeat(10_000)}}` },
    { name: 'malformed-json', method: 'POST', path: cms, body: '{"metadata":' },
    { name: 'empty-body', method: 'POST', path: cms, body: '' },
    { name: 'array-body', method: 'POST', path: cms, body: '[]' },
    { name: 'content-type-text', method: 'POST', path: cms, headers: { 'content-type': 'text/plain' }, body: configMap('ct1') },
    { name: 'content-type-json-charset', method: 'POST', path: cms, headers: { 'content-type': 'application/json; charset=utf-8' }, body: configMap('ct3') },
    { name: 'content-type-protobuf-garbage', method: 'POST', path: cms, headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body: 'garbage' },
    { name: 'accept-yaml', method: 'GET', path: `${cms}/x`, headers: { accept: 'application/yaml' } },
    { name: 'accept-html', method: 'GET', path: `${cms}/x`, headers: { accept: 'text/html' } },
    { name: 'accept-any', method: 'GET', path: `${cms}/x`, headers: { accept: '*/*' } },
    { name: 'accept-protobuf', method: 'GET', path: `${cms}/x`, headers: { accept: 'application/vnd.kubernetes.protobuf' } },
    { name: 'accept-table-single', method: 'GET', path: `${cms}/x`, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } },
    { name: 'accept-partial-metadata', method: 'GET', path: `${cms}/x`, headers: { accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' } },
    { name: 'accept-partial-metadata-list', method: 'GET', path: cms, headers: { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' } },
    { name: 'path-unknown-resource', method: 'GET', path: '/api/v1/namespaces/{ns}/widgets' },
    { name: 'path-trailing-slash', method: 'GET', path: `${cms}/` },
    { name: 'path-double-slash', method: 'GET', path: '/api/v1/namespaces/{ns}//configmaps' },
    { name: 'path-too-deep', method: 'GET', path: `${cms}/x/y/z` },
    { name: 'path-status-subresource', method: 'GET', path: `${cms}/x/status` },
    { name: 'path-cluster-scoped-name', method: 'GET', path: '/api/v1/configmaps/x' },
    { name: 'path-namespace-get', method: 'GET', path: '/api/v1/namespaces/{ns}' },
    { name: 'method-put-collection', method: 'PUT', path: cms, body: configMap('x') },
    { name: 'method-post-named', method: 'POST', path: `${cms}/x`, body: configMap('x') },
    { name: 'query-unknown-param', method: 'GET', path: `${cms}/x?bogus=1` },
    { name: 'field-validation-bad', method: 'POST', path: `${cms}?fieldValidation=Sometimes`, body: configMap('fv') },
    { name: 'pretty', method: 'GET', path: `${cms}/x?pretty=true` },
    // Last: kube-apiserver takes YAML, the embedded server does not, so the groups differ from here on.
    { name: 'content-type-yaml', method: 'POST', path: cms, headers: { 'content-type': 'application/yaml' }, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ct2\n' },
  ],
};

export const cluster: Group = {
  topic: 'cluster-scoped',
  name: 'cluster',
  namespace: false,
  steps: [
    { name: 'namespace-create', method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'diff-made', labels: { l: 'v' } } } },
    { name: 'namespace-list-selector', method: 'GET', path: '/api/v1/namespaces?labelSelector=l%3Dv' },
    { name: 'namespace-bad-name', method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'Diff.Bad' } } },
    { name: 'namespace-name-too-long', method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: `diff-${'a'.repeat(60)}` } } },
    { name: 'namespace-status-phase', method: 'GET', path: '/api/v1/namespaces/diff-made' },
    { name: 'node-create', method: 'POST', path: '/api/v1/nodes', body: { metadata: { name: 'diff-node' } } },
    { name: 'node-get', method: 'GET', path: '/api/v1/nodes/diff-node' },
    { name: 'node-in-namespace-path', method: 'GET', path: '/api/v1/namespaces/diff-made/nodes/diff-node' },
    { name: 'list-configmaps-all-namespaces-filtered', method: 'GET', path: '/api/v1/configmaps?labelSelector=nothing%3Dhere' },
  ],
};
