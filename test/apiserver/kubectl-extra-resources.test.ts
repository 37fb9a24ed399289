// kubectl get, apply and delete of resources a caller registered with the
// embedded server (ApiServerOptions.resources). The same commands were run
// with kubectl v1.37.2 against kube-apiserver v1.37.2 serving CRDs of the same
// names (schema: object, x-kubernetes-preserve-unknown-fields), and these are
// the outputs it printed there.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KUBECTL, startKubectlSession } from './kubectl-runner.ts';
import type { KubectlSession } from './kubectl-runner.ts';

const widget = (size: number): string => `apiVersion: example.com/v1
kind: Widget
metadata:
  name: kw
  namespace: default
spec:
  size: ${size}
  colors: [red]
`;

const gadget = `apiVersion: example.com/v1
kind: Gadget
metadata:
  name: kg
note: any field is kept
`;

describe(`kubectl get, apply and delete of registered resources (${KUBECTL})`, () => {
  let session: KubectlSession;
  let kubectl: KubectlSession['kubectl'];
  /** kubectl's minor version: before 1.21 it shows managedFields without a flag (and has none). */
  let minor = 0;

  before(async () => {
    session = await startKubectlSession({
      resources: [
        { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true, shortNames: ['wd'] },
        { group: 'example.com', version: 'v1', kind: 'Gadget', plural: 'gadgets', namespaced: false },
      ],
    });
    ({ kubectl } = session);
    const version = await kubectl('version', '--client', '-o', 'json');
    minor = Number.parseInt((JSON.parse(version.stdout) as { clientVersion?: { minor?: string } }).clientVersion?.minor ?? '0', 10);
  });
  after(() => session.close());

  async function manifest(file: string, text: string): Promise<string> {
    const path = join(session.dir, file);
    await writeFile(path, text);
    return path;
  }

  it('lists them in api-resources', async () => {
    const r = await kubectl('api-resources', '--api-group=example.com');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^gadgets\s+example\.com\/v1\s+false\s+Gadget$/m);
    assert.match(r.stdout, /^widgets\s+wd\s+example\.com\/v1\s+true\s+Widget$/m);
  });

  it('applies, gets, re-applies (a merge patch, no warning) and deletes a namespaced one', async () => {
    const file = await manifest('widget.yaml', widget(3));
    const created = await kubectl('apply', '-f', file);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'widget.example.com/kw created');
    const table = await kubectl('get', 'widgets', '-n', 'default');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+AGE\nkw\s+\d+s\n$/);
    const byShortName = await kubectl('get', 'wd', 'kw', '-n', 'default', '-o', 'jsonpath={.spec}');
    assert.equal(byShortName.stdout, '{"colors":["red"],"size":3}');
    await writeFile(file, widget(4));
    const configured = await kubectl('apply', '-f', file);
    assert.equal(configured.code, 0, configured.stderr);
    assert.equal(configured.stdout.trim(), 'widget.example.com/kw configured');
    assert.equal(configured.stderr, '', 'kubectl found no strategic merge to compute (the OpenAPI PATCH lists none, as for a CRD)');
    const after = await kubectl('get', 'widget.example.com', 'kw', '-n', 'default', '-o', 'jsonpath={.spec.size} {.metadata.generation}');
    assert.equal(after.stdout, '4 2');
    const unchanged = await kubectl('diff', '-f', file);
    assert.equal(unchanged.code, 0, unchanged.stdout + unchanged.stderr);
    const deleted = await kubectl('delete', '-f', file);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout.trim(), /^widget\.example\.com "kw" deleted( from default namespace)?$/);
    const gone = await kubectl('get', 'widgets', '-n', 'default');
    assert.match(gone.stderr.trim(), /^No resources found in default namespace\.$/);
  });

  it('applies server-side', async () => {
    const file = await manifest('widget-ssa.yaml', widget(5));
    const applied = await kubectl('apply', '--server-side', '-f', file);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(applied.stdout.trim(), 'widget.example.com/kw serverside-applied');
    const showManaged = minor >= 21 ? ['--show-managed-fields'] : [];
    const managed = await kubectl('get', 'wd', 'kw', '-n', 'default', ...showManaged, '-o', 'jsonpath={.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation}');
    assert.equal(managed.stdout, 'kubectl Apply');
    assert.equal((await kubectl('delete', 'widgets', 'kw', '-n', 'default')).code, 0);
  });

  it('applies, gets and deletes a cluster-scoped one, keeping any field', async () => {
    const file = await manifest('gadget.yaml', gadget);
    const created = await kubectl('apply', '-f', file);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'gadget.example.com/kg created');
    const note = await kubectl('get', 'gadgets', 'kg', '-o', 'jsonpath={.note}');
    assert.equal(note.stdout, 'any field is kept');
    const deleted = await kubectl('delete', 'gadget', 'kg');
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout.trim(), 'gadget.example.com "kg" deleted');
  });
});
