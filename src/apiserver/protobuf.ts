import { statusError } from './status.ts';

/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`)
 * for the simple kinds kubectl's imperative commands create with its typed
 * client (`kubectl create namespace|configmap|secret|serviceaccount`). The body
 * is "k8s\0" + runtime.Unknown{typeMeta, raw}; raw is the object's message,
 * decoded here with the field numbers of k8s.io/api/core/v1/generated.proto.
 * Fields not listed are skipped; responses stay JSON (kubectl accepts both).
 */

type FieldType = 'string' | 'bytes' | 'bool' | 'int' | 'map' | 'bytesMap' | 'intOrString' | MessageSpec;
interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: boolean;
}
type MessageSpec = { [num: number]: FieldSpec };

const objectMeta: MessageSpec = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int' },
  11: { name: 'labels', type: 'map' },
  12: { name: 'annotations', type: 'map' },
  14: { name: 'finalizers', type: 'string', repeated: true },
};
const metadata: FieldSpec = { name: 'metadata', type: objectMeta };

/** Message layouts by kind. */
const kinds: Record<string, MessageSpec> = {
  Namespace: { 1: metadata, 2: { name: 'spec', type: { 1: { name: 'finalizers', type: 'string', repeated: true } } } },
  ConfigMap: { 1: metadata, 2: { name: 'data', type: 'map' }, 3: { name: 'binaryData', type: 'bytesMap' }, 4: { name: 'immutable', type: 'bool' } },
  Secret: {
    1: metadata,
    2: { name: 'data', type: 'bytesMap' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'map' },
    5: { name: 'immutable', type: 'bool' },
  },
  // `kubectl create service ...`, `kubectl auth can-i`, `kubectl auth whoami` (k8s.io/api v0.37.2 field numbers).
  Service: {
    1: metadata,
    2: {
      name: 'spec',
      type: {
        1: { name: 'ports', repeated: true, type: { 1: { name: 'name', type: 'string' }, 2: { name: 'protocol', type: 'string' }, 3: { name: 'port', type: 'int' }, 4: { name: 'targetPort', type: 'intOrString' }, 5: { name: 'nodePort', type: 'int' }, 6: { name: 'appProtocol', type: 'string' } } },
        2: { name: 'selector', type: 'map' },
        3: { name: 'clusterIP', type: 'string' },
        4: { name: 'type', type: 'string' },
        5: { name: 'externalIPs', type: 'string', repeated: true },
        7: { name: 'sessionAffinity', type: 'string' },
        10: { name: 'externalName', type: 'string' },
        18: { name: 'clusterIPs', type: 'string', repeated: true },
      },
    },
  },
  SelfSubjectAccessReview: {
    1: metadata,
    2: {
      name: 'spec',
      type: {
        1: {
          name: 'resourceAttributes',
          type: { 1: { name: 'namespace', type: 'string' }, 2: { name: 'verb', type: 'string' }, 3: { name: 'group', type: 'string' }, 4: { name: 'version', type: 'string' }, 5: { name: 'resource', type: 'string' }, 6: { name: 'subresource', type: 'string' }, 7: { name: 'name', type: 'string' } },
        },
        2: { name: 'nonResourceAttributes', type: { 1: { name: 'path', type: 'string' }, 2: { name: 'verb', type: 'string' } } },
      },
    },
  },
  SelfSubjectRulesReview: { 1: metadata, 2: { name: 'spec', type: { 1: { name: 'namespace', type: 'string' } } } },
  SelfSubjectReview: { 1: metadata },
  ServiceAccount: {
    1: metadata,
    3: { name: 'imagePullSecrets', type: { 1: { name: 'name', type: 'string' } }, repeated: true },
    4: { name: 'automountServiceAccountToken', type: 'bool' },
  },
};

function malformed(): Error {
  return statusError(400, 'BadRequest', 'the protobuf request body could not be decoded');
}

interface RawField {
  num: number;
  wire: number;
  varint: bigint;
  bytes: Buffer;
}

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = pos; i < buf.length && i < pos + 10; i++) {
    const b = buf[i] ?? 0;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw malformed();
}

function* readFields(buf: Buffer): Generator<RawField> {
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, after] = readVarint(buf, pos);
      pos = after;
      yield { num, wire, varint: v, bytes: Buffer.alloc(0) };
    } else if (wire === 2) {
      const [len, after] = readVarint(buf, pos);
      const end = after + Number(len);
      if (end > buf.length) throw malformed();
      yield { num, wire, varint: 0n, bytes: buf.subarray(after, end) };
      pos = end;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > buf.length) throw malformed();
    } else throw malformed();
  }
}

function decodeMessage(buf: Buffer, spec: MessageSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of readFields(buf)) {
    const field = spec[f.num];
    if (field === undefined) continue;
    let value: unknown;
    if (typeof field.type === 'object') value = decodeMessage(f.bytes, field.type);
    // Go's generated code writes empty strings and zero numbers that JSON would omit: omit them too.
    else if (field.type === 'string') {
      value = f.bytes.toString('utf8');
      if (value === '' && field.repeated !== true) continue;
    }
    else if (field.type === 'bytes') value = f.bytes.toString('base64');
    else if (field.type === 'intOrString') {
      // intstr.IntOrString: type 1 is a string (strVal), else an int (intVal).
      const v = decodeMessage(f.bytes, { 1: { name: 'type', type: 'int' }, 2: { name: 'intVal', type: 'int' }, 3: { name: 'strVal', type: 'string' } });
      value = v['type'] === 1 ? (v['strVal'] ?? '') : (v['intVal'] ?? 0);
    }
    else if (field.type === 'bool') value = f.varint !== 0n;
    else if (field.type === 'int') {
      value = Number(BigInt.asIntN(64, f.varint));
      if (value === 0) continue;
    }
    else {
      const entry = decodeMessage(f.bytes, { 1: { name: 'k', type: 'string' }, 2: { name: 'v', type: field.type === 'map' ? 'string' : 'bytes' } });
      const map = (out[field.name] ??= {}) as Record<string, unknown>;
      map[typeof entry['k'] === 'string' ? entry['k'] : ''] = entry['v'] ?? '';
      continue;
    }
    if (field.repeated === true) ((out[field.name] ??= []) as unknown[]).push(value);
    else out[field.name] = value;
  }
  return out;
}

/** The JSON-shaped object of a protobuf request body; 415 for kinds not decoded here. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw malformed();
  const unknown = decodeMessage(body.subarray(4), {
    1: { name: 'typeMeta', type: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } },
    2: { name: 'raw', type: 'bytes' },
  });
  const typeMeta = (unknown['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  const kind = typeMeta.kind ?? '';
  const spec = kinds[kind];
  if (spec === undefined) {
    throw statusError(415, 'UnsupportedMediaType', `protobuf bodies are decoded for ${Object.keys(kinds).join(', ')} only, not ${kind === '' ? 'this object' : kind}; send application/json (for example kubectl create -f)`);
  }
  const raw = Buffer.from(typeof unknown['raw'] === 'string' ? unknown['raw'] : '', 'base64');
  return { apiVersion: typeMeta.apiVersion ?? 'v1', kind, ...decodeMessage(raw, spec) };
}
