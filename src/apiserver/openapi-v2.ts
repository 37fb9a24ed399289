import { targetKind } from './field-validation.ts';
import type { ResourceInfo } from './resources.ts';
import { sourceVersion } from './schemas/index.ts';

/** Media type of the protobuf OpenAPI v2 document older kubectl versions ask for. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

const title = 'Kubernetes (kube-object-manager embedded API server)';

interface QueryParameter {
  name: string;
  type: 'string' | 'boolean';
  description: string;
}

/** The query parameters of a PATCH kubectl looks for (1.20 checks `dryRun` before `apply --dry-run=server` and `diff`). */
const patchParameters: QueryParameter[] = [
  { name: 'dryRun', type: 'string', description: 'When present, indicates that modifications should not be persisted. The only valid value is All.' },
  { name: 'fieldManager', type: 'string', description: 'The name of the actor making these changes.' },
  { name: 'force', type: 'boolean', description: 'Force apply requests to take fields owned by other managers.' },
];

interface PatchPath {
  path: string;
  operationId: string;
  gvk: { group: string; kind: string; version: string };
}

/** `CoreV1`, `EventsV1`: kube's operationId infix for a group-version. */
function operationInfix(group: string, version: string): string {
  const name = group === '' ? 'core' : (group.split('.')[0] ?? group);
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  return `${cap(name)}${cap(version)}`;
}

/** The object path and PATCH operation of every patchable resource, in path order. */
function patchPaths(served: Iterable<ResourceInfo>): PatchPath[] {
  const out: PatchPath[] = [];
  for (const r of served) {
    if (!r.verbs.includes('patch')) continue;
    const { group, version, kind } = targetKind(r);
    const prefix = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    const path = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.name}/{name}` : `${prefix}/${r.name}/{name}`;
    out.push({ path, operationId: `patch${operationInfix(group, version)}${r.namespaced ? 'Namespaced' : ''}${kind}`, gvk: { group, kind, version } });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// --- protobuf (gnostic's openapi_v2 messages), only the fields written here.

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** A length-delimited field (string, bytes or message). */
function bytesField(field: number, value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
}

function boolField(field: number, value: boolean): Buffer {
  return value ? Buffer.concat([varint(field << 3), varint(1)]) : Buffer.alloc(0);
}

/** NamedAny{name: 1, value: 2 Any{yaml: 2}}: a vendor extension as gnostic carries it, its value as YAML. */
function extension(name: string, yaml: string): Buffer {
  return Buffer.concat([bytesField(1, name), bytesField(2, bytesField(2, yaml))]);
}

/** ParametersItem{parameter: 1 Parameter{non_body_parameter: 2 NonBodyParameter{query_parameter_sub_schema: 3}}}. */
function queryParameter(p: QueryParameter): Buffer {
  // QueryParameterSubSchema: in 2, description 3, name 4, type 6, unique_items 20.
  const sub = Buffer.concat([bytesField(2, 'query'), bytesField(3, p.description), bytesField(4, p.name), bytesField(6, p.type), boolField(20, true)]);
  return bytesField(1, bytesField(2, bytesField(3, sub)));
}

/** Operation: operation_id 5, parameters 8, vendor_extension 13. */
function patchOperation(p: PatchPath): Buffer {
  const gvkYaml = `group: ${p.gvk.group === '' ? '""' : p.gvk.group}\nkind: ${p.gvk.kind}\nversion: ${p.gvk.version}\n`;
  return Buffer.concat([
    bytesField(5, p.operationId),
    ...patchParameters.map((q) => bytesField(8, queryParameter(q))),
    bytesField(13, extension('x-kubernetes-action', 'patch\n')),
    bytesField(13, extension('x-kubernetes-group-version-kind', gvkYaml)),
  ]);
}

/** Document: swagger 1, info 2 {title 1, version 2}, paths 8 {path 2: NamedPathItem{name 1, value 2 PathItem{patch 8}}}. */
function protobufDocument(paths: PatchPath[]): Buffer {
  const info = Buffer.concat([bytesField(1, title), bytesField(2, sourceVersion)]);
  const items = paths.map((p) => bytesField(2, Buffer.concat([bytesField(1, p.path), bytesField(2, bytesField(8, patchOperation(p)))])));
  return Buffer.concat([bytesField(1, '2.0'), bytesField(2, info), bytesField(8, Buffer.concat(items))]);
}

function jsonDocument(paths: PatchPath[]): unknown {
  const out: Record<string, unknown> = {};
  for (const p of paths) {
    out[p.path] = {
      patch: {
        operationId: p.operationId,
        parameters: patchParameters.map((q) => ({ uniqueItems: true, type: q.type, description: q.description, name: q.name, in: 'query' })),
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': p.gvk,
      },
    };
  }
  return { swagger: '2.0', info: { title, version: sourceVersion }, paths: out, definitions: {} };
}

/**
 * GET /openapi/v2 for `served`: a Swagger 2.0 document with no definitions
 * and, per patchable resource, its object path's PATCH operation with the
 * `dryRun`, `fieldManager` and `force` parameters and the kind, as gnostic
 * protobuf or JSON. kubectl before 1.27 validates create/apply input
 * against the definitions (none here, so a kind is not validated and apply
 * builds its strategic merge patch from compiled-in types), and kubectl
 * 1.20 runs `apply --dry-run=server` and `diff` only for a kind whose PATCH
 * lists `dryRun`. `fieldValidation` is not listed: kubectl 1.25 and 1.26
 * would then send it, and they are not tested here.
 */
export function buildOpenApiV2(served: Iterable<ResourceInfo>, protobuf: boolean): { body: Buffer; contentType: string } {
  const paths = patchPaths(served);
  // Answered with '.v1.0' where the request said '@v1.0', as kube-apiserver does: Go's mime
  // parser (client-go reads the answer's Content-Type) rejects '@'.
  if (protobuf) return { body: protobufDocument(paths), contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' };
  return { body: Buffer.from(JSON.stringify(jsonDocument(paths))), contentType: 'application/json' };
}
