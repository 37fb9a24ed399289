// The README "Any referrer" example (the block marked ingress-certificates.ts,
// run as it is) against an API server that serves Ingresses: it serves the
// certificates of the TLS Secrets Ingresses reference, follows changes of
// the Secrets and of the Ingresses, and holds no other Secret. Used by
// test/readme/any-referrer.test.ts (the embedded server) and
// test/kube/readme-any-referrer.test.ts (kube-apiserver).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, NetworkingV1Api, type KubeConfig, type V1Ingress, type V1Secret } from '@kubernetes/client-node';
import { NotRegisteredError, createClient, isNotFound, type Client, type StoreEntry } from '../../src/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { importReadmeExample } from './readme-examples.ts';

interface IngressCertificates {
  certificate(namespace: string, name: string): Promise<string>;
  held(): StoreEntry[];
}

/** What is held: `namespace/name` and the number of Ingresses referencing it, sorted. */
function summary(certs: IngressCertificates): string[] {
  return certs
    .held()
    .map((e) => `${e.namespace}/${e.name} x${e.referrers.length}`)
    .sort();
}
interface Example {
  startIngressCertificates: (client: Client, signal: AbortSignal) => IngressCertificates;
}

function tlsSecret(name: string, certificate: string): V1Secret {
  const data = { 'tls.crt': Buffer.from(certificate).toString('base64'), 'tls.key': Buffer.from('key').toString('base64') };
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'kubernetes.io/tls', data };
}

function ingress(name: string, secretNames: string[]): V1Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name },
    spec: {
      tls: secretNames.map((secretName) => ({ hosts: [`${name}.example.com`], secretName })),
      defaultBackend: { service: { name: 'web', port: { number: 80 } } },
    },
  };
}

/**
 * Runs the example against the server `kc` points at. `activeWatches`, when
 * the server can tell, is its number of open watches: the example then
 * holds one for the Ingresses and one per referenced Secret.
 */
export async function ingressCertificatesScenario(kc: KubeConfig, activeWatches?: () => number): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const ns = `certs-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedSecret({ namespace: ns, body: tlsSecret('shop-tls', 'cert 1') });
  await core.createNamespacedSecret({ namespace: ns, body: tlsSecret('unrelated', 'not referenced') });
  await networking.createNamespacedIngress({ namespace: ns, body: ingress('shop', ['shop-tls', 'missing-tls']) });

  const { startIngressCertificates } = await importReadmeExample<Example>('ingress-certificates.ts');
  const client = createClient(kc);
  const controller = new AbortController();
  try {
    const certs = startIngressCertificates(client, controller.signal);
    await eventually(async () => assert.equal(await certs.certificate(ns, 'shop-tls'), 'cert 1'));
    assert.deepEqual(summary(certs), [`${ns}/missing-tls x1`, `${ns}/shop-tls x1`], 'only what the Ingress references');
    assert.ok(certs.held().every((e) => !('data' in e)), 'entries never carry data');
    await assert.rejects(certs.certificate(ns, 'unrelated'), NotRegisteredError);
    await assert.rejects(certs.certificate(ns, 'missing-tls'), (e) => isNotFound(e));
    if (activeWatches !== undefined) assert.equal(activeWatches(), 3, 'the Ingresses, and one watch per referenced Secret');

    // A renewed certificate is served once the watch delivers it.
    await core.replaceNamespacedSecret({ namespace: ns, name: 'shop-tls', body: tlsSecret('shop-tls', 'cert 2') });
    await eventually(async () => assert.equal(await certs.certificate(ns, 'shop-tls'), 'cert 2'));

    // The Ingress moves to another Secret: the old one is released.
    await core.createNamespacedSecret({ namespace: ns, body: tlsSecret('shop-tls-2', 'cert 3') });
    // With its resourceVersion: an update of a custom resource (the embedded server serves Ingress as one) needs it.
    const current = await networking.readNamespacedIngress({ namespace: ns, name: 'shop' });
    const moved = ingress('shop', ['shop-tls-2']);
    moved.metadata = { ...moved.metadata, resourceVersion: current.metadata?.resourceVersion };
    await networking.replaceNamespacedIngress({ namespace: ns, name: 'shop', body: moved });
    await eventually(() => assert.deepEqual(summary(certs), [`${ns}/shop-tls-2 x1`]));
    assert.equal(await certs.certificate(ns, 'shop-tls-2'), 'cert 3');
    await assert.rejects(certs.certificate(ns, 'shop-tls'), NotRegisteredError);

    // A second Ingress shares it; deleting the first keeps it, deleting both releases it.
    await networking.createNamespacedIngress({ namespace: ns, body: ingress('blog', ['shop-tls-2']) });
    await eventually(() => assert.deepEqual(summary(certs), [`${ns}/shop-tls-2 x2`]));
    await networking.deleteNamespacedIngress({ namespace: ns, name: 'shop' });
    await eventually(() => assert.deepEqual(summary(certs), [`${ns}/shop-tls-2 x1`]));
    assert.equal(await certs.certificate(ns, 'shop-tls-2'), 'cert 3');
    await networking.deleteNamespacedIngress({ namespace: ns, name: 'blog' });
    await eventually(() => assert.deepEqual(certs.held(), []));
    if (activeWatches !== undefined) await eventually(() => assert.equal(activeWatches(), 1, 'only the Ingress watch is left'));
  } finally {
    controller.abort();
    await client.close();
  }
}
