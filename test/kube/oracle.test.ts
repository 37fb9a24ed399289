// The kubelet's own Go managers (kube/cmd/kubelet-managers, Kubernetes
// v1.37) as the oracle for ours: every script of test/kube/oracle/scripts runs
// under each of its strategies against one kube-apiserver, and at every quiet
// point both must answer alike, or differ exactly as DESIGN.md documents.
// Each run has its own namespace, its own managers on fake clocks and its own
// Go process: the Go watch store's real one-minute idle ticker runs once at
// start (nothing registered yet) and next a real minute later, long after a
// run (about a second) has ended; the scripts run the same check with the
// Go program's idle op after every fake minute, when our FakeClock timer runs
// ours. ORACLE_REPORT=file writes the results as JSON.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { createClient, type KubeClient } from '../../src/client/index.ts';
import { hasControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { startControlPlane, type ControlPlane } from '../../src/testing/control-plane.ts';
import { KubeletManagers, kubeletManagersBinary } from './kubelet-managers.ts';
import { runScript, type Cluster, type RunResult } from './oracle/runner.ts';
import { scripts } from './oracle/scripts/index.ts';

const binary = kubeletManagersBinary();
const skip = binary === undefined || !hasControlPlaneBinaries() ? 'no kubelet-managers, etcd and kube-apiserver: run `npm run kube:build` (needs Go)' : false;
if (skip !== false) console.log(`# test/kube/oracle.test.ts skipped: ${skip}`);

it('the oracle has at least 10 scripts of at least 20 steps each, under unique names', () => {
  assert.ok(scripts.length >= 10, `${scripts.length} scripts`);
  for (const script of scripts) {
    for (const strategy of script.strategies) {
      const steps = script.steps.filter((s) => s.only === undefined || s.only.includes(strategy)).length;
      assert.ok(steps >= 20, `${script.name} (${strategy}): ${steps} steps`);
    }
  }
  assert.equal(new Set(scripts.map((s) => s.name)).size, scripts.length);
});

function table(results: RunResult[]): string {
  const rows = results.map((r) => {
    const pinned = [...new Set(r.pinned.map((p) => p.why.split(':')[0]))].join(', ');
    const result = r.differences.length === 0 ? 'same' : `${r.differences.length} unexplained`;
    return `| ${r.script} | ${r.strategy} | ${r.steps} | ${r.comparisons} | ${result} | ${r.pinned.length === 0 ? 'none' : `${r.pinned.length} (${pinned})`} | ${r.ms} |`;
  });
  const sum = (f: (r: RunResult) => number) => results.reduce((n, r) => n + f(r), 0);
  return [
    '| script | strategy | steps | comparisons | result | documented differences | ms |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    `| ${new Set(results.map((r) => r.script)).size} scripts | ${results.length} runs | ${sum((r) => r.steps)} | ${sum((r) => r.comparisons)} | ${sum((r) => r.differences.length)} unexplained | ${sum((r) => r.pinned.length)} | ${sum((r) => r.ms)} |`,
  ].join('\n');
}

describe('oracle: the kubelet\'s Go managers and ours, step by step', { skip }, () => {
  let plane: ControlPlane;
  let admin: KubeClient;
  let dir: string;
  let cluster: Cluster;
  const results: RunResult[] = [];

  before(async () => {
    plane = await startControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'kom-oracle-'));
    const kubeconfigFile = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigFile, plane.kubeconfigYaml(), { mode: 0o600 });
    const kubeConfig = plane.kubeConfig();
    admin = createClient(kubeConfig);
    cluster = { core: kubeConfig.makeApiClient(CoreV1Api), admin, kubeConfig, kubeconfigFile, binary: binary ?? '' };
  });

  after(async () => {
    await admin.close();
    await plane.stop();
    rmSync(dir, { recursive: true, force: true });
    if (results.length > 0) console.log(`\n${table(results)}\n`);
    const report = process.env['ORACLE_REPORT'];
    if (report !== undefined && report !== '') writeFileSync(report, `${JSON.stringify(results, null, 2)}\n`);
  });

  it('the Go program\'s entries and idle ops answer Unsupported where there is nothing to read', async () => {
    for (const [strategy, clock] of [['get', 'fake'], ['cache', 'fake'], ['watch', 'real']]) {
      const m = await KubeletManagers.start(binary ?? '', [`--kubeconfig=${cluster.kubeconfigFile}`, `--strategy=${strategy}`, `--clock=${clock}`]);
      try {
        const entries = await m.request({ op: 'entries', kind: 'Secret' });
        assert.equal(entries.error?.reason, strategy === 'cache' ? undefined : 'Unsupported', `entries, ${strategy}`);
        assert.equal((await m.request({ op: 'idle' })).error?.reason, 'Unsupported', `idle, ${strategy}`);
        assert.equal((await m.request({ op: 'entries', kind: 'Pod' })).error?.reason, 'BadRequest');
      } finally {
        await m.quit();
      }
    }
  });

  for (const script of scripts) {
    for (const strategy of script.strategies) {
      it(`${script.name} (${strategy})`, async () => {
        const result = await runScript(cluster, script, strategy);
        results.push(result);
        if (result.watchErrors.length > 0) console.log(`# ${script.name} (${strategy}): our watches recovered from ${result.watchErrors.join('; ')}`);
        const shown = result.differences.map((d) => `step ${d.step}: ${d.what}\n  go:   ${JSON.stringify(d.go)}\n  ours: ${JSON.stringify(d.ours)}`);
        assert.equal(result.differences.length, 0, `${script.name} (${strategy}) differs from the kubelet:\n${shown.join('\n')}`);
      });
    }
  }
});
