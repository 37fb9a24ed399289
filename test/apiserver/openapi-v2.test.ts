import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';

const PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

function fetchBytes(server: ApiServer, path: string, accept: string): Promise<{ type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const r = request(new URL(path, server.url), { headers: { accept, authorization: `Bearer ${server.token}` }, ca: server.caCert, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ type: res.headers['content-type'] ?? '', body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end();
  });
}

/** The fields of one protobuf message: field number -> its values (length-delimited ones as bytes, varints as numbers). */
function fields(buf: Buffer): Map<number, (Buffer | number)[]> {
  const out = new Map<number, (Buffer | number)[]>();
  let at = 0;
  const readVarint = (): number => {
    let value = 0;
    let shift = 1;
    for (;;) {
      const byte = buf[at++];
      if (byte === undefined) throw new Error('truncated varint');
      value += (byte & 0x7f) * shift;
      if ((byte & 0x80) === 0) return value;
      shift *= 128;
    }
  };
  while (at < buf.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    let value: Buffer | number;
    if ((tag & 7) === 2) {
      const length = readVarint();
      value = buf.subarray(at, at + length);
      at += length;
    } else if ((tag & 7) === 0) value = readVarint();
    else throw new Error(`unexpected wire type ${tag & 7}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const all = (msg: Buffer, field: number): Buffer[] => (fields(msg).get(field) ?? []).filter((v): v is Buffer => Buffer.isBuffer(v));
const one = (msg: Buffer, field: number): Buffer => all(msg, field)[0] ?? Buffer.alloc(0);
const text = (msg: Buffer, field: number): string => one(msg, field).toString('utf8');

interface PatchOperation {
  extensions: Map<string, string>;
  queryParameters: string[];
}

/** What kubectl 1.20 reads of the protobuf document: each path's PATCH operation, its vendor extensions (YAML) and query parameters. */
function patchOperations(doc: Buffer): Map<string, PatchOperation> {
  const out = new Map<string, PatchOperation>();
  // Document.paths (8) -> Paths.path (2) NamedPathItem{name 1, value 2 PathItem{patch 8 Operation}}.
  for (const named of all(one(doc, 8), 2)) {
    const operation = one(one(named, 2), 8);
    if (operation.length === 0) continue;
    const extensions = new Map<string, string>();
    for (const ext of all(operation, 13)) extensions.set(text(ext, 1), text(one(ext, 2), 2));
    // Operation.parameters (8) ParametersItem{parameter 1 Parameter{non_body_parameter 2 NonBodyParameter{query_parameter_sub_schema 3 {name 4}}}}.
    const queryParameters = all(operation, 8).map((item) => text(one(one(one(item, 1), 2), 3), 4));
    out.set(text(named, 1), { extensions, queryParameters });
  }
  return out;
}

const kinds = [
  ['/api/v1/namespaces/{namespace}/configmaps/{name}', 'group: ""\nkind: ConfigMap\nversion: v1\n'],
  ['/api/v1/namespaces/{namespace}/secrets/{name}', 'group: ""\nkind: Secret\nversion: v1\n'],
  ['/api/v1/namespaces/{namespace}/pods/{name}', 'group: ""\nkind: Pod\nversion: v1\n'],
  ['/api/v1/namespaces/{name}', 'group: ""\nkind: Namespace\nversion: v1\n'],
  ['/apis/events.k8s.io/v1/namespaces/{namespace}/events/{name}', 'group: events.k8s.io\nkind: Event\nversion: v1\n'],
] as const;

describe('/openapi/v2', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  it('protobuf: each patchable kind\'s PATCH operation names its kind and lists dryRun, as kubectl 1.20 looks for before a dry run or diff', async () => {
    const r = await fetchBytes(server, '/openapi/v2', PROTOBUF);
    assert.equal(r.type, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.equal(text(r.body, 1), '2.0');
    assert.equal(one(r.body, 9).length, 0, 'no definitions: kubectl does not validate kinds client-side');
    const ops = patchOperations(r.body);
    for (const [path, gvk] of kinds) {
      const op = ops.get(path);
      assert.ok(op !== undefined, path);
      assert.equal(op.extensions.get('x-kubernetes-group-version-kind'), gvk);
      assert.equal(op.extensions.get('x-kubernetes-action'), 'patch\n');
      assert.deepEqual(op.queryParameters, ['dryRun', 'fieldManager', 'force']);
    }
  });

  it('JSON: the same paths and operations', async () => {
    const r = await fetchBytes(server, '/openapi/v2', 'application/json');
    assert.equal(r.type, 'application/json');
    const doc = JSON.parse(r.body.toString('utf8')) as { swagger: string; definitions: object; paths: Record<string, { patch: { parameters: { name: string; in: string }[]; 'x-kubernetes-group-version-kind': unknown } }> };
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual(doc.definitions, {});
    const patch = doc.paths['/api/v1/namespaces/{namespace}/configmaps/{name}']?.patch;
    assert.deepEqual(patch?.['x-kubernetes-group-version-kind'], { group: '', kind: 'ConfigMap', version: 'v1' });
    assert.deepEqual(patch.parameters.map((p) => `${p.in}:${p.name}`), ['query:dryRun', 'query:fieldManager', 'query:force']);
    assert.equal(Object.keys(doc.paths).length, patchOperations((await fetchBytes(server, '/openapi/v2', PROTOBUF)).body).size);
  });
});
