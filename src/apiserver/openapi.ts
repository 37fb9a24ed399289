import { createHash } from 'node:crypto';
import { targetKind } from './field-validation.ts';
import { allResources } from './resources.ts';
import type { ResourceInfo } from './resources.ts';
import { buildOpenApiV2, OPENAPI_V2_PROTOBUF } from './openapi-v2.ts';
import { kindDescriptions } from './schemas/descriptions.ts';
import { definitions, schemaFor, sourceVersion } from './schemas/index.ts';
import type { RawSchema } from './schemas/index.ts';

const patchMediaTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

/** One OpenAPI v3 document: a group-version, served when resources.ts serves a resource of it. */
export interface GroupVersionDocument {
  /** Under /openapi/v3: `api/v1`, `apis/events.k8s.io/v1`. */
  path: string;
  group: string;
  version: string;
  /** operationId infix: `CoreV1`, `EventsV1`. */
  operation: string;
}

/** The group-versions documents can be built for; one whose resources are not served is left out. */
const groupVersions: GroupVersionDocument[] = [
  { path: 'api/v1', group: '', version: 'v1', operation: 'CoreV1' },
  { path: 'apis/events.k8s.io/v1', group: 'events.k8s.io', version: 'v1', operation: 'EventsV1' },
  { path: 'apis/authorization.k8s.io/v1', group: 'authorization.k8s.io', version: 'v1', operation: 'AuthorizationV1' },
  { path: 'apis/authentication.k8s.io/v1', group: 'authentication.k8s.io', version: 'v1', operation: 'AuthenticationV1' },
];

/** Meta definitions every document holds, as kube's do. */
export const metaRoots = ['io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions'];

function servedIn(gv: GroupVersionDocument, all: readonly ResourceInfo[]): ResourceInfo[] {
  return all.filter((r) => {
    const { group, version } = targetKind(r);
    return group === gv.group && version === gv.version && schemaFor(group, version, r.kind) !== undefined;
  });
}

export const schemaRef = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

/** A generated node as OpenAPI v3: references point into components; a field's reference sits in allOf, as kube writes it. */
export function render(node: RawSchema, asField: boolean): Record<string, unknown> {
  if (node.$ref !== undefined) return asField ? { allOf: [schemaRef(node.$ref)] } : schemaRef(node.$ref);
  const out: Record<string, unknown> = { ...node };
  if (node.properties !== undefined) {
    out['properties'] = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, render(v, true)]));
  }
  if (node.items !== undefined) out['items'] = render(node.items, false);
  if (typeof node.additionalProperties === 'object') out['additionalProperties'] = render(node.additionalProperties, false);
  if (node.oneOf !== undefined) out['oneOf'] = node.oneOf.map((o) => render(o, false));
  return out;
}

/** Every definition `roots` reach. */
export function closure(roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (node: RawSchema | undefined): void => {
    if (node === undefined) return;
    if (node.$ref !== undefined) {
      if (seen.has(node.$ref)) return;
      seen.add(node.$ref);
      visit(definitions[node.$ref]);
      return;
    }
    for (const p of Object.values(node.properties ?? {})) visit(p);
    visit(node.items);
    if (typeof node.additionalProperties === 'object') visit(node.additionalProperties);
    for (const o of node.oneOf ?? []) visit(o);
  };
  for (const r of roots) visit({ $ref: r });
  return [...seen].sort();
}

function parameter(name: string, type = 'string'): unknown {
  return { name, in: 'query', schema: { type, uniqueItems: true } };
}

/** The operations of one resource: what kubectl reads is the PATCH (and POST) operation with `fieldValidation` and the kind. */
export function operations(gv: GroupVersionDocument, r: ResourceInfo, kindSchema: string): Record<string, unknown> {
  const gvk = { group: gv.group, version: gv.version, kind: r.kind };
  const prefix = gv.group === '' ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;
  const scope = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.name}` : `${prefix}/${r.name}`;
  const namespaced = r.namespaced ? 'Namespaced' : '';
  const ok = (code: string): unknown => ({ [code]: { description: 'OK', content: { 'application/json': { schema: schemaRef(kindSchema) } } } });
  const write = [parameter('dryRun'), parameter('fieldManager'), parameter('fieldValidation')];
  const op = (action: string, verb: string, extra: Record<string, unknown>): unknown => ({
    operationId: `${verb}${gv.operation}${namespaced}${r.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  const item: Record<string, unknown> = {};
  const collection: Record<string, unknown> = {};
  const body = { content: { 'application/json': { schema: schemaRef(kindSchema) } }, required: true };
  if (r.verbs.includes('get')) item['get'] = op('get', 'read', { responses: ok('200') });
  if (r.verbs.includes('update')) item['put'] = op('put', 'replace', { parameters: write, requestBody: body, responses: ok('200') });
  if (r.verbs.includes('patch')) {
    // A custom resource has no strategic merge (kubectl then sends a merge patch, as kube's CRD documents make it).
    const types = r.custom === true ? [...patchMediaTypes.filter((t) => !t.includes('strategic')), 'application/apply-patch+yaml'] : patchMediaTypes;
    const content = Object.fromEntries(types.map((t) => [t, { schema: { type: 'object' } }]));
    item['patch'] = op('patch', 'patch', { parameters: write, requestBody: { content, required: true }, responses: ok('200') });
  }
  if (r.verbs.includes('create')) collection['post'] = op('post', 'create', { parameters: write, requestBody: body, responses: ok('201') });
  const paths: Record<string, unknown> = {};
  if (Object.keys(item).length > 0) paths[`${scope}/{name}`] = item;
  if (Object.keys(collection).length > 0) paths[scope] = collection;
  return paths;
}

/** The OpenAPI v3 document of one group-version, from the generated schemas. */
function buildDocument(gv: GroupVersionDocument, served: ResourceInfo[]): unknown {
  const paths: Record<string, unknown> = {};
  const roots = [...metaRoots];
  for (const r of served) {
    const kindSchema = schemaFor(gv.group, gv.version, r.kind)?.name ?? '';
    roots.push(kindSchema);
    Object.assign(paths, operations(gv, r, kindSchema));
  }
  const schemas: Record<string, unknown> = {};
  for (const name of closure(roots)) {
    const raw = definitions[name];
    if (raw === undefined) continue;
    const rendered = render(raw, false);
    const description = kindDescriptions[name];
    schemas[name] = description === undefined ? rendered : { description, ...rendered };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (kube-object-manager embedded API server)', version: sourceVersion },
    paths,
    components: { schemas },
  };
}

export interface BuiltDocument {
  body: unknown;
  hash: string;
}

/**
 * The OpenAPI v3 documents for `served` resources, by path under
 * /openapi/v3 (`api/v1`, `apis/authorization.k8s.io/v1`), each with kube's
 * hash form; a group-version none of them is in has no document.
 */
export function buildOpenApiV3(served: Iterable<ResourceInfo>): Map<string, BuiltDocument> {
  const all = [...served];
  const out = new Map<string, BuiltDocument>();
  for (const gv of groupVersions) {
    const mine = servedIn(gv, all);
    if (mine.length === 0) continue;
    out.set(gv.path, withHash(buildDocument(gv, mine)));
  }
  return out;
}

/** A document with kube's hash of it (the `?hash=` of its URL in the root). */
export function withHash(body: unknown): BuiltDocument {
  return { body, hash: createHash('sha512').update(JSON.stringify(body)).digest('hex').slice(0, 128).toUpperCase() };
}

let built: Map<string, BuiltDocument> | undefined;

/** The documents of what the server serves (resources.ts), built once. */
function documents(): Map<string, BuiltDocument> {
  built ??= buildOpenApiV3(allResources());
  return built;
}

/**
 * GET /openapi/v3/<group-version>: the schemas of its kinds (structural
 * facts from kube-apiserver v1.37.2: types, list and map rules, patch
 * strategies) and, per resource, its get, put, patch and create operations
 * with the kind and the `fieldValidation` parameter. kubectl ≥ 1.27 reads
 * these: create and apply send `fieldValidation=Strict` to a server whose
 * PATCH declares it, apply takes strategic merge rules from the schemas,
 * and `kubectl explain` walks them.
 */
export function openApiV3Document(path: string, extra?: ReadonlyMap<string, BuiltDocument>): unknown {
  return (documents().get(path) ?? extra?.get(path))?.body;
}

/** GET /openapi/v3: the discovery document pointing at each group-version document (`extra`: those of extra resources). */
export function openApiV3Root(extra?: ReadonlyMap<string, BuiltDocument>): unknown {
  const paths: Record<string, unknown> = {};
  for (const [path, doc] of [...documents(), ...(extra ?? [])]) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${doc.hash}` };
  return { paths };
}

/** The handler of an /openapi/v3 path, or undefined when it is not one. */
export function openApiV3(path: string, extra?: ReadonlyMap<string, BuiltDocument>): (() => unknown) | undefined {
  if (path === '/openapi/v3') return () => openApiV3Root(extra);
  if (!path.startsWith('/openapi/v3/')) return undefined;
  const doc = openApiV3Document(path.slice('/openapi/v3/'.length), extra);
  return doc === undefined ? undefined : () => doc;
}

export { OPENAPI_V2_PROTOBUF };

const builtV2: { json?: { body: Buffer; contentType: string }; protobuf?: { body: Buffer; contentType: string } } = {};

/** GET /openapi/v2 of what the server serves (resources.ts), built once per form; see openapi-v2.ts. */
export function openApiV2(protobuf: boolean): { body: Buffer; contentType: string } {
  if (protobuf) return (builtV2.protobuf ??= buildOpenApiV2(allResources(), true));
  return (builtV2.json ??= buildOpenApiV2(allResources(), false));
}
