// A real kube-apiserver with etcd (built by `npm run kube:build`) as the
// bench's server: the same Target as `kom apiserver` gives, from the admin's
// kubeconfig (a bearer token and the CA inline).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane } from '../src/testing/control-plane.ts';
import { findControlPlaneBinaries } from '../src/testing/control-plane-binaries.ts';
import type { ServerProcess } from './server.ts';
import { readTarget } from './target.ts';

/** Whether kube-apiserver and etcd are built (or named by KUBEBUILDER_ASSETS). */
export function kubeServerAvailable(): boolean {
  try {
    findControlPlaneBinaries();
    return true;
  } catch {
    return false;
  }
}

export async function startKubeServer(): Promise<ServerProcess> {
  const plane = await startControlPlane();
  const dir = mkdtempSync(join(tmpdir(), 'kom-bench-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, plane.kubeconfigYaml(), { mode: 0o600 });
  return {
    target: readTarget(kubeconfigPath),
    pid: -1,
    stop: async () => {
      await plane.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
