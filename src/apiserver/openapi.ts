import { createHash } from 'node:crypto';
import { resources } from './resources.ts';

const patchMediaTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

/**
 * GET /openapi/v3/api/v1: a minimal OpenAPI v3 document. It declares, per
 * kind, the item PATCH operation with its group-version-kind and the
 * `fieldValidation` query parameter, which is what kubectl create/apply look
 * for before they send `fieldValidation=Strict` instead of validating
 * client-side. It holds no schemas, so kubectl apply computes its strategic
 * merge patches from its compiled-in core/v1 types.
 */
export function openApiV1Document(): unknown {
  const paths: Record<string, unknown> = {};
  for (const r of resources.values()) {
    const item = r.namespaced ? `/api/v1/namespaces/{namespace}/${r.name}/{name}` : `/api/v1/${r.name}/{name}`;
    const gvk = { group: '', version: 'v1', kind: r.kind };
    const content = Object.fromEntries(patchMediaTypes.map((t) => [t, { schema: { type: 'object' } }]));
    paths[item] = {
      patch: {
        operationId: `patchCoreV1${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: [
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
        ],
        requestBody: { content, required: true },
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (kube-object-manager embedded API server)', version: 'v1.32.0' },
    paths,
    components: { schemas: {} },
  };
}

const v1Hash = createHash('sha512').update(JSON.stringify(openApiV1Document())).digest('hex').slice(0, 128).toUpperCase();

/** GET /openapi/v3: the discovery document pointing at the api/v1 document. */
export function openApiV3Root(): unknown {
  return { paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${v1Hash}` } } };
}

/** Media type of the protobuf OpenAPI v2 document older kubectl versions ask for. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

function protoString(field: number, value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length > 127) throw new Error('openapi: field too long for this encoder');
  return Buffer.concat([Buffer.from([(field << 3) | 2, bytes.length]), bytes]);
}

/**
 * GET /openapi/v2: a Swagger 2.0 document with no definitions, as gnostic
 * protobuf (openapi_v2.Document{swagger: 1, info: 2{title: 1, version: 2}})
 * or JSON. kubectl before 1.27 validates create/apply input against it; a
 * kind without a definition is not validated, and apply then builds its
 * strategic merge patch from compiled-in types.
 */
export function openApiV2(protobuf: boolean): { body: Buffer; contentType: string } {
  const title = 'Kubernetes (kube-object-manager embedded API server)';
  if (protobuf) {
    const info = Buffer.concat([protoString(1, title), protoString(2, 'v1.32.0')]);
    // Answered with '.v1.0' where the request said '@v1.0', as kube-apiserver does: Go's mime
    // parser (client-go reads the answer's Content-Type) rejects '@'.
    return { body: Buffer.concat([protoString(1, '2.0'), protoString(2, info)]), contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' };
  }
  const doc = { swagger: '2.0', info: { title, version: 'v1.32.0' }, paths: {}, definitions: {} };
  return { body: Buffer.from(JSON.stringify(doc)), contentType: 'application/json' };
}
