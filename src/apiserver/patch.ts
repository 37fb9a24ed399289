import { badRequest, statusError } from './status.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch: objects merge, null deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v) as Json;
  }
  return out;
}

// --- RFC 6902 JSON patch -------------------------------------------------

function pointer(path: unknown): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) throw badRequest(`invalid JSON pointer: ${JSON.stringify(path)}`);
  return path === '' ? [] : path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function patchFailed(message: string): Error {
  return statusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);
}

function parentOf(doc: Json, parts: string[], op: string): { parent: JsonObject | Json[]; last: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)] ?? null;
    else if (isObject(cur)) cur = cur[p] ?? null;
    else cur = null;
    if (cur === null) throw patchFailed(`${op} operation does not apply: doc is missing path: "/${parts.join('/')}"`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw patchFailed(`${op} operation does not apply: doc is missing path: "/${parts.join('/')}"`);
  return { parent: cur, last: parts[parts.length - 1] ?? '' };
}

function getAt(doc: Json, parts: string[], op: string): Json {
  let cur: Json | undefined = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = Object.hasOwn(cur, p) ? cur[p] : undefined;
    else cur = undefined;
    if (cur === undefined) throw patchFailed(`${op} operation does not apply: doc is missing path: "/${parts.join('/')}"`);
  }
  return cur;
}

function arrayIndex(arr: Json[], key: string, forAdd: boolean, op: string): number {
  if (forAdd && key === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw patchFailed(`${op} operation does not apply: invalid array index "${key}"`);
  const i = Number(key);
  if (i > arr.length || (!forAdd && i === arr.length)) throw patchFailed(`${op} operation does not apply: index ${i} out of bounds`);
  return i;
}

function removeAt(doc: Json, parts: string[], op: string): Json {
  if (parts.length === 0) throw patchFailed(`${op} operation does not apply: cannot remove the document root`);
  const { parent, last } = parentOf(doc, parts, op);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, false, op), 1)[0] ?? null;
  if (!Object.hasOwn(parent, last)) throw patchFailed(`${op} operation does not apply: doc is missing path: "/${parts.join('/')}"`);
  const old = parent[last] ?? null;
  delete parent[last];
  return old;
}

function addAt(doc: Json, parts: string[], value: Json, op: string, replace: boolean): Json {
  if (parts.length === 0) return value;
  const { parent, last } = parentOf(doc, parts, op);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, !replace, op);
    parent.splice(i, replace ? 1 : 0, value);
  } else {
    if (replace && !Object.hasOwn(parent, last)) throw patchFailed(`${op} operation does not apply: doc is missing key: "/${parts.join('/')}"`);
    parent[last] = value;
  }
  return doc;
}

/** Applies an RFC 6902 patch (add, remove, replace, move, copy, test) to a copy of `doc`. */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be a JSON array of operations');
  let out = structuredClone(doc) as Json;
  for (const raw of ops as unknown[]) {
    if (!isObject(raw) || typeof raw['op'] !== 'string') throw badRequest(`invalid JSON patch operation: ${JSON.stringify(raw)}`);
    const op = raw['op'];
    const parts = pointer(raw['path']);
    switch (op) {
      case 'add':
      case 'replace':
        if (!Object.hasOwn(raw, 'value')) throw badRequest(`${op} operation is missing "value"`);
        out = addAt(out, parts, structuredClone(raw['value'] ?? null), op, op === 'replace');
        break;
      case 'remove':
        removeAt(out, parts, op);
        break;
      case 'move': {
        const value = removeAt(out, pointer(raw['from']), op);
        out = addAt(out, parts, value, op, false);
        break;
      }
      case 'copy':
        out = addAt(out, parts, structuredClone(getAt(out, pointer(raw['from']), op)), op, false);
        break;
      case 'test':
        if (JSON.stringify(getAt(out, parts, op)) !== JSON.stringify(raw['value'] ?? null)) {
          throw patchFailed(`testing value ${JSON.stringify(raw['path'])} failed`);
        }
        break;
      default:
        // kube-apiserver answers an unknown operation like any failed operation: 422 Invalid.
        throw patchFailed(`unexpected JSON patch operation "${op}"`);
    }
  }
  return out;
}

// --- strategic merge patch (the subset core/v1 objects and kubectl apply need) ---

/** Merge keys of core/v1 lists that merge by key rather than replace. */
const mergeKeys: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  secrets: 'name',
  conditions: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  taints: 'key',
};

/** Primitive lists merged as sets (union) rather than replaced. */
const mergedPrimitiveLists = new Set(['finalizers']);

function smpList(field: string, target: Json | undefined, patch: Json[]): Json[] {
  const key = mergeKeys[field];
  if (mergedPrimitiveLists.has(field)) {
    const out = Array.isArray(target) ? [...target] : [];
    for (const v of patch) if (!out.some((o) => JSON.stringify(o) === JSON.stringify(v))) out.push(v);
    return out;
  }
  if (key === undefined || !Array.isArray(target)) {
    return patch.filter((p) => !(isObject(p) && p['$patch'] === 'delete')).map((p) => (isObject(p) ? stripDirectives(p) : p));
  }
  if (patch.some((p) => isObject(p) && p['$patch'] === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p['$patch'] === 'replace')).map((p) => (isObject(p) ? stripDirectives(p) : p));
  }
  const out = [...target];
  for (const item of patch) {
    if (!isObject(item)) throw badRequest(`strategic merge patch: list "${field}" must hold objects with the merge key "${key}"`);
    const idx = out.findIndex((o) => isObject(o) && JSON.stringify(o[key]) === JSON.stringify(item[key]));
    if (item['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = strategicMergePatch(out[idx], item) as Json;
    else out.push(stripDirectives(item));
  }
  return out;
}

function stripDirectives(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('$')) continue;
    out[k] = isObject(v) ? stripDirectives(v) : v;
  }
  return out;
}

/**
 * Strategic merge patch as kube applies it to core/v1 objects: a JSON merge
 * patch where lists with a known merge key (containers by name, ports by
 * containerPort, ...) merge item by item, `finalizers` merge as a set, and
 * the directives `$patch: replace|delete`, `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>` apply.
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  if (patch['$patch'] === 'delete') return undefined;
  if (patch['$patch'] === 'replace') return stripDirectives(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  const deferredDeletes: [string, Json[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$') && !k.startsWith('$deleteFromPrimitiveList/')) continue; // $patch, $retainKeys, $setElementOrder/*
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      if (!Array.isArray(v)) throw badRequest(`strategic merge patch: ${k} must be a list`);
      deferredDeletes.push([k.slice('$deleteFromPrimitiveList/'.length), v]);
      continue;
    }
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = smpList(k, out[k], v);
    else if (isObject(v)) {
      const merged = strategicMergePatch(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged as Json;
    } else out[k] = v;
  }
  for (const [field, values] of deferredDeletes) {
    const list = out[field];
    if (Array.isArray(list)) out[field] = list.filter((x) => !values.some((d) => JSON.stringify(d) === JSON.stringify(x)));
  }
  const retain = patch['$retainKeys'];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw badRequest('strategic merge patch: $retainKeys must be a list');
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  return out;
}

/** Media types accepted for PATCH, mapped to their function. */
export const patchTypes: Record<string, (target: unknown, patch: unknown) => unknown> = {
  'application/merge-patch+json': mergePatch,
  'application/strategic-merge-patch+json': strategicMergePatch,
  'application/json-patch+json': jsonPatch,
};
