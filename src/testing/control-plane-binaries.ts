import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where etcd and kube-apiserver come from, and what to tell a user who has neither. */
export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiServer: string;
  /** The folder they are in: KUBEBUILDER_ASSETS or the project's build. */
  dir: string;
}

// src/testing/ (or dist/testing/ once built) -> the package root.
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The project's build folders (`npm run kube:build`), newest Kubernetes version first. */
function projectBuilds(): string[] {
  const base = join(packageRoot, '.cache', 'kube');
  let versions: string[];
  try {
    versions = readdirSync(base).filter((name) => /^v\d+\.\d+\.\d+$/.test(name));
  } catch {
    return [];
  }
  const order = (v: string): number[] => v.slice(1).split('.').map(Number);
  versions.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
    return 0;
  });
  // stamp.json is written only once every binary of that build is in place.
  return versions.filter((v) => existsSync(join(base, v, 'stamp.json'))).map((v) => join(base, v, 'bin'));
}

function inFolder(dir: string): ControlPlaneBinaries | undefined {
  const etcd = join(dir, 'etcd');
  const kubeApiServer = join(dir, 'kube-apiserver');
  return existsSync(etcd) && existsSync(kubeApiServer) ? { etcd, kubeApiServer, dir } : undefined;
}

/**
 * Finds etcd and kube-apiserver: in `dir` when given, else in
 * KUBEBUILDER_ASSETS (controller-runtime envtest's convention), else in the
 * project's own build. Throws an error that says how to get them.
 */
export function findControlPlaneBinaries(dir?: string): ControlPlaneBinaries {
  const assets = process.env['KUBEBUILDER_ASSETS'];
  const explicit = dir ?? (assets !== undefined && assets !== '' ? assets : undefined);
  if (explicit !== undefined) {
    const found = inFolder(explicit);
    if (found) return found;
    const from = dir !== undefined ? 'options.binaryDir' : 'KUBEBUILDER_ASSETS';
    throw new Error(`startControlPlane: ${from} is ${explicit}, which does not hold both etcd and kube-apiserver`);
  }
  for (const build of projectBuilds()) {
    const found = inFolder(build);
    if (found) return found;
  }
  throw new Error(
    'startControlPlane: no etcd and kube-apiserver found: run `npm run kube:build` (needs Go) to build them into .cache/kube/, ' +
      'or set KUBEBUILDER_ASSETS to a folder that holds both',
  );
}

/** Whether startControlPlane() would find binaries (for skipping tests on machines without them). */
export function hasControlPlaneBinaries(): boolean {
  try {
    findControlPlaneBinaries();
    return true;
  } catch {
    return false;
  }
}
