import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { definition, definitions, schemaFor, schemaKinds, type SchemaNode } from '../../src/apiserver/schemas/index.ts';

function at(node: SchemaNode | undefined, ...path: string[]): SchemaNode {
  let cur = node;
  for (const step of path) {
    if (cur === undefined) break;
    cur = step === '[]' ? cur.items : step === '{}' ? cur.additionalProperties : cur.properties?.get(step);
  }
  assert.ok(cur !== undefined, `no node at ${path.join('.')}`);
  return cur;
}

describe('schemas (generated from kube-apiserver v1.37.2 OpenAPI v3)', () => {
  it('holds every kind the embedded server serves or is about to', () => {
    const kinds = schemaKinds().map((g) => `${g.group}/${g.version}/${g.kind}`).sort();
    assert.deepEqual(kinds, [
      '/v1/ConfigMap', '/v1/Event', '/v1/Namespace', '/v1/Node', '/v1/Pod', '/v1/Secret', '/v1/Service', '/v1/ServiceAccount',
      'authentication.k8s.io/v1/SelfSubjectReview', 'authorization.k8s.io/v1/SelfSubjectAccessReview',
      'authorization.k8s.io/v1/SelfSubjectRulesReview', 'events.k8s.io/v1/Event',
    ]);
    assert.equal(schemaFor('apps', 'v1', 'Deployment'), undefined);
    assert.equal(schemaFor('events.k8s.io', 'v1', 'Event')?.name, 'io.k8s.api.events.v1.Event');
  });

  it('resolves references to shared definition nodes', () => {
    const pod = schemaFor('', 'v1', 'Pod');
    const cm = schemaFor('', 'v1', 'ConfigMap');
    assert.equal(at(pod, 'metadata'), at(cm, 'metadata'));
    assert.equal(at(pod, 'metadata').name, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    assert.equal(definition('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'), at(pod, 'metadata'));
    assert.equal(at(cm, 'data', '{}').type, 'string');
    assert.equal(at(cm, 'binaryData', '{}').format, 'byte');
  });

  it('carries the list, map and patch rules server-side apply and strategic merge need', () => {
    const containers = at(schemaFor('', 'v1', 'Pod'), 'spec', 'containers');
    assert.equal(containers.type, 'array');
    assert.equal(containers.listType, 'map');
    assert.deepEqual(containers.listMapKeys, ['name']);
    assert.equal(containers.patchStrategy, 'merge');
    assert.equal(containers.patchMergeKey, 'name');
    const ports = at(containers, '[]', 'ports');
    assert.deepEqual(ports.listMapKeys, ['containerPort', 'protocol']);
    assert.equal(at(containers, '[]', 'args').listType, 'atomic');
    assert.equal(at(schemaFor('', 'v1', 'Pod'), 'metadata', 'finalizers').listType, 'set');
    assert.equal(at(containers, '[]', 'env', '[]', 'valueFrom', 'secretKeyRef').mapType, 'atomic');
    assert.equal(at(schemaFor('', 'v1', 'Service'), 'spec', 'ports', '[]', 'targetPort').intOrString, true);
    assert.deepEqual(at(schemaFor('', 'v1', 'Pod'), 'spec', 'containers', '[]').required, ['name']);
  });

  it('keeps no upstream prose', () => {
    const raw = JSON.stringify(definitions);
    assert.ok(raw.includes('"containers"'));
    assert.doesNotMatch(raw, /"description"|"default"/);
  });
});
