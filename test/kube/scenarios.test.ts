// The scenarios of test/scenarios against a real kube-apiserver (and etcd);
// test/kubelet/scenarios.test.ts runs the same ones against the embedded server.
import { after, before, describe } from 'node:test';
import { hasControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../src/testing/control-plane.ts';
import { declareScenarios, scenarios, type Capability, type ScenarioServer } from '../scenarios/index.ts';

const present = hasControlPlaneBinaries();
const skip = present ? false : 'no etcd and kube-apiserver: run `npm run kube:build` (needs Go) or set KUBEBUILDER_ASSETS';
if (!present) console.log(`# test/kube/scenarios.test.ts skipped: ${skip}`);

const restrictedUser = 'node-1';

const main: ControlPlaneOptions = {
  users: [{ name: restrictedUser, groups: ['kom:nodes'] }],
};
// The watch cache answers watches from old resourceVersions whatever etcd
// compacted: 410 Gone after a compaction needs a control plane without it.
const withoutWatchCache: ControlPlaneOptions = { apiServerFlags: ['--watch-cache=false'] };

function handle(plane: ControlPlane): ScenarioServer {
  return {
    name: 'kube-apiserver',
    kubeConfig: (user) => plane.kubeConfig(user),
    restrictedUser,
    compact: async () => {
      await plane.compact();
    },
    restart: () => plane.restartApiServer(),
  };
}

describe('scenarios against kube-apiserver', { skip }, () => {
  const planes: ControlPlane[] = [];
  let server: ScenarioServer;
  let compacting: ScenarioServer;
  let started = 0;

  before(async () => {
    started = performance.now();
    const starts = [startControlPlane(main), startControlPlane(withoutWatchCache)];
    const settled = await Promise.allSettled(starts);
    for (const s of settled) if (s.status === 'fulfilled') planes.push(s.value);
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    const [first, second] = planes as [ControlPlane, ControlPlane];
    server = handle(first);
    compacting = handle(second);
    console.log(`# two control planes ready in ${Math.round(performance.now() - started)} ms`);
  });

  after(async () => {
    await Promise.all(planes.map((p) => p.stop()));
    console.log(`# kube-apiserver scenarios: ${Math.round(performance.now() - started)} ms`);
  });

  const capabilities: ReadonlySet<Capability> = new Set(['restart', 'rbac', 'compaction']);
  declareScenarios('kube-apiserver', capabilities, (s) => (s.needs?.includes('compaction') === true ? compacting : server), scenarios);
});
