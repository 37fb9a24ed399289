import { FieldSet, fromFieldsV1, toFieldsV1 } from './field-set.ts';
import { compareObjects, deepEqual } from './object-fields.ts';
import type { Json } from './object-fields.ts';
import { customResourceSchema } from './extra-resources.ts';
import { groupVersion, qualifiedResource } from './resources.ts';
import type { KObject, ResourceInfo } from './resources.ts';
import { schemaFor } from './schemas/index.ts';
import type { SchemaNode } from './schemas/index.ts';

/** One `metadata.managedFields` entry, decoded. */
export interface ManagedEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string | undefined;
  subresource: string | undefined;
  fields: FieldSet;
}

/** Who is writing: the manager and operation kube records. */
export interface Writer {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource: string | undefined;
}

/** The schema of a served core/v1 kind, or of a custom resource. */
export function kindSchema(info: ResourceInfo): SchemaNode | undefined {
  return info.custom === true ? customResourceSchema : schemaFor('', 'v1', info.kind);
}

function entryKey(e: { manager: string; operation: string; subresource: string | undefined }): string {
  return JSON.stringify([e.manager, e.operation, e.subresource ?? '']);
}

/**
 * Reads `metadata.managedFields` as kube decodes them: undefined when the
 * list is malformed (kube then ignores what the client sent).
 */
export function decodeManagedFields(raw: unknown): ManagedEntry[] | undefined {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return undefined;
  const out: ManagedEntry[] = [];
  for (const item of raw as unknown[]) {
    if (item === null || typeof item !== 'object') return undefined;
    const e = item as Record<string, unknown>;
    if (e['fieldsType'] !== 'FieldsV1') return undefined;
    if (e['operation'] !== 'Apply' && e['operation'] !== 'Update') return undefined;
    if (typeof e['manager'] !== 'string' || typeof e['apiVersion'] !== 'string' || e['apiVersion'] === '') return undefined;
    let fields: FieldSet;
    try {
      fields = fromFieldsV1(e['fieldsV1'] ?? {});
    } catch {
      return undefined;
    }
    const time = typeof e['time'] === 'string' ? e['time'] : undefined;
    const subresource = typeof e['subresource'] === 'string' && e['subresource'] !== '' ? e['subresource'] : undefined;
    out.push({ manager: e['manager'], operation: e['operation'], apiVersion: e['apiVersion'], time, subresource, fields });
  }
  return out;
}

/** Decoded managedFields of stored objects, which are never mutated: each is decoded once. */
const decodedStored = new WeakMap<object, ManagedEntry[] | undefined>();

/** decodeManagedFields for a stored object's list, memoised; callers get their own copies of the entries. */
export function decodeStored(raw: unknown): ManagedEntry[] | undefined {
  if (raw === null || typeof raw !== 'object') return decodeManagedFields(raw);
  if (!decodedStored.has(raw)) decodedStored.set(raw, decodeManagedFields(raw));
  return decodedStored.get(raw)?.map((e) => ({ ...e }));
}

function seconds(time: string | undefined): number {
  return time === undefined ? 0 : Math.floor(Date.parse(time) / 1000);
}

/** kube's order: Apply before Update, then by time, manager, apiVersion, subresource. */
export function encodeManagedFields(entries: readonly ManagedEntry[]): Record<string, unknown>[] {
  const sorted = [...entries].filter((e) => !e.fields.empty).sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    if (seconds(p.time) !== seconds(q.time)) return seconds(p.time) - seconds(q.time);
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    return (p.subresource ?? '') < (q.subresource ?? '') ? -1 : (p.subresource ?? '') > (q.subresource ?? '') ? 1 : 0;
  });
  return sorted.map((e) => {
    const out: Record<string, unknown> = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time !== undefined) out['time'] = e.time;
    out['fieldsType'] = 'FieldsV1';
    out['fieldsV1'] = toFieldsV1(e.fields);
    if (e.subresource !== undefined) out['subresource'] = e.subresource;
    return out;
  });
}

const strippedMeta = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'resourceVersion'];
const withStatus = new Set(['pods', 'nodes', 'namespaces']);

/**
 * The fields nobody owns (kube strips server-set metadata) and, for kinds
 * with a status subresource, those the other endpoint owns: `status` on the
 * main resource, all but `status` on `/status`.
 */
export function withoutIgnored(info: ResourceInfo, subresource: string | undefined, set: FieldSet): FieldSet {
  const out = set.clone();
  out.children.delete('f:apiVersion');
  out.children.delete('f:kind');
  const meta = out.children.get('f:metadata');
  if (meta !== undefined) {
    meta.member = false;
    for (const f of strippedMeta) {
      const c = meta.children.get(`f:${f}`);
      if (c !== undefined) c.member = false;
    }
    meta.children.delete('f:managedFields');
  }
  if (subresource === 'status') {
    for (const k of [...out.children.keys()]) if (k !== 'f:status') out.children.delete(k);
  } else if (withStatus.has(qualifiedResource(info))) out.children.delete('f:status');
  return out;
}

/**
 * What the empty object of a kind looks like to kube's field manager (Go's
 * zero value, serialized): fields present there are not "added" by a create.
 */
export function zeroObject(info: ResourceInfo): Json {
  switch (qualifiedResource(info)) {
    case 'pods':
      return { metadata: { creationTimestamp: null }, spec: { containers: null }, status: {} };
    case 'namespaces':
      // kube's namespace strategy sets spec.finalizers after the field manager ran: nobody owns them.
      return { metadata: { creationTimestamp: null }, spec: { finalizers: ['kubernetes'] }, status: {} };
    case 'nodes':
      return { metadata: { creationTimestamp: null }, spec: {}, status: {} };
    default:
      return { metadata: { creationTimestamp: null } };
  }
}

/** The set every field of `obj` would give an Update that created it. */
export function ownedByCreation(info: ResourceInfo, obj: KObject): FieldSet {
  return withoutIgnored(info, undefined, compareObjects(kindSchema(info), zeroObject(info), strip(obj)).changed);
}

function strip(obj: KObject): Json {
  const copy = { ...obj, metadata: { ...obj.metadata } } as Record<string, unknown> & { metadata: Record<string, unknown> };
  delete copy.metadata['managedFields'];
  return copy as unknown as Json;
}

/** Whether a client asked to clear the managed fields (`[]` or `[{}]`). */
function isReset(raw: unknown): boolean {
  return Array.isArray(raw) && (raw.length === 0 || (raw.length === 1 && deepEqual(raw[0], {})));
}

/**
 * Sets `obj.metadata.managedFields` for a create (old undefined) or an update
 * by `writer` with operation Update, as kube-apiserver's field manager does:
 * the writer takes every field it added or changed (others lose them),
 * removed fields leave every set, empty entries go. Client-sent managed
 * fields replace the stored ones when they decode (`[]` or `[{}]` clear them
 * on update); an object updated while it has none stays untracked; a change
 * of timestamps alone is no change.
 */
export function trackUpdate(info: ResourceInfo, old: KObject | undefined, obj: KObject, writer: Writer, now: string): void {
  const sent: unknown = obj.metadata.managedFields;
  if (old !== undefined && sent !== undefined && isReset(sent)) {
    delete obj.metadata.managedFields;
    return;
  }
  const stored: unknown = old?.metadata.managedFields;
  // A client that sent back what is stored (every patch does) changed nothing: decode it once.
  const fromClient = stored !== undefined && deepEqual(sent, stored) ? undefined : decodeManagedFields(sent);
  let entries = fromClient !== undefined && fromClient.length > 0 ? fromClient : (decodeStored(stored) ?? []);
  if (old !== undefined && entries.length === 0) {
    delete obj.metadata.managedFields;
    return;
  }
  const schema = kindSchema(info);
  const before = old === undefined ? zeroObject(info) : strip(old);
  const cmp = compareObjects(schema, before, strip(obj));
  const changed = withoutIgnored(info, writer.subresource, cmp.changed);
  const removed = withoutIgnored(info, writer.subresource, cmp.removed);
  const key = entryKey(writer);
  let mine: ManagedEntry | undefined;
  entries = entries.map((e) => {
    const next = { ...e, fields: e.fields.difference(changed).difference(removed) };
    if (entryKey(e) === key) mine = next;
    return next;
  });
  if (!changed.empty) {
    if (mine === undefined) {
      mine = { ...writer, apiVersion: groupVersion(info), time: undefined, fields: new FieldSet() };
      entries.push(mine);
    }
    mine.fields = mine.fields.union(changed);
    mine.time = now;
  }
  const encoded = encodeManagedFields(entries);
  if (encoded.length === 0) delete obj.metadata.managedFields;
  else {
    obj.metadata.managedFields = encoded;
    // The object is stored as it is: the next write finds its entries decoded.
    decodedStored.set(encoded, entries.filter((e) => !e.fields.empty));
  }
}
