/**
 * A set of field paths, as server-side apply records ownership: a tree whose
 * edges are path elements in their FieldsV1 spelling (`f:name` a field or map
 * key, `k:{"name":"c"}` an associative-list item, `v:"x"` a set item, `i:0`
 * an item of a list by position), and whose nodes say whether their own path
 * is in the set (`.` in FieldsV1).
 */
export class FieldSet {
  member = false;
  readonly children = new Map<string, FieldSet>();

  /** The child node for `element`, made when missing. */
  child(element: string): FieldSet {
    let c = this.children.get(element);
    if (c === undefined) {
      c = new FieldSet();
      this.children.set(element, c);
    }
    return c;
  }

  /** Whether no path is in the set. */
  get empty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.empty) return false;
    return true;
  }

  /** Adds the path `elements`. */
  insert(elements: readonly string[]): void {
    const [first, ...rest] = elements;
    if (first === undefined) this.member = true;
    else this.child(first).insert(rest);
  }

  /** The node of the path `elements`, if the set has one. */
  #find(elements: readonly string[]): FieldSet | undefined {
    const [first, ...rest] = elements;
    if (first === undefined) return this;
    const next = this.children.get(first);
    return next === undefined ? undefined : next.#find(rest);
  }

  has(elements: readonly string[]): boolean {
    return this.#find(elements)?.member === true;
  }

  /** Whether some path strictly below `elements` is in the set. */
  hasBelow(elements: readonly string[]): boolean {
    const node = this.#find(elements);
    if (node === undefined) return false;
    for (const c of node.children.values()) if (!c.empty) return true;
    return false;
  }

  union(other: FieldSet): FieldSet {
    const out = this.clone();
    out.#add(other);
    return out;
  }

  #add(other: FieldSet): void {
    if (other.member) this.member = true;
    for (const [e, c] of other.children) this.child(e).#add(c);
  }

  /** The paths of this set that are not in `other` (exact paths: a path's descendants stay). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [e, c] of this.children) {
      const o = other.children.get(e);
      const d = o === undefined ? c.clone() : c.difference(o);
      if (!d.empty) out.children.set(e, d);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [e, c] of this.children) {
      const o = other.children.get(e);
      if (o === undefined) continue;
      const i = c.intersection(o);
      if (!i.empty) out.children.set(e, i);
    }
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [e, c] of this.children) if (!c.empty) out.children.set(e, c.clone());
    return out;
  }

  /** Every path in the set, each as its list of elements, in FieldsV1 order. */
  paths(prefix: string[] = []): string[][] {
    const out: string[][] = [];
    if (this.member) out.push(prefix);
    for (const e of sortedElements(this.children.keys())) {
      out.push(...(this.children.get(e) as FieldSet).paths([...prefix, e]));
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).empty && other.difference(this).empty;
  }
}

function sortedElements(elements: Iterable<string>): string[] {
  return [...elements].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The FieldsV1 JSON of a set: `{"f:data": {".": {}, "f:key": {}}}`. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (set.member && set.children.size > 0) out['.'] = {};
  for (const e of sortedElements(set.children.keys())) {
    const c = set.children.get(e) as FieldSet;
    if (!c.empty) out[e] = toFieldsV1(c);
  }
  return out;
}

const elementPrefix = /^[fkvi]:/;

/** Reads FieldsV1 JSON; throws an Error saying what is wrong. */
export function fromFieldsV1(json: unknown, depth = 0): FieldSet {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('FieldsV1 nodes must be JSON objects');
  if (depth > 200) throw new Error('FieldsV1 is nested too deeply');
  const set = new FieldSet();
  const entries = Object.entries(json as Record<string, unknown>);
  for (const [k, v] of entries) {
    if (k === '.') {
      set.member = true;
      continue;
    }
    if (!elementPrefix.test(k)) throw new Error(`unknown FieldsV1 path element ${JSON.stringify(k)}`);
    if (k.startsWith('k:') || k.startsWith('v:')) JSON.parse(k.slice(2));
    if (k.startsWith('i:') && !/^i:\d+$/.test(k)) throw new Error(`bad FieldsV1 index ${JSON.stringify(k)}`);
    const c = fromFieldsV1(v, depth + 1);
    if (Object.keys(v as object).length === 0) c.member = true;
    set.children.set(k, c);
  }
  return set;
}

/** A path as kube prints it in conflicts: `.spec.containers[name="c"].image`. */
export function pathString(elements: readonly string[]): string {
  let out = '';
  for (const e of elements) {
    const body = e.slice(2);
    if (e.startsWith('f:')) out += `.${body}`;
    else if (e.startsWith('i:')) out += `[${body}]`;
    else if (e.startsWith('v:')) out += `[=${body}]`;
    else {
      const keys = JSON.parse(body) as Record<string, unknown>;
      out += `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    }
  }
  return out;
}
