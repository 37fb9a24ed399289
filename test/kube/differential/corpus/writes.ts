// Writes: the four patch types, conflicts, deletes with preconditions and
// propagation, metadata validation.
import type { Group, Step } from '../case.ts';
import { cms, configMap, seed } from './build.ts';

const patch = (name: string, type: string, body: unknown, target = 'p', query = ''): Step => ({
  name,
  method: 'PATCH',
  path: `${cms}/${target}${query}`,
  headers: { 'content-type': type },
  body,
});
const json = 'application/json-patch+json';
const merge = 'application/merge-patch+json';
const smp = 'application/strategic-merge-patch+json';
const apply = 'application/apply-patch+yaml';

export const patches: Group = {
  topic: 'patch',
  name: 'patch',
  steps: [
    seed('p', { a: 'b' }, { k: 'v', drop: 'me' }),
    patch('json-add', json, [{ op: 'add', path: '/data/n', value: '1' }]),
    patch('json-replace', json, [{ op: 'replace', path: '/data/k', value: 'v2' }]),
    patch('json-remove', json, [{ op: 'remove', path: '/data/drop' }]),
    patch('json-remove-missing', json, [{ op: 'remove', path: '/data/nope' }]),
    patch('json-test-fails', json, [{ op: 'test', path: '/data/k', value: 'other' }]),
    patch('json-test-passes', json, [{ op: 'test', path: '/data/k', value: 'v2' }, { op: 'add', path: '/data/t', value: 't' }]),
    patch('json-move', json, [{ op: 'move', from: '/data/t', path: '/data/t2' }]),
    patch('json-copy', json, [{ op: 'copy', from: '/data/t2', path: '/data/t3' }]),
    patch('json-escaped-pointer', json, [{ op: 'add', path: '/metadata/labels/x~1y', value: 'z' }]),
    patch('json-bad-op', json, [{ op: 'frobnicate', path: '/data/k' }]),
    patch('json-bad-path', json, [{ op: 'add', path: 'data/k', value: 'x' }]),
    patch('json-not-array', json, { op: 'add' }),
    patch('json-change-name', json, [{ op: 'replace', path: '/metadata/name', value: 'other' }]),
    patch('json-wrong-type', json, [{ op: 'add', path: '/data', value: 5 }]),
    patch('json-stale-rv', json, [{ op: 'replace', path: '/metadata/resourceVersion', value: '1' }]),
    patch('merge-set', merge, { data: { m: 'm' } }),
    patch('merge-null-deletes', merge, { data: { m: null } }),
    patch('merge-label-null', merge, { metadata: { labels: { a: null } } }),
    patch('merge-array-replaces', merge, { metadata: { finalizers: ['example.com/f'] } }),
    patch('merge-finalizers-clear', merge, { metadata: { finalizers: null } }),
    patch('merge-not-object', merge, '"str"'),
    patch('merge-invalid-json', merge, '{"data":'),
    patch('merge-stale-rv', merge, { metadata: { resourceVersion: '1' }, data: { q: 'q' } }),
    patch('merge-bad-label', merge, { metadata: { labels: { 'bad key': 'v' } } }),
    patch('strategic-set', smp, { data: { s: 's' } }),
    patch('strategic-null-deletes', smp, { data: { s: null } }),
    patch('strategic-patch-replace', smp, { data: { $patch: 'replace', only: 'this' } }),
    patch('strategic-patch-delete-directive', smp, { metadata: { labels: { $patch: 'delete' } } }),
    patch('strategic-invalid-json', smp, '{'),
    patch('missing-object-merge', merge, { data: {} }, 'missing'),
    patch('missing-object-json', json, [{ op: 'add', path: '/data/x', value: 'y' }], 'missing'),
    patch('apply-no-field-manager', apply, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' }, data: { ap: 'x' } }),
    patch('apply-create', apply, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ap' }, data: { ap: 'x' } }, 'ap', '?fieldManager=diff'),
    patch('apply-update', apply, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ap' }, data: { ap: 'y' } }, 'ap', '?fieldManager=diff'),
    patch('apply-conflict', apply, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ap' }, data: { ap: 'z' } }, 'ap', '?fieldManager=other'),
    patch('apply-force', apply, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ap' }, data: { ap: 'z' } }, 'ap', '?fieldManager=other&force=true'),
    patch('apply-yaml', apply, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ap\ndata:\n  ap: w\n', 'ap', '?fieldManager=other'),
    patch('unknown-patch-type', 'text/plain', { data: {} }),
    patch('plain-json-type', 'application/json', { data: {} }),
    // Last: kube refuses these two, the embedded server stores the second, so the group's resourceVersions differ from here on.
    patch('strategic-bad-directive', smp, { data: { $patch: 'explode' } }),
    patch('strategic-retain-keys', smp, { $retainKeys: ['data'], data: { r: 'r' } }),
    { name: 'get-final', method: 'GET', path: `${cms}/p` },
  ],
};

export const conflicts: Group = {
  topic: 'conflicts',
  name: 'conflicts',
  steps: [
    seed('c'),
    { name: 'update-current', method: 'PUT', path: `${cms}/c`, body: { ...(configMap('c', { k: 'v2' }) as object), metadata: { name: 'c', resourceVersion: '{rv_c}' } } },
    { name: 'update-stale', method: 'PUT', path: `${cms}/c`, body: { ...(configMap('c', { k: 'v3' }) as object), metadata: { name: 'c', resourceVersion: '{rv_c}' } } },
    { name: 'update-no-rv', method: 'PUT', path: `${cms}/c`, body: configMap('c', { k: 'v4' }) },
    { name: 'update-bad-rv', method: 'PUT', path: `${cms}/c`, body: { ...(configMap('c') as object), metadata: { name: 'c', resourceVersion: 'abc' } } },
    { name: 'create-with-rv', method: 'POST', path: cms, body: { ...(configMap('withrv') as object), metadata: { name: 'withrv', resourceVersion: '5' } } },
    {
      name: 'immutable-create',
      method: 'POST',
      path: cms,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'imm' }, data: { k: 'v' }, immutable: true },
    },
    { name: 'immutable-update-data', method: 'PUT', path: `${cms}/imm`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'imm' }, data: { k: 'v2' }, immutable: true } },
    { name: 'immutable-unset', method: 'PATCH', path: `${cms}/imm`, headers: { 'content-type': merge }, body: { immutable: false } },
    { name: 'immutable-labels-ok', method: 'PATCH', path: `${cms}/imm`, headers: { 'content-type': merge }, body: { metadata: { labels: { ok: 'yes' } } } },
    // Last: kube refuses it (409), the embedded server stores it.
    { name: 'update-uid-mismatch', method: 'PUT', path: `${cms}/c`, body: { ...(configMap('c') as object), metadata: { name: 'c', uid: '00000000-0000-0000-0000-000000000000' } } },
  ],
};

export const deletes: Group = {
  topic: 'delete',
  name: 'delete',
  steps: [
    seed('d1'),
    seed('d2'),
    seed('d3', { grp: 'x' }),
    seed('d4', { grp: 'x' }),
    seed('d5'),
    seed('d6'),
    { name: 'precondition-rv-stale', method: 'DELETE', path: `${cms}/d1`, body: { preconditions: { resourceVersion: '1' } } },
    { name: 'precondition-uid-wrong', method: 'DELETE', path: `${cms}/d1`, body: { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } } },
    { name: 'precondition-both-right', method: 'DELETE', path: `${cms}/d1`, body: { preconditions: { uid: '{uid_d1}', resourceVersion: '{rv_d1}' } } },
    { name: 'propagation-orphan', method: 'DELETE', path: `${cms}/d2?propagationPolicy=Orphan` },
    { name: 'propagation-foreground-body', method: 'DELETE', path: `${cms}/d5`, body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' } },
    { name: 'propagation-bad', method: 'DELETE', path: `${cms}/d6?propagationPolicy=Sideways` },
    { name: 'grace-negative', method: 'DELETE', path: `${cms}/d6?gracePeriodSeconds=-1` },
    { name: 'orphan-and-propagation', method: 'DELETE', path: `${cms}/d6`, body: { orphanDependents: true, propagationPolicy: 'Background' } },
    { name: 'dry-run', method: 'DELETE', path: `${cms}/d6?dryRun=All` },
    { name: 'body-not-json', method: 'DELETE', path: `${cms}/d6`, body: 'nope' },
    { name: 'missing', method: 'DELETE', path: `${cms}/d1` },
    { name: 'collection-selector', method: 'DELETE', path: `${cms}?labelSelector=grp%3Dx` },
    { name: 'list-left', method: 'GET', path: cms },
    { name: 'delete-namespace', method: 'DELETE', path: '/api/v1/namespaces/{ns}' },
    { name: 'create-in-terminating', method: 'POST', path: cms, body: configMap('late') },
  ],
};

const big = (bytes: number): string => 'x'.repeat(bytes);

export const metadata: Group = {
  topic: 'metadata',
  name: 'meta',
  steps: [
    { name: 'label-key-bad', method: 'POST', path: cms, body: { metadata: { name: 'l1', labels: { 'bad key': 'v' } } } },
    { name: 'label-value-bad', method: 'POST', path: cms, body: { metadata: { name: 'l2', labels: { k: 'bad value' } } } },
    { name: 'label-value-long', method: 'POST', path: cms, body: { metadata: { name: 'l3', labels: { k: big(64) } } } },
    { name: 'label-prefix-ok', method: 'POST', path: cms, body: { metadata: { name: 'l4', labels: { 'example.com/k': 'v' } } } },
    { name: 'annotation-key-bad', method: 'POST', path: cms, body: { metadata: { name: 'a1', annotations: { 'a b': 'v' } } } },
    { name: 'annotations-too-big', method: 'POST', path: cms, body: { metadata: { name: 'a2', annotations: { k: big(256 * 1024) } } } },
    { name: 'finalizer-bad', method: 'POST', path: cms, body: { metadata: { name: 'f1', finalizers: ['no slash'] } } },
    { name: 'owner-ref-incomplete', method: 'POST', path: cms, body: { metadata: { name: 'o1', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'x' }] } } },
    { name: 'data-key-bad', method: 'POST', path: cms, body: { metadata: { name: 'dk' }, data: { 'bad key!': 'v' } } },
    { name: 'data-and-binary-same-key', method: 'POST', path: cms, body: { metadata: { name: 'db' }, data: { k: 'v' }, binaryData: { k: 'dg==' } } },
    { name: 'secret-bad-base64', method: 'POST', path: '/api/v1/namespaces/{ns}/secrets', body: { metadata: { name: 's1' }, data: { k: 'not base64!' } } },
    { name: 'secret-string-data', method: 'POST', path: '/api/v1/namespaces/{ns}/secrets', body: { metadata: { name: 's2' }, stringData: { k: 'v' } } },
    { name: 'secret-type-change', method: 'PATCH', path: '/api/v1/namespaces/{ns}/secrets/s2', headers: { 'content-type': 'application/merge-patch+json' }, body: { type: 'kubernetes.io/tls' } },
    { name: 'data-wrong-type', method: 'POST', path: cms, body: { metadata: { name: 'dt' }, data: { k: 5 } } },
    { name: 'metadata-wrong-type', method: 'POST', path: cms, body: { metadata: 'str' } },
    { name: 'creation-timestamp-set', method: 'POST', path: cms, body: { metadata: { name: 'ts', creationTimestamp: '2001-01-01T00:00:00Z', uid: 'mine' } } },
  ],
};
