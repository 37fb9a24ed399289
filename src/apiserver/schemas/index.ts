import { definitions, documentDefinitions, sourceVersion } from './definitions.ts';
import type { GroupVersionKind, RawSchema } from './types.ts';

export type { GroupVersionKind, RawSchema } from './types.ts';
export { definitions, documentDefinitions, sourceVersion };

/**
 * A schema node with its references resolved: walk it from `schemaFor()`
 * through `properties`, `items` and `additionalProperties`. A node reached by
 * a reference is the shared node of that definition (`name` says which), so
 * compare nodes by identity, and do not expect a tree (a walk that follows
 * every edge should stop at nodes it has seen).
 *
 * - `type`: 'object', 'array', 'string', 'integer', 'number', 'boolean', or
 *   undefined where kube's schema leaves it open (IntOrString, Quantity: see
 *   `oneOf` and `format`).
 * - An object with `properties` is a struct: only those fields exist. An object
 *   with `additionalProperties` is a map from string keys to that node. An
 *   object with neither (FieldsV1, RawExtension) holds any JSON.
 * - `listType` ('atomic', 'set', 'map') and `listMapKeys` on arrays,
 *   `mapType` ('atomic', 'granular') on objects: server-side apply's merge
 *   rules. `patchStrategy` and `patchMergeKey`: strategic merge patch's.
 */
export interface SchemaNode {
  /** The definition this node is, when it is one: `io.k8s.api.core.v1.Pod`. */
  readonly name?: string;
  readonly type?: string;
  readonly format?: string;
  readonly properties?: ReadonlyMap<string, SchemaNode>;
  readonly required?: readonly string[];
  readonly items?: SchemaNode;
  /** The node of every value of a map (additionalProperties); `true` in the source becomes an open node. */
  readonly additionalProperties?: SchemaNode;
  readonly oneOf?: readonly SchemaNode[];
  readonly enum?: readonly unknown[];
  readonly listType?: string;
  readonly listMapKeys?: readonly string[];
  readonly mapType?: string;
  readonly patchMergeKey?: string;
  readonly patchStrategy?: string;
  /** x-kubernetes-int-or-string, or format 'int-or-string'. */
  readonly intOrString: boolean;
  readonly preserveUnknownFields: boolean;
  /** The group-version-kinds of a top-level kind (empty for other nodes). */
  readonly groupVersionKinds: readonly GroupVersionKind[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const resolved = new Map<string, SchemaNode>();
const byKind = new Map<string, SchemaNode>();

function gvkKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

function fill(node: Mutable<SchemaNode>, raw: RawSchema): void {
  if (raw.type !== undefined) node.type = raw.type;
  if (raw.format !== undefined) node.format = raw.format;
  if (raw.properties !== undefined) {
    node.properties = new Map(Object.entries(raw.properties).map(([k, v]) => [k, resolve(v)]));
  }
  if (raw.required !== undefined) node.required = raw.required;
  if (raw.items !== undefined) node.items = resolve(raw.items);
  if (raw.additionalProperties === true) node.additionalProperties = resolve({});
  else if (raw.additionalProperties !== undefined && raw.additionalProperties !== false) {
    node.additionalProperties = resolve(raw.additionalProperties);
  }
  if (raw.oneOf !== undefined) node.oneOf = raw.oneOf.map(resolve);
  if (raw.enum !== undefined) node.enum = raw.enum;
  if (raw['x-kubernetes-list-type'] !== undefined) node.listType = raw['x-kubernetes-list-type'];
  if (raw['x-kubernetes-list-map-keys'] !== undefined) node.listMapKeys = raw['x-kubernetes-list-map-keys'];
  if (raw['x-kubernetes-map-type'] !== undefined) node.mapType = raw['x-kubernetes-map-type'];
  if (raw['x-kubernetes-patch-merge-key'] !== undefined) node.patchMergeKey = raw['x-kubernetes-patch-merge-key'];
  if (raw['x-kubernetes-patch-strategy'] !== undefined) node.patchStrategy = raw['x-kubernetes-patch-strategy'];
  node.intOrString = raw['x-kubernetes-int-or-string'] === true || raw.format === 'int-or-string';
  node.preserveUnknownFields = raw['x-kubernetes-preserve-unknown-fields'] === true;
  node.groupVersionKinds = raw['x-kubernetes-group-version-kind'] ?? [];
}

function resolve(raw: RawSchema): SchemaNode {
  if (raw.$ref !== undefined) return definitionNode(raw.$ref);
  const node: Mutable<SchemaNode> = { intOrString: false, preserveUnknownFields: false, groupVersionKinds: [] };
  fill(node, raw);
  return node;
}

function definitionNode(name: string): SchemaNode {
  const known = resolved.get(name);
  if (known !== undefined) return known;
  const raw = definitions[name];
  if (raw === undefined) throw new Error(`schemas: no definition ${name}`);
  const node: Mutable<SchemaNode> = { name, intOrString: false, preserveUnknownFields: false, groupVersionKinds: [] };
  resolved.set(name, node); // before filling, so that a definition that reaches itself gets this node
  fill(node, raw);
  return node;
}

for (const name of Object.keys(definitions)) {
  const node = definitionNode(name);
  if (!name.startsWith('io.k8s.apimachinery.')) {
    for (const g of node.groupVersionKinds) byKind.set(gvkKey(g.group, g.version, g.kind), node);
  }
}

/**
 * The schema of a top-level kind (`schemaFor('', 'v1', 'Pod')`,
 * `schemaFor('events.k8s.io', 'v1', 'Event')`), or undefined for a kind we
 * hold no schema for. Meta kinds shared by every group (DeleteOptions,
 * Status) are reached with `definition()`.
 */
export function schemaFor(group: string, version: string, kind: string): SchemaNode | undefined {
  return byKind.get(gvkKey(group, version, kind));
}

/** A definition by its OpenAPI name (`io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`), resolved. */
export function definition(name: string): SchemaNode | undefined {
  return definitions[name] === undefined ? undefined : definitionNode(name);
}

/** Every group-version-kind we hold a schema for. */
export function schemaKinds(): GroupVersionKind[] {
  return [...byKind.keys()].map((key) => {
    const [group = '', version = '', kind = ''] = key.split('/');
    return { group, version, kind };
  });
}
