// Runs the real-control-plane suite (test/kube: kube-apiserver, etcd and the
// kubelet's Go managers). `npm run test:kube` fails when the binaries are
// missing; `npm test` passes --when-built, so a machine without them (no Go)
// prints one line saying the suite was not run and how to run it.
import { spawnSync } from 'node:child_process';
import { hasControlPlaneBinaries } from '../src/testing/control-plane-binaries.ts';

const whenBuilt = process.argv.includes('--when-built');
if (!hasControlPlaneBinaries()) {
  const how = 'run `npm run kube:build` (needs Go) then `npm run test:kube`, or set KUBEBUILDER_ASSETS to a folder holding etcd and kube-apiserver';
  if (whenBuilt) {
    console.log(`real-control-plane suite (test/kube) not run: no etcd and kube-apiserver found; ${how}`);
    process.exit(0);
  }
  console.error(`test:kube: no etcd and kube-apiserver found; ${how}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', 'test/kube/**/*.test.ts'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
