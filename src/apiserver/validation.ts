import { tooDeep, tooDeepMessage } from './json-depth.ts';
import type { KObject, ResourceInfo } from './resources.ts';
import { groupVersion, qualifiedResource } from './resources.ts';
import { checkCustomKind } from './extra-resources.ts';
import { checkObjectMeta } from './object-meta.ts';
import { defaultPodSpec } from './pod-defaults.ts';
import { badRequest, invalid } from './status.ts';
import type { FieldError } from './status.ts';

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const configKey = /^[-._a-zA-Z0-9]+$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Checks a request body is an object of this resource's kind (kind and
 * apiVersion may be left out) with an object `metadata`; throws 400 otherwise.
 */
export function checkBody(info: ResourceInfo, body: unknown): KObject {
  checkKind(info, body);
  // A patch can nest a body deeper than any it was sent: what is stored stays within what can be cloned and served.
  const opening = tooDeep(body);
  if (opening !== undefined) throw badRequest(tooDeepMessage(info.kind, opening));
  const metadata = body['metadata'] ?? {};
  if (!isRecord(metadata)) throw badRequest('metadata must be a JSON object');
  return { ...body, kind: info.kind, apiVersion: groupVersion(info), metadata: { ...metadata } };
}

/** The body is a JSON object of the resource's kind and version (kube's decoder checks this first). */
export function checkKind(info: ResourceInfo, body: unknown): asserts body is Record<string, unknown> {
  if (!isRecord(body)) throw badRequest(`the body of the request was not a JSON object of kind ${info.kind}`);
  if (info.custom === true) return checkCustomKind(info, body);
  const kind = body['kind'];
  const apiVersion = body['apiVersion'];
  const expected = groupVersion(info);
  if ((kind !== undefined && kind !== info.kind) || (apiVersion !== undefined && apiVersion !== expected)) {
    throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${expected}), or the kind (${String(kind)}) is not ${info.kind}`);
  }
}

/** Fills in what kube's defaulting sets on create (and keeps on update). */
export function applyDefaults(info: ResourceInfo, obj: KObject): void {
  switch (qualifiedResource(info)) {
    case 'secrets': {
      if (obj['type'] === undefined || obj['type'] === '') obj['type'] = 'Opaque';
      const stringData = obj['stringData'];
      if (isRecord(stringData)) {
        const data: Record<string, unknown> = isRecord(obj['data']) ? { ...obj['data'] } : {};
        for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        obj['data'] = data;
      }
      delete obj['stringData'];
      break;
    }
    case 'namespaces': {
      const name = obj.metadata.name ?? '';
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': name };
      const spec = isRecord(obj['spec']) ? { ...obj['spec'] } : {};
      if (spec['finalizers'] === undefined) spec['finalizers'] = ['kubernetes'];
      obj['spec'] = spec;
      const status = isRecord(obj['status']) ? { ...obj['status'] } : {};
      if (status['phase'] === undefined) status['phase'] = 'Active';
      obj['status'] = status;
      break;
    }
    case 'pods': {
      const spec = isRecord(obj['spec']) ? { ...obj['spec'] } : {};
      defaultPodSpec(spec);
      obj['spec'] = spec;
      const status = isRecord(obj['status']) ? { ...obj['status'] } : {};
      status['phase'] ??= 'Pending';
      // Go serializes an unset metav1.Time of a PodCondition as null (the struct is not omitted).
      if (Array.isArray(status['conditions'])) {
        status['conditions'] = (status['conditions'] as unknown[]).map((c) => {
          if (!isRecord(c)) return c;
          const d = { ...c };
          if (!('lastProbeTime' in d)) d['lastProbeTime'] = null;
          if (!('lastTransitionTime' in d)) d['lastTransitionTime'] = null;
          return d;
        });
      }
      if (status['qosClass'] === undefined) {
        const containers = Array.isArray(spec['containers']) ? (spec['containers'] as unknown[]) : [];
        status['qosClass'] = containers.some((c) => isRecord(c) && isRecord(c['resources']) && Object.keys(c['resources']).length > 0)
          ? 'Burstable'
          : 'BestEffort';
      }
      obj['status'] = status;
      break;
    }
    default:
      break;
  }
}

function checkKeys(errors: FieldError[], field: string, value: unknown, base64: boolean): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) {
    errors.push({ field, type: 'Invalid', value: typeof value, detail: 'must be a map of strings' });
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!configKey.test(k)) {
      errors.push({ field: `${field}[${k}]`, type: 'Invalid', value: k, detail: "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" });
    }
    if (typeof v !== 'string') errors.push({ field: `${field}[${k}]`, type: 'Invalid', value: '', detail: 'must be a string' });
    else if (base64 && !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
      errors.push({ field: `${field}[${k}]`, type: 'Invalid', value: '<redacted>', detail: 'must be base64-encoded' });
    }
  }
}

/** Most bytes of data a Secret or ConfigMap may hold (kube's MaxSecretSize, 1 MiB). */
export const MAX_DATA_BYTES = 1024 * 1024;

/** Bytes of the string values of a data map: decoded from base64 when `base64`, else as UTF-8. */
function valueBytes(map: unknown, base64: boolean): number {
  if (!isRecord(map)) return 0;
  let total = 0;
  for (const v of Object.values(map)) if (typeof v === 'string') total += base64 ? Buffer.byteLength(v, 'base64') : Buffer.byteLength(v, 'utf8');
  return total;
}

const labelMessage =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const subdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** kube's IsDNS1123Label / IsDNS1123Subdomain: the length problem and the character problem, each when it applies. */
function nameProblems(name: string, label: boolean): string[] {
  const max = label ? 63 : 253;
  const problems: string[] = [];
  if (name.length > max) problems.push(`must be no more than ${max} characters`);
  if (!(label ? dns1123Label : dns1123Subdomain).test(name)) problems.push(label ? labelMessage : subdomainMessage);
  return problems;
}

/** The object's metadata problems: its name (or generateName) and checkObjectMeta's rules. */
function metaErrors(info: ResourceInfo, obj: KObject): FieldError[] {
  const errors: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  const generateName = obj.metadata.generateName;
  const isLabel = qualifiedResource(info) === 'namespaces';
  // kube checks the generateName prefix (a trailing '-' allowed) before the name it made from it.
  if (typeof generateName === 'string' && generateName !== '') {
    for (const detail of nameProblems(generateName.replace(/-$/, 'a'), isLabel)) errors.push({ field: 'metadata.generateName', type: 'Invalid', value: generateName, detail });
  }
  if (name === '') errors.push({ field: 'metadata.name', type: 'Required', detail: 'name or generateName is required' });
  else for (const detail of nameProblems(name, isLabel)) errors.push({ field: 'metadata.name', type: 'Invalid', value: name, detail });
  checkObjectMeta(errors, obj.metadata as Record<string, unknown>);
  return errors;
}

/** The rules of the object's kind (containers, data keys and sizes, the keys of a TLS Secret). */
function kindErrors(info: ResourceInfo, obj: KObject): FieldError[] {
  const errors: FieldError[] = [];
  const resource = qualifiedResource(info);
  if (resource === 'pods') {
    const spec = obj['spec'];
    const containers = isRecord(spec) ? spec['containers'] : undefined;
    if (!Array.isArray(containers) || containers.length === 0) errors.push({ field: 'spec.containers', type: 'Required', detail: '' });
    else {
      containers.forEach((c: unknown, i) => {
        if (!isRecord(c) || typeof c['name'] !== 'string' || c['name'] === '') errors.push({ field: `spec.containers[${i}].name`, type: 'Required', detail: '' });
        if (!isRecord(c) || typeof c['image'] !== 'string' || c['image'] === '') errors.push({ field: `spec.containers[${i}].image`, type: 'Required', detail: '' });
      });
    }
  }
  if (resource === 'secrets' || resource === 'configmaps') {
    checkKeys(errors, 'data', obj['data'], resource === 'secrets');
    if (resource === 'configmaps') {
      checkKeys(errors, 'binaryData', obj['binaryData'], true);
      const binary = obj['binaryData'];
      if (isRecord(obj['data']) && isRecord(binary)) {
        for (const k of Object.keys(obj['data'])) if (k in binary) errors.push({ field: `data[${k}]`, type: 'Invalid', value: k, detail: 'duplicate of key present in binaryData' });
      }
    }
    // kube's total: a ConfigMap's data (UTF-8) and binaryData (decoded) bytes, a Secret's decoded data bytes; keys do not count.
    const secret = resource === 'secrets';
    // kube's per-type rule for TLS Secrets: both keys present.
    if (secret && obj['type'] === 'kubernetes.io/tls') {
      const data = isRecord(obj['data']) ? obj['data'] : {};
      for (const key of ['tls.crt', 'tls.key']) if (data[key] === undefined) errors.push({ field: `data[${key}]`, type: 'Required', detail: '' });
    }
    const size = valueBytes(obj['data'], secret) + (secret ? 0 : valueBytes(obj['binaryData'], true));
    if (size > MAX_DATA_BYTES) errors.push({ field: secret ? 'data' : '[]', type: 'TooLong', detail: `may not be more than ${MAX_DATA_BYTES} bytes` });
  }
  return errors;
}

/** Validates an object about to be created; throws 422 Invalid listing every problem. */
export function validateObject(info: ResourceInfo, obj: KObject): void {
  const errors = [...metaErrors(info, obj), ...kindErrors(info, obj)];
  if (errors.length > 0) throw invalid(info.kind, obj.metadata.name ?? '', errors, info.group);
}

function sameJson(a: unknown, b: unknown): boolean {
  return deepEqual(a ?? {}, b ?? {});
}

/** Rules that compare the stored object with its replacement, in kube's order (a Secret's type before `immutable`). */
function updateRuleErrors(info: ResourceInfo, old: KObject, obj: KObject): FieldError[] {
  const resource = qualifiedResource(info);
  if (resource !== 'secrets' && resource !== 'configmaps') return [];
  const errors: FieldError[] = [];
  if (resource === 'secrets' && old['type'] !== obj['type']) errors.push({ field: 'type', type: 'Invalid', value: obj['type'], detail: 'field is immutable' });
  const detail = 'field is immutable when `immutable` is set';
  if (old['immutable'] === true) {
    if (obj['immutable'] !== true) errors.push({ field: 'immutable', type: 'Forbidden', detail });
    if (!sameJson(old['data'], obj['data'])) errors.push({ field: 'data', type: 'Forbidden', detail });
    if (resource === 'configmaps' && !sameJson(old['binaryData'], obj['binaryData'])) errors.push({ field: 'binaryData', type: 'Forbidden', detail });
  }
  return errors;
}

/**
 * Validates the replacement of a stored object; throws one 422 Invalid
 * listing the problems in kube-apiserver's order: the new metadata, then
 * `metaUpdate` (changes to immutable metadata the caller found), the update
 * rules of the kind, then the new object's own rules.
 */
export function validateUpdate(info: ResourceInfo, old: KObject, obj: KObject, metaUpdate: readonly FieldError[] = []): void {
  const errors = [...metaErrors(info, obj), ...metaUpdate, ...updateRuleErrors(info, old, obj), ...kindErrors(info, obj)];
  if (errors.length > 0) throw invalid(info.kind, obj.metadata.name ?? '', errors, info.group);
}

/** Structural equality of JSON values, ignoring object key order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
