// Differential tests of the embedded API server against kube-apiserver
// v1.37.2: the corpus in test/kube/differential/corpus goes to both, in the
// same order from the same state; the answers are normalised and compared.
// Every difference must be accepted in differential/accepted.ts (and listed
// in src/apiserver/README.md); an accepted entry no case produces any more
// fails as stale.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.ts';
import { hasControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { startControlPlane, type ControlPlane } from '../../src/testing/control-plane.ts';
import { accepted } from './differential/accepted.ts';
import { corpus } from './differential/corpus/index.ts';
import { customResourceDefinitions, customResources } from './differential/corpus/custom.ts';
import { makeTarget, send, type Target } from './differential/http.ts';
import { eventually } from '../helpers/eventually.ts';
import { runCorpus, type RunResult } from './differential/runner.ts';
import { judge, summaryTable, type Judged } from './differential/summary.ts';

const present = hasControlPlaneBinaries();
const skip = present ? false : 'no etcd and kube-apiserver: run `npm run kube:build` (needs Go) or set KUBEBUILDER_ASSETS';

/** Creates the CRDs of the `custom` group on kube-apiserver and waits until it serves them. */
async function serveCustomResources(real: Target): Promise<void> {
  for (const crd of customResourceDefinitions()) {
    const created = await send(real, { method: 'POST', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', headers: { 'content-type': 'application/json' }, body: JSON.stringify(crd) });
    assert.equal(created.status, 201, created.text);
  }
  for (const r of customResources) {
    await eventually(
      async () => {
        const served = await send(real, { method: 'GET', path: `/apis/${r.group}/${r.version}`, headers: { accept: 'application/json' } });
        assert.equal(served.status, 200);
        assert.ok((JSON.parse(served.text) as { resources: { name: string }[] }).resources.some((x) => x.name === r.plural));
      },
      { timeoutMs: 30_000 },
    );
  }
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 1500 ? `${text.slice(0, 1500)}...` : text;
}

describe('differential corpus: embedded server against kube-apiserver v1.37.2', { skip }, () => {
  let plane: ControlPlane;
  let server: ApiServer;
  let targets: Target[] = [];
  let run: RunResult;
  let judged: Judged[];

  before(async () => {
    const started = performance.now();
    [plane, server] = await Promise.all([startControlPlane(), startApiServer({ resources: customResources })]);
    const token = plane.kubeConfig().getCurrentUser()?.token ?? '';
    const real = makeTarget('real', plane.url, token, plane.caCert);
    const embedded = makeTarget('embedded', server.url, server.token, server.caCert ?? '');
    targets = [real, embedded];
    await serveCustomResources(real);
    run = await runCorpus(
      corpus,
      { target: real, compact: async () => void (await plane.compact()) },
      { target: embedded, compact: () => Promise.resolve(server.faults.compactHistory()) },
    );
    judged = run.cases.map((c) => judge(c, accepted));
    console.log(`# differential corpus: ${run.cases.length} cases in ${Math.round(performance.now() - started)} ms (start-up included)`);
    console.log(summaryTable(judged));
    // DIFF_DUMP=file.json keeps every case, both answers and the differences, for study.
    const dump = process.env['DIFF_DUMP'];
    if (dump !== undefined) writeFileSync(dump, JSON.stringify(judged.map((j) => ({ ...j, acceptedIds: [...j.acceptedIds] })), null, 1));
  });

  after(async () => {
    for (const t of targets) t.agent.destroy();
    await Promise.all([plane?.stop(), server?.close()]);
  });

  it('sets up every group on both servers', () => {
    assert.deepEqual(run.setupFailures, []);
  });

  it('finds no difference that accepted.ts does not explain', () => {
    const failures = judged
      .filter((j) => j.unexplained.length > 0)
      .map((j) =>
        [
          `case ${j.result.id}:`,
          ...j.unexplained.slice(0, 8).map((d) => `  at ${d.path}: real ${show(d.real)} / embedded ${show(d.embedded)}`),
          j.unexplained.length > 8 ? `  ... and ${j.unexplained.length - 8} more` : '',
          `  real:     ${show(j.result.real)}`,
          `  embedded: ${show(j.result.embedded)}`,
        ].join('\n'),
      );
    assert.equal(failures.length, 0, `${failures.length} cases with unexplained differences:\n${failures.join('\n')}`);
  });

  it('has no stale accepted difference (each still produced by some case)', () => {
    const used = new Set(judged.flatMap((j) => [...j.acceptedIds]));
    assert.deepEqual(accepted.filter((a) => !used.has(a.id)).map((a) => a.id), []);
  });
});

describe('accepted differences', () => {
  it('have unique ids and reasons, and each is listed in src/apiserver/README.md', () => {
    const readme = readFileSync(new URL('../../src/apiserver/README.md', import.meta.url), 'utf8');
    const section = readme.split('## Differences found by the differential corpus')[1]?.split(/\n## /)[0] ?? '';
    assert.notEqual(section, '', 'src/apiserver/README.md has no section "Differences found by the differential corpus"');
    const ids = accepted.map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate ids');
    for (const a of accepted) {
      assert.ok(a.reason.length > 10, `${a.id}: no reason`);
      assert.ok(section.includes(`\`${a.id}\``), `${a.id} is not listed in src/apiserver/README.md under "Differences found by the differential corpus"`);
    }
  });
});
