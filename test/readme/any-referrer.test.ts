// README "Any referrer": the block marked ingress-certificates.ts type-checks
// as a user's file would, and runs against the embedded API server serving
// Ingress as an extra resource (test/kube/readme-any-referrer.test.ts runs it
// against kube-apiserver, where Ingress is built in).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startApiServer, type ExtraResource } from '../../src/apiserver/index.ts';
import { ingressCertificatesScenario } from './ingress-certificates-scenario.ts';
import { readmeExample, typecheckReadmeExample } from './readme-examples.ts';

const ingresses: ExtraResource = { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true };

test('the README example type-checks with the project compiler and options, importing kube-object-manager', async () => {
  assert.match(readmeExample('ingress-certificates.ts'), /newWatchingReferenceManager/);
  assert.equal(await typecheckReadmeExample('ingress-certificates.ts'), '');
});

test('the README example serves the certificates of the TLS Secrets Ingresses reference, follows both, and holds no other Secret (embedded server)', async () => {
  const server = await startApiServer({ resources: [ingresses] });
  try {
    await ingressCertificatesScenario(server.kubeConfig(), () => server.metrics().activeWatches);
  } finally {
    await server.close();
  }
});
