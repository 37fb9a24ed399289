// OpenAPI v3 from the generated schemas (issue 12): what kubectl reads to
// send fieldValidation=Strict, to compute strategic merge patches and to
// explain fields.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { buildOpenApiV3, openApiV3Document } from '../../src/apiserver/openapi.ts';
import { allResources, resources } from '../../src/apiserver/resources.ts';
import { req } from './helpers.ts';

/** Every `$ref` in `value`. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('OpenAPI v3', () => {
  let server: ApiServer;
  let doc: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  before(async () => {
    server = await startApiServer();
    const root = await req(server, 'GET', '/openapi/v3');
    assert.equal(root.status, 200);
    const url: string = root.json.paths['api/v1'].serverRelativeURL;
    assert.match(url, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    doc = (await req(server, 'GET', url)).json;
  });
  after(() => server.close());

  it('lists a document per group-version served, and only those', async () => {
    const root = await req(server, 'GET', '/openapi/v3');
    const served = new Set(allResources().map((r) => (r.group === '' ? 'api/v1' : `apis/${r.group}/${r.version}`)));
    assert.deepEqual(Object.keys(root.json.paths).sort(), [...served].sort());
    assert.equal(openApiV3Document('apis/apps/v1'), undefined, 'apps/v1 is not served');
    assert.equal((await req(server, 'GET', '/openapi/v3/apis/apps/v1')).status, 404);
    assert.equal((await req(server, 'GET', '/openapi/v3/apis/events.k8s.io/v1')).status, 200);
  });

  it('holds the schema of every served kind, with its group-version-kind, and what they reference', () => {
    const schemas = doc.components.schemas;
    for (const r of [...resources.values()].filter((x) => x.group === '')) {
      const name = `io.k8s.api.core.v1.${r.kind}`;
      assert.deepEqual(schemas[name]['x-kubernetes-group-version-kind'], [{ group: '', kind: r.kind, version: 'v1' }], name);
    }
    assert.equal(schemas['io.k8s.api.core.v1.Endpoints'], undefined, 'a kind not served is left out');
    for (const ref of refs(doc)) assert.ok(schemas[ref.replace('#/components/schemas/', '')] !== undefined, `${ref} resolves`);
    assert.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  });

  it('carries kube\'s list, map and patch rules (what kubectl apply builds strategic merge patches from)', () => {
    const containers = doc.components.schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
    assert.deepEqual(containers, {
      type: 'array',
      items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' },
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    assert.deepEqual(doc.components.schemas['io.k8s.api.core.v1.Pod'].properties.metadata, { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }] });
  });

  it('declares fieldValidation on each kind\'s PATCH and POST (kubectl then sends Strict)', () => {
    for (const r of resources.values()) {
      const collection = r.namespaced ? `/api/v1/namespaces/{namespace}/${r.name}` : `/api/v1/${r.name}`;
      for (const [path, method] of [[`${collection}/{name}`, 'patch'], [collection, 'post']] as const) {
        const op = doc.paths[path][method];
        assert.deepEqual(op['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: r.kind }, `${method} ${path}`);
        assert.ok(op.parameters.some((p: { name: string }) => p.name === 'fieldValidation'), `${method} ${path}`);
      }
    }
  });

  it('copies no upstream prose: descriptions are our own, on the kinds only', () => {
    const described = Object.entries(doc.components.schemas).filter(([, s]) => (s as { description?: string }).description !== undefined).map(([n]) => n);
    assert.deepEqual(described.sort(), [...resources.values()].filter((r) => r.group === '').map((r) => `io.k8s.api.core.v1.${r.kind}`).sort());
    const text = JSON.stringify(doc);
    assert.equal(text.match(/"description"/g)?.length, described.length + (text.match(/"description":"OK"/g)?.length ?? 0));
  });

  it('builds one document per served group-version; a create-only review has its POST only', () => {
    const docs = buildOpenApiV3(allResources());
    const groups = new Set(allResources().map((r) => (r.group === '' ? 'api/v1' : `apis/${r.group}/${r.version}`)));
    assert.deepEqual([...docs.keys()].sort(), [...groups].sort());
    const authz = docs.get('apis/authorization.k8s.io/v1')?.body as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const post = authz.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'].post;
    assert.deepEqual(post['x-kubernetes-group-version-kind'], { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview' });
    assert.equal(authz.paths['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/{name}'], undefined, 'create only');
    assert.ok(authz.components.schemas['io.k8s.api.authorization.v1.ResourceAttributes']);
    assert.equal(authz.components.schemas['io.k8s.api.core.v1.Pod'], undefined);
    const events = docs.get('apis/events.k8s.io/v1')?.body as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.ok(events.components.schemas['io.k8s.api.events.v1.Event']);
  });
});
