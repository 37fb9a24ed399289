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
