// The structural part of a kube-apiserver OpenAPI v3 schema: what
// scripts/gen-apiserver-schemas.ts keeps, and what test/kube compares with a
// live server to tell whether src/apiserver/schemas/definitions.ts is current.

/** Keys copied as they are; everything else (description, default, x-kubernetes-unions, ...) is dropped. */
const kept = new Set([
  'type', 'format', 'required', 'enum',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type',
  'x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy', 'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
]);

export const refPrefix = '#/components/schemas/';
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The structural part of one schema node; a lone `allOf: [{$ref}]` becomes `$ref: name`. */
export function structural(node: JsonObject, refs: Set<string>, groups: Set<string>): JsonObject {
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

