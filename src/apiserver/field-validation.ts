import type { StatusError } from '../api/status-error.ts';
import { childPath, type DecodedJson } from './json-decode.ts';
import type { ResourceInfo } from './resources.ts';
import { customResourceSchema } from './extra-resources.ts';
import { schemaFor, type SchemaNode } from './schemas/index.ts';
import { badRequest, statusError } from './status.ts';

/**
 * kube-apiserver's field validation on writes (the `fieldValidation` query
 * parameter): it decodes a body into its Go type, so a field the type does
 * not have is never stored. Strict answers an error listing the unknown and
 * duplicate fields, Warn (the default) stores without them and says so in
 * `Warning` headers, Ignore drops them silently. A value of the wrong JSON
 * type is an error in every mode, with Go's decoding message.
 */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** The options kind kube names in the 422 for a bad `fieldValidation`. */
export type WriteOptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/** How kube-apiserver turns a value into its patch error and decoding text. */
export type PatchStyle = 'json' | 'merge' | 'strategic';

/** The mode a request asks for; an unknown one is kube's 422 naming `options`. */
export function fieldValidationMode(query: URLSearchParams, options: WriteOptionsKind): FieldValidation {
  const value = query.get('fieldValidation') ?? '';
  if (value === '' || value === 'Warn') return 'Warn';
  if (value === 'Strict' || value === 'Ignore') return value;
  const detail = `Unsupported value: ${goQuote(value)}: supported values: "", "Ignore", "Strict", "Warn"`;
  throw statusError(422, 'Invalid', `${options}.meta.k8s.io "" is invalid: fieldValidation: ${detail}`, {
    group: 'meta.k8s.io',
    kind: options,
    causes: [{ reason: 'FieldValueNotSupported', message: detail, field: 'fieldValidation' }],
  });
}

/** What a checked write may go on with: the value without unknown fields, and the warnings to send. */
export interface CheckedFields {
  value: unknown;
  /** Messages (`unknown field "x"`) for `Warning` headers; empty unless the mode is Warn. */
  warnings: string[];
}

/** Strict decoding lists at most this many fields, as kube-apiserver's decoder. */
const MAX_LISTED = 100;

const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const quantityPattern = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const TIMES = new Set(['io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime']);

/** Go's strconv.Quote, as kube-apiserver quotes field paths (%q). */
export function goQuote(s: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const esc = named[ch];
    if (esc !== undefined) out += esc;
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** Go's type name for a schema node (`v1.PodSpec`, `map[string]string`, `[]uint8`), as its decoding errors print it. */
function goType(node: SchemaNode): string {
  if (node.name !== undefined && TIMES.has(node.name)) return 'string';
  if (node.name === QUANTITY) return 'resource.Quantity';
  if (node.intOrString) return 'intstr.IntOrString';
  switch (node.type) {
    case 'string':
      return node.format === 'byte' ? '[]uint8' : 'string';
    case 'boolean':
      return 'bool';
    case 'integer':
      return node.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    case 'array':
      return `[]${node.items === undefined ? 'interface {}' : goType(node.items)}`;
    default:
      break;
  }
  if (node.additionalProperties !== undefined) return `map[string]${goType(node.additionalProperties)}`;
  if (node.name !== undefined) {
    const parts = node.name.split('.');
    return `${parts[parts.length - 2] ?? ''}.${parts[parts.length - 1] ?? ''}`;
  }
  return 'interface {}';
}

/** Go's short name of a struct (`PodSpec`), as "Go struct field PodSpec.spec.x" prints it. */
function structName(node: SchemaNode): string {
  return node.name?.split('.').pop() ?? '';
}

/** The JSON kind word of Go's "cannot unmarshal <kind> into" (encoding/json). */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  return typeof v === 'string' ? 'string' : 'object';
}

/** The Go kind of an unstructured value (what strategic merge's converter names). */
function unstructuredKind(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'object' && v !== null) return 'map';
  return typeof v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** First byte of `s` Go's base64.StdEncoding rejects (it skips CR and LF), or -1. */
function badBase64At(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (!/[A-Za-z0-9+/=\r\n]/.test(s[i] ?? '')) return Buffer.byteLength(s.slice(0, i), 'utf8');
  }
  return -1;
}

interface Walk {
  /** `json` (Go's encoding/json on a body or a merge/JSON-patched object) or `unstructured` (strategic merge's converter). */
  style: 'json' | 'unstructured';
  numberTexts: Map<string, string> | undefined;
  /** Visit keys in Go's map order (sorted): a patched object is a Go map before kube decodes it. */
  sorted: boolean;
  unknown: string[];
  typeError: string | undefined;
}

/** The text Go's decoder gives for `value` where a `node` was expected. */
function typeMismatch(w: Walk, node: SchemaNode, value: unknown, struct: string, fieldPath: string, literal?: string): void {
  if (w.typeError !== undefined) return;
  if (w.style === 'unstructured') {
    const target = goType(node);
    const have = unstructuredKind(value);
    if (target.startsWith('map[')) w.typeError = `cannot restore map from ${have}`;
    else if (target.startsWith('[]') && target !== '[]uint8') w.typeError = `cannot restore slice from ${have}`;
    else if (node.properties !== undefined) w.typeError = `cannot restore struct from ${have}`;
    else if (have === 'int64' && target === 'string') w.typeError = 'cannot convert int64 to string';
    else w.typeError = `unrecognized type: ${target}`;
    return;
  }
  const what = literal === undefined ? jsonKind(value) : `number ${literal}`;
  const target = node.intOrString ? 'int32' : goType(node);
  w.typeError = `json: cannot unmarshal ${what} into Go struct field ${struct}.${fieldPath} of type ${target}`;
}

function checkInteger(w: Walk, node: SchemaNode, value: number, path: string, struct: string, fieldPath: string, bits: 32 | 64): void {
  const literal = w.numberTexts?.get(path) ?? String(value);
  const limit = bits === 32 ? 2 ** 31 : 2 ** 63;
  if (!/^-?\d+$/.test(literal) || !Number.isInteger(value) || value < -limit || value >= limit) {
    typeMismatch(w, node, value, struct, fieldPath, literal);
  }
}

/**
 * Checks `value` against `node` as Go's decoder would, removing unknown
 * fields (recorded in `w.unknown`) and null struct fields (Go leaves them
 * unset), and recording the first type error. `struct` and `fieldPath` are
 * what Go's type errors print: the innermost struct and the path of field
 * names (no indices or map keys). Answers the value to keep.
 */
function walk(w: Walk, node: SchemaNode, value: unknown, path: string, struct: string, fieldPath: string): unknown {
  if (value === null) return value;
  if (node.name === QUANTITY) {
    if (typeof value === 'number' || (typeof value === 'string' && quantityPattern.test(value))) return value;
    w.typeError ??= QUANTITY_ERROR;
    return value;
  }
  if (node.name !== undefined && TIMES.has(node.name)) {
    if (typeof value !== 'string') typeMismatch(w, node, value, struct, fieldPath);
    return value;
  }
  if (node.intOrString) {
    if (typeof value === 'number') checkInteger(w, node, value, path, struct, fieldPath, 32);
    else if (typeof value !== 'string') typeMismatch(w, node, value, struct, fieldPath);
    return value;
  }
  switch (node.type) {
    case 'string':
      if (typeof value !== 'string') typeMismatch(w, node, value, struct, fieldPath);
      else if (node.format === 'byte' && w.style === 'json' && w.typeError === undefined) {
        const at = badBase64At(value);
        if (at >= 0) w.typeError = `illegal base64 data at input byte ${String(at)}`;
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') typeMismatch(w, node, value, struct, fieldPath);
      return value;
    case 'integer':
      if (typeof value !== 'number') typeMismatch(w, node, value, struct, fieldPath);
      else checkInteger(w, node, value, path, struct, fieldPath, node.format === 'int32' ? 32 : 64);
      return value;
    case 'number':
      if (typeof value !== 'number') typeMismatch(w, node, value, struct, fieldPath);
      return value;
    case 'array': {
      if (!Array.isArray(value)) {
        typeMismatch(w, node, value, struct, fieldPath);
        return value;
      }
      const items = node.items;
      if (items !== undefined) {
        for (let i = 0; i < value.length; i++) value[i] = walk(w, items, value[i], `${path}[${String(i)}]`, struct, fieldPath);
      }
      return value;
    }
    default:
      break;
  }
  if (node.properties !== undefined) return walkStruct(w, node, node.properties, value, path, struct, fieldPath);
  if (node.additionalProperties !== undefined) {
    if (!isPlainObject(value)) {
      typeMismatch(w, node, value, struct, fieldPath);
      return value;
    }
    const element = node.additionalProperties;
    for (const [key, v] of Object.entries(value)) {
      // Go decodes null into a map's string value as "".
      if (v === null) {
        if (element.type === 'string' && element.format !== 'byte') value[key] = '';
        continue;
      }
      value[key] = walk(w, element, v, childPath(path, key), struct, fieldPath);
    }
  }
  return value;
}

function walkStruct(w: Walk, node: SchemaNode, properties: ReadonlyMap<string, SchemaNode>, value: unknown, path: string, struct: string, fieldPath: string): unknown {
  if (!isPlainObject(value)) {
    typeMismatch(w, node, value, struct, fieldPath);
    return value;
  }
  const name = structName(node);
  const keys = w.sorted ? Object.keys(value).sort() : Object.keys(value);
  for (const key of keys) {
    const v = value[key];
    const field = properties.get(key);
    const keyPath = childPath(path, key);
    if (field === undefined) {
      if (!node.preserveUnknownFields) {
        w.unknown.push(keyPath);
        delete value[key];
      }
      continue;
    }
    if (v === null) {
      delete value[key];
      continue;
    }
    // kube decodes a custom resource's metadata on its own: its type errors name ObjectMeta's fields from there.
    const decodedAlone = node === customResourceSchema && key === 'metadata';
    value[key] = walk(w, field, v, keyPath, name, decodedAlone ? '' : childPath(fieldPath, key));
  }
  return value;
}

/** The problems of a write, in the order kube lists them. */
interface Findings {
  fields: string[];
  typeError: string | undefined;
}

function findings(node: SchemaNode, value: unknown, style: Walk['style'], decoded: DecodedJson, sorted: boolean): Findings {
  const w: Walk = { style, numberTexts: decoded.numberTexts, sorted, unknown: [], typeError: undefined };
  walk(w, node, value, '', structName(node), '');
  const duplicates = decoded.duplicates;
  let fields: string[];
  if (duplicates.length === 0) fields = w.unknown.map((p) => `unknown field ${goQuote(p)}`);
  else {
    // Both lists are in document order: only their first MAX_LISTED can be listed.
    const unknown = w.unknown.slice(0, MAX_LISTED);
    const offsets = decoded.keyOffsets(unknown);
    const listed = [
      ...duplicates.slice(0, MAX_LISTED).map((d) => ({ at: d.offset, text: `duplicate field ${goQuote(d.path)}` })),
      ...unknown.map((p) => ({ at: offsets.get(p) ?? Number.MAX_SAFE_INTEGER, text: `unknown field ${goQuote(p)}` })),
    ];
    fields = listed.sort((a, b) => a.at - b.at).map((x) => x.text);
  }
  return { fields: fields.slice(0, MAX_LISTED), typeError: w.typeError };
}

/** The kind a write is decoded into. */
export interface TargetKind {
  group: string;
  version: string;
  kind: string;
  /** The schema when it is not the generated one of the kind (a custom resource's). */
  schema?: SchemaNode;
}

/** The kind writes to a resource are decoded into; resources.ts may name a group and version (other API groups), else core v1. */
export function targetKind(info: ResourceInfo): TargetKind {
  const named = info as ResourceInfo & { group?: string; version?: string };
  const target = { group: named.group ?? '', version: named.version ?? 'v1', kind: info.kind };
  return info.custom === true ? { ...target, schema: customResourceSchema } : target;
}

function settle(mode: FieldValidation, value: unknown, fields: string[], strictError: (text: string) => StatusError): CheckedFields {
  if (fields.length > 0 && mode === 'Strict') throw strictError(`strict decoding error: ${fields.join(', ')}`);
  return { value, warnings: mode === 'Warn' ? fields : [] };
}

/**
 * Checks a create or update body (already decoded with decodeJson, or from
 * protobuf with `decoded` undefined) against the kind's schema. Throws
 * kube's 400 for a type error, or for unknown or duplicate fields under
 * Strict; answers the body without unknown fields otherwise. A kind with no
 * schema is let through as it is.
 */
export function checkBodyFields(target: TargetKind, mode: FieldValidation, decoded: DecodedJson): CheckedFields {
  const node = target.schema ?? schemaFor(target.group, target.version, target.kind);
  if (node === undefined) return { value: decoded.value, warnings: [] };
  const prefix = `${target.kind} in version ${goQuote(target.version)} cannot be handled as a ${target.kind}: `;
  const found = findings(node, decoded.value, 'json', decoded, false);
  if (found.typeError !== undefined) throw badRequest(prefix + found.typeError);
  return settle(mode, decoded.value, found.fields, (text) => badRequest(prefix + text));
}

/**
 * kube's 422 for a patch whose result cannot be decoded. kube quotes the
 * patched object (JSON and merge patches) or the patch (strategic) in the
 * message; here it is left out, as it may hold Secret data.
 */
function patchInvalid(style: PatchStyle, text: string): StatusError {
  const quoted = style === 'strategic' ? '"<patch>"' : '"<patched object>"';
  const message = `Invalid value: ${quoted}: ${text}`;
  return statusError(422, 'Invalid', ` "" is invalid: patch: ${message}`, { causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }] });
}

/**
 * Checks the result of a patch, as kube does for all three types: the
 * patched object is decoded (its keys in sorted order, as from a Go map), so
 * paths are the object's (a strategic patch's list element may sit at
 * another index), and a field the patch sets to null, removes again or
 * deletes with its element is not there. Strategic merge patches get the
 * unstructured converter's type errors (kube's 422 quotes the patch there,
 * the patched object otherwise). `patch` is the patch as decoded: its
 * repeated keys are reported (a JSON patch's as `json patch duplicate
 * field "[0].value.a"`, and again where its values land in the object).
 */
export function checkPatchedFields(target: TargetKind, mode: FieldValidation, style: PatchStyle, patched: unknown, patch: DecodedJson): CheckedFields {
  const node = target.schema ?? schemaFor(target.group, target.version, target.kind);
  // Not an object at all: the registry's kind check answers it.
  if (node === undefined || !isPlainObject(patched)) return { value: patched, warnings: [] };
  const repeated = style === 'json' ? jsonPatchDuplicates(patch.duplicates, patch.value) : patch.duplicates;
  const decoded: DecodedJson = { value: patched, duplicates: repeated, keyOffsets: () => new Map(), numberTexts: new Map() };
  const found = findings(node, patched, style === 'strategic' ? 'unstructured' : 'json', decoded, true);
  if (found.typeError !== undefined) throw patchInvalid(style, found.typeError);
  // kube reads a JSON patch document strictly too, before the patched object.
  const ownRepeats = style === 'json' ? patch.duplicates.map((d) => `json patch duplicate field ${goQuote(d.path)}`) : [];
  const fields = [...ownRepeats, ...found.fields].slice(0, MAX_LISTED);
  return settle(mode, patched, fields, (text) => patchInvalid(style, text));
}

/**
 * The repeated keys of a JSON patch's values, at their place in the patched
 * object (`[0].value.a` of an op adding at `/metadata/labels` is
 * `metadata.labels.a`): kube's JSON patch keeps a value's text as it came,
 * so its decoder sees them there. Only `add` and `replace` values are placed.
 */
function jsonPatchDuplicates(duplicates: DecodedJson['duplicates'], ops?: unknown): DecodedJson['duplicates'] {
  const out: DecodedJson['duplicates'] = [];
  for (const d of duplicates) {
    const m = /^\[(\d+)\]\.value(.*)$/.exec(d.path);
    if (m === null || !Array.isArray(ops)) continue;
    const op: unknown = ops[Number(m[1])];
    if (!isPlainObject(op) || (op['op'] !== 'add' && op['op'] !== 'replace') || typeof op['path'] !== 'string') continue;
    const segments = op['path'].split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (segments.includes('-')) continue;
    let at = '';
    for (const seg of segments) at = /^\d+$/.test(seg) ? `${at}[${seg}]` : childPath(at, seg);
    const rest = m[2] ?? '';
    out.push({ path: rest.startsWith('[') || at === '' ? `${at}${rest.replace(/^\./, '')}` : `${at}${rest}`, offset: d.offset });
  }
  return out;
}

/** kube's limit on the total length of warnings in one answer, and the length each is cut to beyond it. */
const WARNINGS_TOTAL = 4096;
const WARNING_CUT = 256;

/**
 * The `Warning` header values for `messages` (`299 - "unknown field \"x\""`),
 * bounded as kube-apiserver bounds them: past 4 KiB in all, each message is
 * cut to 256 characters and the ones after the limit are left out. The text
 * is UTF-8 on the wire (each byte one character of the header string).
 */
export function warningHeaders(messages: string[]): string[] {
  let list = messages;
  if (list.reduce((n, m) => n + m.length, 0) > WARNINGS_TOTAL) list = list.map((m) => [...m].slice(0, WARNING_CUT).join(''));
  const out: string[] = [];
  let total = 0;
  for (const m of list) {
    if (total >= WARNINGS_TOTAL) break;
    total += m.length;
    const quoted = `"${m.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    out.push(Buffer.from(`299 - ${quoted}`, 'utf8').toString('latin1'));
  }
  return out;
}
