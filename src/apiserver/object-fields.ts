import { FieldSet } from './field-set.ts';
import type { SchemaNode } from './schemas/index.ts';
import { deepEqual } from './validation.ts';

export { deepEqual };

/**
 * How server-side apply treats a schema node (kube's rules from the OpenAPI
 * list and map types, with the strategic-merge patch strategy as fallback
 * for lists that name no list type):
 * - `struct`: an object with declared fields, each tracked on its own;
 * - `map`: string keys to values, each key tracked on its own;
 * - `assoc`: a list whose items are told apart by key fields;
 * - `set`: a list of distinct scalars;
 * - `atomic`: one value (scalars, atomic lists and maps, untyped JSON).
 */
export type Shape = { kind: 'struct' | 'map' | 'set' | 'atomic' } | { kind: 'assoc'; keys: readonly string[] };

export function shapeOf(node: SchemaNode | undefined): Shape {
  if (node === undefined) return { kind: 'atomic' };
  if (node.type === 'array') {
    if (node.listType === 'map' && node.listMapKeys !== undefined && node.listMapKeys.length > 0) return { kind: 'assoc', keys: node.listMapKeys };
    if (node.listType === 'set') return { kind: 'set' };
    if (node.listType === 'atomic') return { kind: 'atomic' };
    if (node.patchStrategy?.split(',').includes('merge') === true) {
      return node.patchMergeKey !== undefined ? { kind: 'assoc', keys: [node.patchMergeKey] } : { kind: 'set' };
    }
    return { kind: 'atomic' };
  }
  if (node.mapType === 'atomic') return { kind: 'atomic' };
  if (node.properties !== undefined) return { kind: 'struct' };
  if (node.additionalProperties !== undefined) return { kind: 'map' };
  return { kind: 'atomic' };
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The schema node of field `key` of a struct or map node. */
export function childNode(node: SchemaNode | undefined, key: string): SchemaNode | undefined {
  return node?.properties?.get(key) ?? node?.additionalProperties;
}

/**
 * Schema defaults of key fields, which kube fills in before it keys an item
 * (the generated schemas carry no defaults): a port's `protocol` (Container,
 * EphemeralContainer and Service ports are keyed by port and protocol).
 */
const keyDefaults: Readonly<Record<string, Json>> = { protocol: 'TCP' };

/** The path element of a list item: `k:{...}` by its key fields, `v:...` for a set, else `i:<index>`. */
export function itemElement(shape: Shape, item: Json, index: number): string {
  if (shape.kind === 'assoc' && isObject(item)) {
    const keys: JsonObject = {};
    for (const k of [...shape.keys].sort()) {
      const value = item[k] ?? keyDefaults[k];
      if (value !== undefined) keys[k] = value;
    }
    if (Object.keys(keys).length > 0) return `k:${JSON.stringify(keys)}`;
  }
  if (shape.kind === 'set') return `v:${JSON.stringify(item)}`;
  return `i:${index}`;
}

/** A list's items by their path elements (the first of duplicates wins). */
export function itemsByElement(shape: Shape, list: Json | undefined): Map<string, Json> {
  const out = new Map<string, Json>();
  if (!Array.isArray(list)) return out;
  list.forEach((item, i) => {
    const e = itemElement(shape, item, i);
    if (!out.has(e)) out.set(e, item);
  });
  return out;
}

/**
 * The fields an applied configuration sets (kube's ToFieldSet): every
 * scalar or atomic value, every list item, every map key, and fields that
 * are null or empty objects.
 */
export function appliedFieldSet(node: SchemaNode | undefined, value: Json): FieldSet {
  const set = new FieldSet();
  walkApplied(node, value, set);
  return set;
}

function walkApplied(node: SchemaNode | undefined, value: Json, set: FieldSet): void {
  const shape = shapeOf(node);
  if (shape.kind === 'struct' || shape.kind === 'map') {
    if (!isObject(value)) {
      set.member = true;
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      const c = set.child(`f:${k}`);
      walkApplied(childNode(node, k), v, c);
      const declared = node?.properties?.has(k) === true;
      if (v === null || (isObject(v) && Object.keys(v).length === 0) || !declared) c.member = true;
    }
    return;
  }
  if (shape.kind === 'assoc' || shape.kind === 'set') {
    if (!Array.isArray(value)) {
      set.member = true;
      return;
    }
    value.forEach((item, i) => {
      const c = set.child(itemElement(shape, item, i));
      walkApplied(node?.items, item, c);
      c.member = true;
    });
    return;
  }
  set.member = true;
}

/** What an update changed (added or modified paths) and removed, as kube's Compare finds them. */
export interface Comparison {
  changed: FieldSet;
  removed: FieldSet;
}

/** Compares two states of an object of schema `node` (undefined: absent). */
export function compareObjects(node: SchemaNode | undefined, before: Json | undefined, after: Json | undefined): Comparison {
  const result = { changed: new FieldSet(), removed: new FieldSet() };
  walkCompare(node, before, after, result.changed, result.removed);
  return result;
}

function granular(shape: Shape): boolean {
  return shape.kind !== 'atomic';
}

function walkCompare(node: SchemaNode | undefined, a: Json | undefined, b: Json | undefined, changed: FieldSet, removed: FieldSet): void {
  if (a === undefined && b === undefined) return;
  const shape = shapeOf(node);
  if (a === undefined) changed.member = true;
  else if (b === undefined) removed.member = true;
  if (!granular(shape)) {
    if (a !== undefined && b !== undefined && !deepEqual(a, b)) changed.member = true;
    return;
  }
  if (shape.kind === 'struct' || shape.kind === 'map') {
    const oa = isObject(a) ? a : undefined;
    const ob = isObject(b) ? b : undefined;
    // A value of another type (a scalar where an object belongs) is compared whole.
    if ((a !== undefined && a !== null && oa === undefined) || (b !== undefined && b !== null && ob === undefined)) {
      if (a !== undefined && b !== undefined && !deepEqual(a, b)) changed.member = true;
      return;
    }
    const keys = new Set([...Object.keys(oa ?? {}), ...Object.keys(ob ?? {})]);
    for (const k of keys) {
      const av = a === undefined ? undefined : oa?.[k];
      const bv = b === undefined ? undefined : ob?.[k];
      // The same scalar (or the same shared object) on both sides: nothing to record.
      if (av !== undefined && av === bv) continue;
      compareChild(childNode(node, k), av, bv, `f:${k}`, changed, removed);
    }
    return;
  }
  const ia = itemsByElement(shape, a);
  const ib = itemsByElement(shape, b);
  if ((a !== undefined && a !== null && !Array.isArray(a)) || (b !== undefined && b !== null && !Array.isArray(b))) {
    if (a !== undefined && b !== undefined && !deepEqual(a, b)) changed.member = true;
    return;
  }
  for (const e of new Set([...ia.keys(), ...ib.keys()])) compareChild(node?.items, ia.get(e), ib.get(e), e, changed, removed);
}

/** Compares one child, adding its nodes to the sets only when it found something. */
function compareChild(node: SchemaNode | undefined, a: Json | undefined, b: Json | undefined, element: string, changed: FieldSet, removed: FieldSet): void {
  const c = new FieldSet();
  const r = new FieldSet();
  walkCompare(node, a, b, c, r);
  if (!c.empty) changed.children.set(element, c);
  if (!r.empty) removed.children.set(element, r);
}

/** The value at `path` in `value`, or undefined. */
export function valueAt(node: SchemaNode | undefined, value: Json | undefined, path: readonly string[]): Json | undefined {
  let cur = value;
  let n = node;
  for (const e of path) {
    if (cur === undefined) return undefined;
    if (e.startsWith('f:')) {
      if (!isObject(cur)) return undefined;
      const k = e.slice(2);
      cur = cur[k];
      n = childNode(n, k);
    } else {
      cur = itemsByElement(shapeOf(n), cur).get(e);
      n = n?.items;
    }
  }
  return cur;
}

/** Removes the value at `path` from `value` in place (a field, a map key or a list item). */
export function removeAt(node: SchemaNode | undefined, value: Json, path: readonly string[]): void {
  if (path.length === 0) return;
  const parentPath = path.slice(0, -1);
  let parentNode = node;
  for (const e of parentPath) parentNode = e.startsWith('f:') ? childNode(parentNode, e.slice(2)) : parentNode?.items;
  const parent = valueAt(node, value, parentPath);
  const last = path[path.length - 1] ?? '';
  if (last.startsWith('f:')) {
    if (isObject(parent)) delete parent[last.slice(2)];
    return;
  }
  if (!Array.isArray(parent)) return;
  const shape = shapeOf(parentNode);
  const i = parent.findIndex((item, idx) => itemElement(shape, item, idx) === last);
  if (i >= 0) parent.splice(i, 1);
}

/**
 * Merges an applied configuration into the live object (kube's merge for
 * apply): the configuration's values win, structs and maps merge key by key,
 * associative lists item by item (live order, new items after), sets as a
 * union, and everything atomic is replaced.
 */
export function mergeApplied(node: SchemaNode | undefined, live: Json | undefined, config: Json): Json {
  const shape = shapeOf(node);
  if ((shape.kind === 'struct' || shape.kind === 'map') && isObject(config)) {
    const out: JsonObject = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(config)) out[k] = mergeApplied(childNode(node, k), out[k], v);
    return out;
  }
  if ((shape.kind === 'assoc' || shape.kind === 'set') && Array.isArray(config)) {
    const out: Json[] = Array.isArray(live) ? [...live] : [];
    const positions = new Map<string, number>();
    out.forEach((item, i) => positions.set(itemElement(shape, item, i), i));
    config.forEach((item, i) => {
      const e = itemElement(shape, item, i);
      const at = positions.get(e);
      if (at === undefined || e.startsWith('i:')) {
        positions.set(e, out.length);
        out.push(item);
      } else out[at] = mergeApplied(node?.items, out[at], item);
    });
    return out;
  }
  return config;
}
