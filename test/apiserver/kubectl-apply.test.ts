// kubectl's dry-run, diff and server-side apply against the embedded server.
// Each flow was first run against kube-apiserver v1.37.2 with the same
// kubectl (v1.37.2, and v1.32), and asserts what it printed there.
// Debian's kubectl 1.20 (what CI runs where Go is absent) passes them too:
// before a dry run or diff it looks for a dryRun parameter on the kind's
// PATCH operation in /openapi/v2 (openapi-v2.ts lists it), and would refuse
// with "doesn't support dry-run" without it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KUBECTL, startKubectlSession } from './kubectl-runner.ts';
import type { KubectlSession } from './kubectl-runner.ts';

const configMap = (name: string, value: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: default
data:
  key: ${value}
`;

describe(`kubectl apply --dry-run=server, diff, apply --server-side (${KUBECTL})`, () => {
  let session: KubectlSession;
  let dir: string;
  let kubectl: KubectlSession['kubectl'];

  /** kubectl's minor version (0 when it does not say). */
  let minor = 0;

  before(async () => {
    session = await startKubectlSession();
    ({ dir, kubectl } = session);
    const version = await kubectl('version', '--client', '-o', 'json');
    minor = Number.parseInt((JSON.parse(version.stdout) as { clientVersion?: { minor?: string } }).clientVersion?.minor ?? '0', 10);
  });

  /** kubectl before 1.21 shows managedFields without being asked and has no flag for it. */
  const showManaged = (): string[] => (minor >= 21 ? ['--show-managed-fields'] : []);
  after(() => session.close());

  async function manifest(file: string, text: string): Promise<string> {
    const path = join(dir, file);
    await writeFile(path, text);
    return path;
  }

  it('apply --dry-run=server prints "(server dry run)" and stores nothing; so does an update', async () => {
    const file = await manifest('dry.yaml', configMap('dry', 'one'));
    const dry = await kubectl('apply', '--dry-run=server', '-f', file);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout.trim(), 'configmap/dry created (server dry run)');
    const get = await kubectl('get', 'configmap', 'dry');
    assert.equal(get.code, 1);
    assert.match(get.stderr, /configmaps "dry" not found/);
    assert.equal((await kubectl('apply', '-f', file)).code, 0);
    const changed = await manifest('dry2.yaml', configMap('dry', 'two'));
    const dryUpdate = await kubectl('apply', '--dry-run=server', '-f', changed);
    assert.equal(dryUpdate.code, 0, dryUpdate.stderr);
    assert.equal(dryUpdate.stdout.trim(), 'configmap/dry configured (server dry run)');
    const value = await kubectl('get', 'configmap', 'dry', '-o', 'jsonpath={.data.key}');
    assert.equal(value.stdout, 'one');
  });

  it('diff -f shows the difference and exits 1, and exits 0 when the object matches', async () => {
    const file = await manifest('diff.yaml', configMap('diffed', 'one'));
    const absent = await kubectl('diff', '-f', file);
    assert.equal(absent.code, 1, absent.stderr);
    assert.match(absent.stdout, /^\+ {2}key: one$/m);
    assert.equal((await kubectl('apply', '-f', file)).code, 0);
    const same = await kubectl('diff', '-f', file);
    assert.equal(same.code, 0, same.stderr + same.stdout);
    assert.equal(same.stdout, '');
    const changed = await manifest('diff2.yaml', configMap('diffed', 'two'));
    const diff = await kubectl('diff', '-f', changed);
    assert.equal(diff.code, 1, diff.stderr);
    assert.match(diff.stdout, /^- {2}key: one$/m);
    assert.match(diff.stdout, /^\+ {2}key: two$/m);
    const value = await kubectl('get', 'configmap', 'diffed', '-o', 'jsonpath={.data.key}');
    assert.equal(value.stdout, 'one', 'diff stores nothing');
  });

  it('apply --server-side creates then updates; a conflict fails with kube\'s message and --force-conflicts takes the field', async () => {
    const file = await manifest('ssa.yaml', configMap('ssa', 'one'));
    const created = await kubectl('apply', '--server-side', '-f', file);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'configmap/ssa serverside-applied');
    const changed = await manifest('ssa2.yaml', configMap('ssa', 'two'));
    const updated = await kubectl('apply', '--server-side', '-f', changed);
    assert.equal(updated.code, 0, updated.stderr);
    const other = await manifest('ssa3.yaml', configMap('ssa', 'three'));
    const conflict = await kubectl('apply', '--server-side', '--field-manager=other', '-f', other);
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl[^"]*": \.data\.key/);
    assert.equal((await kubectl('get', 'configmap', 'ssa', '-o', 'jsonpath={.data.key}')).stdout, 'two');
    const forced = await kubectl('apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', other);
    assert.equal(forced.code, 0, forced.stderr);
    const json = await kubectl('get', 'configmap', 'ssa', '-o', 'json', ...showManaged());
    assert.equal(json.code, 0, json.stderr);
    const obj = JSON.parse(json.stdout) as { data: { key: string }; metadata: { managedFields: { manager: string; operation: string; fieldsV1: unknown }[] } };
    assert.equal(obj.data.key, 'three');
    assert.deepEqual(obj.metadata.managedFields.map((e) => [e.manager, e.operation, e.fieldsV1]), [['other', 'Apply', { 'f:data': { 'f:key': {} } }]]);
  });

  it('apply --server-side after a client-side apply takes over its fields (kubectl\'s upgrade)', async () => {
    const file = await manifest('csa.yaml', configMap('upgraded', 'one'));
    assert.equal((await kubectl('apply', '-f', file)).code, 0);
    const changed = await manifest('csa2.yaml', configMap('upgraded', 'two'));
    const ssa = await kubectl('apply', '--server-side', '-f', changed);
    assert.equal(ssa.code, 0, ssa.stderr);
    const json = await kubectl('get', 'configmap', 'upgraded', '-o', 'json', ...showManaged());
    const obj = JSON.parse(json.stdout) as { data: { key: string }; metadata: { annotations: Record<string, string>; managedFields: { manager: string; fieldsV1: Record<string, unknown> }[] } };
    assert.equal(obj.data.key, 'two');
    assert.match(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] ?? '', /"key":"two"/);
    const owner = obj.metadata.managedFields.find((e) => JSON.stringify(e.fieldsV1).includes('"f:key"'));
    assert.match(owner?.manager ?? '', /^kubectl/);
    assert.notEqual(owner?.manager, 'kubectl-client-side-apply');
  });
});
