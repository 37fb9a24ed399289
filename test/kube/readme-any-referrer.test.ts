// The README "Any referrer" example against kube-apiserver, where Ingress is
// built in (test/readme/ingress-certificates-scenario.ts).
import { after, before, describe, it } from 'node:test';
import { hasControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { startControlPlane, type ControlPlane } from '../../src/testing/control-plane.ts';
import { ingressCertificatesScenario } from '../readme/ingress-certificates-scenario.ts';

const skip = hasControlPlaneBinaries() ? false : 'no etcd and kube-apiserver: run `npm run kube:build` (needs Go) or set KUBEBUILDER_ASSETS';
if (skip !== false) console.log(`# test/kube/readme-any-referrer.test.ts skipped: ${skip}`);

describe('README "Any referrer" against kube-apiserver v1.37.2', { skip }, () => {
  let plane: ControlPlane;
  before(async () => {
    plane = await startControlPlane();
  });
  after(async () => {
    await plane?.stop();
  });

  it('serves the certificates of the TLS Secrets Ingresses reference, follows both, and holds no other Secret', async () => {
    await ingressCertificatesScenario(plane.kubeConfig());
  });
});
