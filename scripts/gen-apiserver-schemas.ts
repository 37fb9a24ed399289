// Writes src/apiserver/schemas/definitions.ts from a real kube-apiserver's
// OpenAPI v3 documents: `node scripts/gen-apiserver-schemas.ts` (needs the
// binaries of `npm run kube:build`, or KUBEBUILDER_ASSETS).
//
// Only structural facts are kept (types, formats, properties, required, items,
// additionalProperties, references, enums and the x-kubernetes-* list, map,
// patch and group-version-kind extensions); upstream descriptions and defaults
// are dropped.
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startControlPlane } from '../src/testing/control-plane.ts';

/** The kinds the embedded server serves or is about to serve, by OpenAPI v3 document. */
const roots: Record<string, string[]> = {
  'api/v1': [
    'io.k8s.api.core.v1.Namespace', 'io.k8s.api.core.v1.Node', 'io.k8s.api.core.v1.Pod',
    'io.k8s.api.core.v1.Secret', 'io.k8s.api.core.v1.ConfigMap', 'io.k8s.api.core.v1.ServiceAccount',
    'io.k8s.api.core.v1.Service', 'io.k8s.api.core.v1.Event',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  ],
  'apis/events.k8s.io/v1': ['io.k8s.api.events.v1.Event'],
  'apis/authorization.k8s.io/v1': [
    'io.k8s.api.authorization.v1.SelfSubjectAccessReview', 'io.k8s.api.authorization.v1.SelfSubjectRulesReview',
  ],
  'apis/authentication.k8s.io/v1': ['io.k8s.api.authentication.v1.SelfSubjectReview'],
};

/** Keys copied as they are; everything else (description, default, x-kubernetes-unions, ...) is dropped. */
const kept = new Set([
  'type', 'format', 'required', 'enum',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type',
  'x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy', 'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
]);

const refPrefix = '#/components/schemas/';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The structural part of one schema node; a lone `allOf: [{$ref}]` becomes `$ref: name`. */
function structural(node: JsonObject, refs: Set<string>, groups: Set<string>): JsonObject {
  const out: JsonObject = {};
  let ref = node['$ref'];
  const allOf = node['allOf'];
  if (Array.isArray(allOf)) {
    if (allOf.length !== 1 || !isObject(allOf[0]) || typeof allOf[0]['$ref'] !== 'string') throw new Error(`unexpected allOf: ${JSON.stringify(allOf)}`);
    ref = allOf[0]['$ref'];
  }
  if (typeof ref === 'string') {
    if (!ref.startsWith(refPrefix)) throw new Error(`unexpected $ref ${ref}`);
    // A reference stands alone: the resolver in src/apiserver/schemas/index.ts shares the node.
    const extra = Object.keys(node).filter((k) => k !== '$ref' && k !== 'allOf' && (kept.has(k) || k === 'properties' || k === 'items'));
    if (extra.length > 0) throw new Error(`a $ref with ${extra.join(', ')} beside it: teach the resolver to merge them`);
    out['$ref'] = ref.slice(refPrefix.length);
    refs.add(out['$ref']);
    return out;
  }
  for (const [key, value] of Object.entries(node)) {
    if (kept.has(key)) out[key] = value;
  }
  const properties = node['properties'];
  if (isObject(properties)) {
    out['properties'] = Object.fromEntries(
      Object.entries(properties).map(([name, p]) => [name, structural(p as JsonObject, refs, groups)]),
    );
  }
  const items = node['items'];
  if (isObject(items)) out['items'] = structural(items, refs, groups);
  const additional = node['additionalProperties'];
  if (isObject(additional)) out['additionalProperties'] = structural(additional, refs, groups);
  else if (typeof additional === 'boolean') out['additionalProperties'] = additional;
  const oneOf = node['oneOf'];
  if (Array.isArray(oneOf)) out['oneOf'] = oneOf.map((o) => structural(o as JsonObject, refs, groups));
  const gvks = node['x-kubernetes-group-version-kind'];
  if (Array.isArray(gvks)) {
    const ours = gvks.filter((g) => isObject(g) && typeof g['group'] === 'string' && typeof g['version'] === 'string' && groups.has(`${g['group']}/${g['version']}`));
    if (ours.length > 0) out['x-kubernetes-group-version-kind'] = ours;
  }
  return out;
}

function get(url: string, ca: string, token: string): Promise<JsonObject> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: ${String(res.statusCode)} ${text.slice(0, 200)}`));
        else resolve(JSON.parse(text) as JsonObject);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const plane = await startControlPlane();
  try {
    const kc = plane.kubeConfig();
    const token = kc.getCurrentUser()?.token ?? '';
    const versionInfo = await get(`${plane.url}/version`, plane.caCert, token);
    const version = typeof versionInfo['gitVersion'] === 'string' ? versionInfo['gitVersion'] : 'unknown';
    const groups = new Set(Object.keys(roots).map((doc) => (doc === 'api/v1' ? '/v1' : doc.slice('apis/'.length))));
    const definitions = new Map<string, JsonObject>();
    const documents: Record<string, string[]> = {};
    for (const [doc, kinds] of Object.entries(roots)) {
      const body = await get(`${plane.url}/openapi/v3/${doc}`, plane.caCert, token);
      const components = body['components'];
      const schemas = isObject(components) ? components['schemas'] : undefined;
      if (!isObject(schemas)) throw new Error(`${doc}: no components.schemas`);
      const pending = [...kinds];
      const seen = new Set<string>();
      while (pending.length > 0) {
        const name = pending.pop() ?? '';
        if (seen.has(name)) continue;
        seen.add(name);
        const raw = schemas[name];
        if (!isObject(raw)) throw new Error(`${doc}: no schema ${name}`);
        const refs = new Set<string>();
        const node = structural(raw, refs, groups);
        const before = definitions.get(name);
        if (before !== undefined && JSON.stringify(before) !== JSON.stringify(node)) throw new Error(`${name} differs between documents`);
        definitions.set(name, node);
        pending.push(...refs);
      }
      documents[doc] = [...seen].sort();
    }
    const names = [...definitions.keys()].sort();
    const lines = [
      '// Generated by scripts/gen-apiserver-schemas.ts from the OpenAPI v3 documents of',
      `// kube-apiserver ${version}; do not edit. Regenerate: node scripts/gen-apiserver-schemas.ts`,
      '// (needs the binaries of `npm run kube:build`, or KUBEBUILDER_ASSETS). Structural facts only:',
      '// upstream descriptions and defaults are left out. `$ref` names another definition.',
      "import type { RawSchema } from './types.ts';",
      '',
      `/** The kube-apiserver version these definitions come from. */`,
      `export const sourceVersion = ${JSON.stringify(version)};`,
      '',
      '/** Every definition, by its OpenAPI name. */',
      'export const definitions: Readonly<Record<string, RawSchema>> = {',
      ...names.map((n) => `${JSON.stringify(n)}:${JSON.stringify(definitions.get(n))},`),
      '};',
      '',
      '/** The definitions each OpenAPI v3 document holds (the kinds above and what they reference). */',
      'export const documentDefinitions: Readonly<Record<string, readonly string[]>> = {',
      ...Object.entries(documents).map(([d, ns]) => `${JSON.stringify(d)}:${JSON.stringify(ns)},`),
      '};',
      '',
    ];
    const out = fileURLToPath(new URL('../src/apiserver/schemas/definitions.ts', import.meta.url));
    writeFileSync(out, lines.join('\n'));
    console.log(`${out}: ${String(names.length)} definitions`);
  } finally {
    await plane.stop();
  }
}

await main();
