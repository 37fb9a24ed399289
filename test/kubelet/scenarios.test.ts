// The scenarios of test/scenarios against the embedded API server
// (src/apiserver); test/kube/scenarios.test.ts runs the same ones against
// kube-apiserver.
import { after, before, describe } from 'node:test';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.ts';
import { declareScenarios, scenarios, type Capability, type ScenarioServer } from '../scenarios/index.ts';

const capabilities: ReadonlySet<Capability> = new Set(['compaction', 'restart']);

describe('scenarios against the embedded API server', () => {
  let api: ApiServer;
  let server: ScenarioServer;
  let started = 0;

  before(async () => {
    started = performance.now();
    api = await startApiServer();
    server = {
      name: 'the embedded server',
      kubeConfig: () => api.kubeConfig(),
      compact: () => {
        api.faults.compactHistory();
        return Promise.resolve();
      },
      restart: () => api.faults.restart(),
    };
  });

  after(async () => {
    await api.close();
    console.log(`# embedded scenarios: ${Math.round(performance.now() - started)} ms`);
  });

  declareScenarios('the embedded server', capabilities, () => server, scenarios);
});
