// The OpenAPI v3 documents of extra resources, one per group-version, as
// kube-apiserver publishes those of a CRD without a schema: each kind is an
// object with apiVersion, kind and an ObjectMeta `metadata` that preserves
// unknown fields, its list kind, and its get, put, patch and create
// operations (kubectl reads the kind and `fieldValidation` there).
import { closure, metaRoots, operations, render, schemaRef, withHash } from './openapi.ts';
import type { BuiltDocument } from './openapi.ts';
import type { ResourceInfo } from './resources.ts';
import { definitions } from './schemas/index.ts';
import { kindDescriptions } from './schemas/descriptions.ts';

/** kube's definition name of a custom kind: the group reversed, then version and kind (`com.example.v1.Widget`). */
function definitionName(info: ResourceInfo, kind: string): string {
  return `${info.group.split('.').reverse().join('.')}.${info.version}.${kind}`;
}

/** `example.com` → `ExampleCom`: the group's part of kube's operationIds. */
function operationInfix(group: string, version: string): string {
  const camel = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  return group.split(/[.-]/).map(camel).join('') + camel(version);
}

const stringField = (description: string): Record<string, unknown> => ({ description, type: 'string' });
const apiVersionField = stringField('APIVersion defines the versioned schema of this representation of an object.');
const kindField = stringField('Kind is a string value representing the REST resource this object represents.');

function kindSchemas(info: ResourceInfo): Record<string, unknown> {
  const gvk = (kind: string): unknown => [{ group: info.group, kind, version: info.version }];
  const item = definitionName(info, info.kind);
  return {
    [item]: {
      type: 'object',
      properties: { apiVersion: apiVersionField, kind: kindField, metadata: { description: "Standard object's metadata.", allOf: [schemaRef('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')] } },
      'x-kubernetes-group-version-kind': gvk(info.kind),
      'x-kubernetes-preserve-unknown-fields': true,
    },
    [definitionName(info, info.listKind)]: {
      description: `${info.listKind} is a list of ${info.kind}`,
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: apiVersionField,
        items: { description: `List of ${info.name}.`, type: 'array', items: schemaRef(item) },
        kind: kindField,
        metadata: { description: 'Standard list metadata.', allOf: [schemaRef('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta')] },
      },
      'x-kubernetes-group-version-kind': gvk(info.listKind),
    },
  };
}

/** The documents of `extras`, keyed by their path under /openapi/v3 (`apis/example.com/v1`). */
export function buildExtraOpenApiV3(extras: readonly ResourceInfo[]): Map<string, BuiltDocument> {
  const byGroupVersion = new Map<string, ResourceInfo[]>();
  for (const r of extras) {
    const key = `apis/${r.group}/${r.version}`;
    byGroupVersion.set(key, [...(byGroupVersion.get(key) ?? []), r]);
  }
  const out = new Map<string, BuiltDocument>();
  for (const [path, served] of byGroupVersion) {
    const first = served[0] as ResourceInfo;
    const gv = { path, group: first.group, version: first.version, operation: operationInfix(first.group, first.version) };
    const paths: Record<string, unknown> = {};
    const schemas: Record<string, unknown> = {};
    for (const r of served) {
      Object.assign(paths, operations(gv, r, definitionName(r, r.kind)));
      Object.assign(schemas, kindSchemas(r));
    }
    const meta = closure([...metaRoots, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta']);
    for (const name of meta) {
      const raw = definitions[name];
      if (raw === undefined) continue;
      const description = kindDescriptions[name];
      schemas[name] = description === undefined ? render(raw, false) : { description, ...render(raw, false) };
    }
    out.set(path, withHash({ openapi: '3.0.0', info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' }, paths, components: { schemas } }));
  }
  return out;
}
