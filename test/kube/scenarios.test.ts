// The scenarios of test/scenarios against a real kube-apiserver (and etcd);
// test/kubelet/scenarios.test.ts runs the same ones against the embedded server.
import { after, before, describe } from 'node:test';
import { hasControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../src/testing/control-plane.ts';
import { declareScenarios, scenarios, type Capability, type Scenario, type ScenarioServer } from '../scenarios/index.ts';

const present = hasControlPlaneBinaries();
const skip = present ? false : 'no etcd and kube-apiserver: run `npm run kube:build` (needs Go) or set KUBEBUILDER_ASSETS';
if (!present) console.log(`# test/kube/scenarios.test.ts skipped: ${skip}`);

const restrictedUser = 'node-1';

/**
 * One control plane per describe block: `capabilities` says what its
 * scenarios may use, and scenarios needing anything else are not declared
 * there (another block runs them).
 */
function suite(title: string, options: ControlPlaneOptions, capabilities: ReadonlySet<Capability>, selected: readonly Scenario[]): void {
  describe(title, { skip }, () => {
    let plane: ControlPlane | undefined;
    let server: ScenarioServer;
    let started = 0;

    before(async () => {
      started = performance.now();
      const p = await startControlPlane(options);
      plane = p;
      server = {
        name: 'kube-apiserver',
        capabilities,
        kubeConfig: (user) => p.kubeConfig(user),
        restrictedUser,
        compact: async () => {
          await p.compact();
        },
        restart: () => p.restartApiServer(),
      };
    });

    after(async () => {
      await plane?.stop();
      console.log(`# ${title}: ${Math.round(performance.now() - started)} ms`);
    });

    declareScenarios('kube-apiserver', capabilities, () => server, selected);
  });
}

// The watch cache answers watches from old resourceVersions regardless of
// etcd's compaction: 410 after compaction needs a control plane without it.
const needsCompaction = (s: Scenario): boolean => s.needs?.includes('compaction') === true;

suite(
  'scenarios against kube-apiserver',
  { users: [{ name: restrictedUser, groups: ['kom:nodes'] }] },
  new Set(['restart', 'rbac']),
  scenarios.filter((s) => !needsCompaction(s)),
);
suite('scenarios against kube-apiserver --watch-cache=false', { apiServerFlags: ['--watch-cache=false'] }, new Set(['compaction']), scenarios.filter(needsCompaction));
