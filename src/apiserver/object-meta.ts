// kube-apiserver's checks of an object's metadata that do not depend on its
// kind: label keys and values, annotation keys and total size, finalizer
// names and owner references (ValidateObjectMeta in apimachinery), with
// kube's field paths and messages so that clients see the same 422.
import type { FieldError } from './status.ts';

const namePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const namePartMessage =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValueMessage =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const subdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Total bytes of keys and values an object's annotations may hold (kube's TotalAnnotationSizeLimitB). */
export const MAX_ANNOTATION_BYTES = 256 * 1024;

/** Finalizers that need no domain prefix. */
const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** Why `key` is not a qualified name (`[prefix/]name`), one detail per problem; empty when it is one. */
export function qualifiedNameProblems(key: string): string[] {
  const parts = key.split('/');
  let name = key;
  const problems: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix === '') problems.push('prefix part must be non-empty');
    else if (prefix.length > 253) problems.push('prefix part must be no more than 253 characters');
    else if (!subdomain.test(prefix)) problems.push(`prefix part ${subdomainMessage}`);
  } else if (parts.length > 2) {
    return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name === '') problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push('name part must be no more than 63 characters');
  if (name !== '' && !namePart.test(name)) problems.push(namePartMessage);
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Appends to `errors` what kube-apiserver finds wrong in `meta` (labels, annotations, owner references, finalizers, in its order). */
export function checkObjectMeta(errors: FieldError[], meta: Record<string, unknown>): void {
  const labels = meta['labels'];
  if (isRecord(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      for (const detail of qualifiedNameProblems(k)) errors.push({ field: 'metadata.labels', type: 'Invalid', value: k, detail });
      if (typeof v !== 'string') continue;
      if (v.length > 63) errors.push({ field: 'metadata.labels', type: 'Invalid', value: v, detail: 'must be no more than 63 bytes' });
      if (!labelValue.test(v)) errors.push({ field: 'metadata.labels', type: 'Invalid', value: v, detail: labelValueMessage });
    }
  }
  const annotations = meta['annotations'];
  if (isRecord(annotations)) {
    let total = 0;
    for (const [k, v] of Object.entries(annotations)) {
      for (const detail of qualifiedNameProblems(k.toLowerCase())) errors.push({ field: 'metadata.annotations', type: 'Invalid', value: k, detail });
      total += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
    }
    if (total > MAX_ANNOTATION_BYTES) errors.push({ field: 'metadata.annotations', type: 'TooLong', detail: `may not be more than ${MAX_ANNOTATION_BYTES} bytes` });
  }
  const owners = meta['ownerReferences'];
  if (Array.isArray(owners)) {
    owners.forEach((ref: unknown, i) => {
      const at = `metadata.ownerReferences[${i}]`;
      const r = isRecord(ref) ? ref : {};
      if (typeof r['apiVersion'] !== 'string' || r['apiVersion'] === '') errors.push({ field: `${at}.apiVersion`, type: 'Invalid', value: r['apiVersion'] ?? '', detail: 'version must not be empty' });
      if (typeof r['kind'] !== 'string' || r['kind'] === '') errors.push({ field: `${at}.kind`, type: 'Invalid', value: r['kind'] ?? '', detail: 'kind must not be empty' });
      if (typeof r['name'] !== 'string' || r['name'] === '') errors.push({ field: `${at}.name`, type: 'Invalid', value: r['name'] ?? '', detail: 'name must not be empty' });
      if (typeof r['uid'] !== 'string' || r['uid'] === '') errors.push({ field: `${at}.uid`, type: 'Required', detail: 'must not be empty' });
    });
  }
  const finalizers = meta['finalizers'];
  if (Array.isArray(finalizers)) {
    finalizers.forEach((f: unknown, i) => {
      if (typeof f !== 'string') return;
      for (const detail of qualifiedNameProblems(f)) errors.push({ field: 'metadata.finalizers', type: 'Invalid', value: f, detail });
      if (!f.includes('/') && !standardFinalizers.has(f)) {
        errors.push({ field: `metadata.finalizers[${i}]`, type: 'Invalid', value: f, detail: 'name is neither a standard finalizer name nor is it fully qualified' });
      }
    });
  }
}
