import { Schema, YAML11_SCHEMA, YAMLException, load, timestampTag } from 'js-yaml';
import { StatusError } from '../api/status-error.ts';
import type { FieldSet } from './field-set.ts';
import { pathString } from './field-set.ts';
import { tooDeep } from './json-depth.ts';
import { decodeStored, encodeManagedFields, kindSchema, ownedByCreation, withoutIgnored } from './managed-fields.ts';
import type { ManagedEntry } from './managed-fields.ts';
import { appliedFieldSet, compareObjects, isObject, itemElement, mergeApplied, removeAt, shapeOf, valueAt } from './object-fields.ts';
import type { SchemaNode } from './schemas/index.ts';
import type { Json, JsonObject } from './object-fields.ts';
import type { Registry } from './registry.ts';
import { groupVersion as apiVersionOf, objectKey, qualifiedResource } from './resources.ts';
import type { KObject, ResourceInfo } from './resources.ts';
import { badRequest, statusError } from './status.ts';

/** Values an apply body may expand to (YAML aliases can make a small body a huge object). */
const MAX_APPLY_NODES = 200_000;

function countNodes(value: unknown, budget: { left: number }): void {
  if (--budget.left < 0) throw badRequest('error decoding patch: the apply configuration is too large');
  if (Array.isArray(value)) for (const v of value) countNodes(v, budget);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) countNodes(v, budget);
}

/** YAML 1.1 as kube reads it (`on` is true, `<<` merges), dates left as strings. */
const yaml11 = new Schema(YAML11_SCHEMA.tags.filter((t) => t !== timestampTag));

/** Reads an apply body (YAML, JSON being YAML): 400 with kube's wording, never quoting the body. */
export function parseApplyBody(body: Buffer): JsonObject {
  let value: unknown;
  try {
    value = load(body.toString('utf8'), { json: true, schema: yaml11 });
  } catch (err) {
    // js-yaml's message quotes the body, which may hold secret data: name only the place.
    const where = err instanceof YAMLException ? `yaml: line ${(err.mark?.line ?? 0) + 1}: ${err.reason}` : 'yaml: the body could not be read';
    throw badRequest(`error decoding patch: ${where}`);
  }
  countNodes(value, { left: MAX_APPLY_NODES });
  if (tooDeep(value) !== undefined) throw badRequest('error decoding patch: the apply configuration is nested too deeply');
  if (!isObject(value)) throw badRequest('invalid object type: /, Kind=');
  return structuredClone(value);
}

function groupVersion(apiVersion: unknown): string {
  const text = typeof apiVersion === 'string' ? apiVersion : '';
  return text.includes('/') ? text : `/${text}`;
}

/** A manager as kube names it in conflicts: Update managers with their apiVersion. */
function managerName(e: ManagedEntry): string {
  const sub = e.subresource === undefined ? '' : ` with subresource "${e.subresource}"`;
  return `"${e.manager}"${sub}${e.operation === 'Update' ? ` using ${e.apiVersion}` : ''}`;
}

/** kube's 409 for apply conflicts: one cause per field, the message grouped by manager. */
function conflictError(conflicts: { entry: ManagedEntry; fields: FieldSet }[]): StatusError {
  const sorted = [...conflicts].sort((a, b) => (a.entry.manager < b.entry.manager ? -1 : a.entry.manager > b.entry.manager ? 1 : 0));
  const causes: { reason: string; message: string; field: string }[] = [];
  const lines: string[] = [];
  for (const { entry, fields } of sorted) {
    const paths = fields.paths().map(pathString);
    lines.push(`conflicts with ${managerName(entry)}:`, ...paths.map((p) => `- ${p}`));
    for (const p of paths) causes.push({ reason: 'FieldManagerConflict', message: `conflict with ${managerName(entry)}`, field: p });
  }
  const first = causes[0];
  const text = causes.length === 1 && first !== undefined ? `${first.message}: ${first.field}` : lines.join('\n');
  const count = `${causes.length} conflict${causes.length === 1 ? '' : 's'}`;
  return statusError(409, 'Conflict', `Apply failed with ${count}: ${text}`, { causes });
}

function withoutStatus(info: ResourceInfo, subresource: string | undefined, config: JsonObject): JsonObject {
  if (subresource === undefined && ['pods', 'nodes', 'namespaces'].includes(qualifiedResource(info))) {
    const out = { ...config };
    delete out['status'];
    return out;
  }
  return config;
}

export interface ApplyRequest {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string;
  subresource: string | undefined;
  manager: string;
  force: boolean;
  now: string;
}

/**
 * Server-side apply (PATCH application/apply-patch+yaml), as kube-apiserver
 * does it: the configuration is merged into the live object by the schema's
 * list and map types (the object is created when absent), fields this
 * manager applied before and no longer applies are removed when no other
 * manager owns them, fields another manager owns and this apply changes are
 * a 409 unless `force` (which takes them), and managedFields record it.
 * Answers the object and whether it was created.
 */
export function serverSideApply(registry: Registry, req: ApplyRequest, body: Buffer): { created: boolean; object: KObject } {
  const { info, namespace, name, subresource, manager } = req;
  const parsed = parseApplyBody(body);
  if (parsed['apiVersion'] !== apiVersionOf(info) || parsed['kind'] !== info.kind) {
    throw badRequest(`invalid object type: ${groupVersion(parsed['apiVersion'])}, Kind=${typeof parsed['kind'] === 'string' ? parsed['kind'] : ''}`);
  }
  const meta = isObject(parsed['metadata']) ? parsed['metadata'] : {};
  if (meta['managedFields'] !== undefined && meta['managedFields'] !== null) throw badRequest('metadata.managedFields must be nil');
  const metaName = typeof meta['name'] === 'string' ? meta['name'] : '';
  const live = registry.storage.get(qualifiedResource(info), objectKey(info.namespaced ? namespace : undefined, name));
  if (metaName === '' && live === undefined) throw badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
  if (metaName !== '' && metaName !== name) throw badRequest(`the name of the object (${metaName}) does not match the name on the URL (${name})`);
  const config = withoutStatus(info, subresource, parsed);
  const schema = kindSchema(info);
  const typeErrors = checkTypes(schema, config, qualifiedResource(info) === 'secrets');
  if (typeErrors.length > 0) {
    const ns = typeof meta['namespace'] === 'string' ? meta['namespace'] : '';
    const text = typeErrors.length === 1 ? (typeErrors[0] ?? '') : `errors:\n  ${typeErrors.join('\n  ')}`;
    // kube answers this 500 with no reason.
    const message = `failed to create typed patch object (${ns}/${metaName === '' ? name : metaName}; ${info.group}/${info.version}, Kind=${info.kind}): ${text}`;
    throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 500 });
  }
  const applied = withoutIgnored(info, subresource, appliedFieldSet(schema, config));
  const writer = { manager, operation: 'Apply' as const, subresource };
  if (live === undefined) {
    if (subresource !== undefined) return { created: false, object: registry.get(info, namespace, name) };
    const entry: ManagedEntry = { ...writer, apiVersion: apiVersionOf(info), time: req.now, fields: applied };
    const fresh = { ...config, metadata: { ...meta, managedFields: encodeManagedFields([entry]) } };
    return { created: true, object: registry.create(info, namespace, fresh, writer) };
  }
  let entries = decodeStored(live.metadata.managedFields) ?? [];
  if (entries.length === 0) {
    // An object nobody tracked yet: what it holds belongs to "before-first-apply".
    entries = [{ manager: 'before-first-apply', operation: 'Update', apiVersion: apiVersionOf(info), time: req.now, subresource: undefined, fields: ownedByCreation(info, live) }];
  }
  const isMine = (e: ManagedEntry): boolean => e.manager === manager && e.operation === 'Apply' && e.subresource === subresource;
  const last = entries.find(isMine);
  const others = entries.filter((e) => !isMine(e));
  const liveJson = { ...live, metadata: { ...live.metadata } } as unknown as JsonObject;
  delete (liveJson['metadata'] as JsonObject)['managedFields'];
  const merged = mergeApplied(schema, liveJson, config) as JsonObject;
  if (last !== undefined) prune(schema, merged, last.fields.difference(applied), others.reduce((s, e) => s.union(e.fields), applied));
  const cmp = compareObjects(schema, liveJson, merged);
  const changed = withoutIgnored(info, subresource, cmp.changed);
  const removed = withoutIgnored(info, subresource, cmp.removed);
  const conflicts = others.map((entry) => ({ entry, fields: entry.fields.intersection(changed) })).filter((c) => !c.fields.empty);
  if (conflicts.length > 0 && !req.force) {
    // kube lets kubectl take over what its client-side apply configuration holds.
    const allowed = kubectlManager(manager) ? lastAppliedFields(info, subresource, live) : undefined;
    const remaining = conflicts.map((c) => ({ ...c, fields: allowed === undefined ? c.fields : c.fields.difference(allowed) })).filter((c) => !c.fields.empty);
    if (remaining.length > 0) throw conflictError(remaining);
  }
  const objectChanged = !changed.empty || !removed.empty;
  const next: ManagedEntry[] = others.map((e) => ({ ...e, fields: e.fields.difference(changed).difference(removed) }));
  next.push({ ...writer, apiVersion: apiVersionOf(info), time: objectChanged ? req.now : last?.time, fields: applied });
  const mergedMeta = merged['metadata'] as JsonObject;
  mergedMeta['managedFields'] = encodeManagedFields(next) as unknown as Json;
  if (kubectlManager(manager) && isObject(mergedMeta['annotations']) && typeof mergedMeta['annotations'][LAST_APPLIED] === 'string') {
    mergedMeta['annotations'] = { ...mergedMeta['annotations'], [LAST_APPLIED]: lastAppliedValue(config) };
  }
  return { created: false, object: registry.update(info, namespace, name, merged, subresource, writer) };
}

/**
 * What kube's typed conversion of an apply configuration refuses: fields the
 * schema does not declare, a number or boolean where a string belongs (`on`,
 * `0x1F` in YAML), and list items with the same key, each as `<path>: <why>`.
 */
function checkTypes(node: SchemaNode | undefined, value: Json, secret: boolean, path: string[] = [], out: string[] = []): string[] {
  if (node === undefined || node.preserveUnknownFields || value === null) return out;
  const shape = shapeOf(node);
  if ((shape.kind === 'struct' || shape.kind === 'map' || (shape.kind === 'atomic' && node.type === 'object')) && isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const child = node.properties?.get(k) ?? node.additionalProperties;
      const at = [...path, `f:${k}`];
      if (child === undefined && node.properties !== undefined) out.push(`${pathString(at)}: field not declared in schema`);
      else checkTypes(child, v, secret, at, out);
    }
  } else if (node.type === 'array' && Array.isArray(value)) {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const element = itemElement(shape, item, i);
      if (seen.has(element)) out.push(`${pathString(path)}: duplicate entries for key ${pathString([element])}`);
      seen.add(element);
      checkTypes(node.items, item, secret, [...path, element], out);
    });
  } else if (node.type === 'string' && !node.intOrString && (typeof value === 'number' || typeof value === 'boolean')) {
    // kube quotes the value; a Secret's never leaves in an error here.
    const shown = secret ? `a ${typeof value}` : `&value.valueUnstructured{Value:${String(value)}}`;
    out.push(`${pathString(path)}: expected string, got ${shown}`);
  }
  return out;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** kube keeps client-side apply's annotation in step only for managers named kubectl*. */
function kubectlManager(manager: string): boolean {
  return manager.startsWith('kubectl');
}

/** The fields of the live object's client-side apply configuration, or undefined when it has none that reads. */
function lastAppliedFields(info: ResourceInfo, subresource: string | undefined, live: KObject): FieldSet | undefined {
  const text = live.metadata.annotations?.[LAST_APPLIED];
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Json;
    return isObject(parsed) ? withoutIgnored(info, subresource, appliedFieldSet(kindSchema(info), parsed)) : undefined;
  } catch {
    return undefined;
  }
}

/** JSON with object keys sorted, as Go encodes a map. */
function sortedJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${sortedJson(value[k] ?? null)}`).join(',')}}`;
  return JSON.stringify(value);
}

/** The annotation kube writes after a kubectl server-side apply: the configuration without the annotation itself. */
function lastAppliedValue(config: JsonObject): string {
  const copy = structuredClone(config);
  const meta = copy['metadata'];
  if (isObject(meta) && isObject(meta['annotations'])) {
    delete meta['annotations'][LAST_APPLIED];
    if (Object.keys(meta['annotations']).length === 0) delete meta['annotations'];
  }
  return `${sortedJson(copy)}\n`;
}

/**
 * Removes from `merged` the fields of `dropped` (what this manager applied
 * before and not now) that no one in `owned` holds, nor anything below them.
 */
function prune(schema: SchemaNode | undefined, merged: JsonObject, dropped: FieldSet, owned: FieldSet): void {
  const paths = dropped.difference(owned).paths();
  // Shallowest first: a list item goes whole before its key fields could be removed from under it.
  // Items found by position go from the last, so that no removal shifts another.
  const index = (p: string[]): number => {
    const last = p[p.length - 1] ?? '';
    return last.startsWith('i:') ? Number(last.slice(2)) : 0;
  };
  paths.sort((a, b) => a.length - b.length || index(b) - index(a));
  for (const p of paths) {
    if (owned.hasBelow(p)) continue;
    removeAt(schema, merged, p);
    // A map or list left empty goes too, as it does when kube stores the object (Go omits them).
    for (let up = p.length - 1; up > 0; up--) {
      const parent = p.slice(0, up);
      const v = valueAt(schema, merged, parent);
      if (!((isObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0))) break;
      removeAt(schema, merged, parent);
    }
  }
}
