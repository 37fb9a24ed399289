// The field validation table of test/apiserver/field-validation-cases.ts,
// sent to a real kube-apiserver v1.37.2: it keeps the table kube's. Each
// answer must be the table's (a patch's 422 quotes the patched object or
// the patch, which the embedded server leaves out; see withoutPatchQuote).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { startControlPlane, type ControlPlane } from '../../src/testing/control-plane.ts';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../src/apiserver/index.ts';
import { definitions, documentDefinitions } from '../../src/apiserver/schemas/index.ts';
import { findControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { isObject, structural, type Json, type JsonObject } from '../../scripts/schema-structural.ts';
import { cases, manyFields, NS, send, storedFields, warningMessages, withoutPatchQuote, type Target } from '../apiserver/field-validation-cases.ts';

const present = hasControlPlaneBinaries();
const skip = present ? false : 'no etcd and kube-apiserver: run `npm run kube:build` (needs Go) or set KUBEBUILDER_ASSETS';
if (!present) console.log(`# test/kube/field-validation.test.ts skipped: ${skip}`);

const C = `/api/v1/namespaces/${NS}/configmaps`;

describe('field validation (kube-apiserver v1.37.2)', { skip }, () => {
  let plane: ControlPlane;
  let t: Target;
  before(async () => {
    plane = await startControlPlane();
    t = { url: plane.url, token: plane.kubeConfig().getCurrentUser()?.token ?? '', ca: plane.caCert };
    assert.equal((await send(t, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: NS } }))).status, 201);
    // No controller manager: the ServiceAccount admission needs the namespace's default one.
    assert.equal((await send(t, 'POST', `/api/v1/namespaces/${NS}/serviceaccounts`, JSON.stringify({ metadata: { name: 'default' } }))).status, 201);
  });
  after(() => plane.stop());

  for (const c of cases()) {
    it(`${c.name}: ${String(c.status)}`, async () => {
      if (c.create !== undefined) assert.equal((await send(t, 'POST', c.create.path, c.create.body)).status, 201);
      if (c.existing !== undefined) assert.equal((await send(t, 'POST', C, JSON.stringify({ metadata: { name: c.name }, data: c.existing }))).status, 201);
      const answer = await send(t, c.method, c.path, c.body, c.contentType);
      assert.equal(answer.status, c.status, JSON.stringify(answer.json));
      if (c.message !== undefined) assert.equal(withoutPatchQuote(String(answer.json?.['message'])), c.message);
      if (c.warnings !== undefined) assert.deepEqual(warningMessages(answer.warning), c.warnings);
      if (c.stored !== undefined) assert.deepEqual(await storedFields(t, c), c.stored);
    });
  }

  it('lists at most 100 fields, and bounds Warning headers', async () => {
    const many = await send(t, 'POST', `${C}?fieldValidation=Strict`, manyFields(150));
    assert.equal(String(many.json?.['message']).match(/unknown field/g)?.length, 100);
    const fields = Array.from({ length: 3000 }, (_, i) => `"bogus${String(i)}${'x'.repeat(50)}":1`).join(',');
    const warned = await send(t, 'POST', C, `{"metadata":{"name":"warn-many"},${fields}}`);
    assert.equal(warningMessages(warned.warning).length, 57);
    const long = await send(t, 'POST', C, `{"metadata":{"name":"warn-long"},"${'y'.repeat(5000)}":1}`);
    assert.equal(long.warning.length, 265);
  });
});

describe('generated schemas and kubectl explain (kube-apiserver v1.37.2)', { skip }, () => {
  let plane: ControlPlane;
  let t: Target;
  before(async () => {
    plane = await startControlPlane();
    t = { url: plane.url, token: plane.kubeConfig().getCurrentUser()?.token ?? '', ca: plane.caCert };
  });
  after(() => plane.stop());

  it('src/apiserver/schemas/definitions.ts is what the generator makes of the live server (else: node scripts/gen-apiserver-schemas.ts)', async () => {
    const groups = new Set(Object.keys(documentDefinitions).map((d) => (d === 'api/v1' ? '/v1' : d.slice('apis/'.length))));
    for (const [doc, names] of Object.entries(documentDefinitions)) {
      const body = (await send(t, 'GET', `/openapi/v3/${doc}`)).json as JsonObject | undefined;
      const components = body?.['components'];
      const schemas = isObject(components) ? components['schemas'] : undefined;
      assert.ok(isObject(schemas), doc);
      for (const name of names) {
        const live: Json | undefined = schemas[name];
        assert.ok(isObject(live), `${doc}: ${name}`);
        assert.deepEqual(structural(live, new Set(), groups), JSON.parse(JSON.stringify(definitions[name])), name);
      }
    }
  });

  it('kubectl explain lists the same fields and types on both servers', async () => {
    const kubectl = join(findControlPlaneBinaries().dir, 'kubectl');
    const embedded = await startApiServer();
    const dir = await mkdtemp(join(tmpdir(), 'kom-explain-'));
    try {
      await writeFile(join(dir, 'kube'), plane.kubeconfigYaml());
      await writeFile(join(dir, 'embedded'), embedded.kubeconfigYaml());
      const explain = (config: string, what: string): Promise<string[]> => new Promise((resolve, reject) => {
        execFile(kubectl, ['--kubeconfig', join(dir, config), '--cache-dir', join(dir, `cache-${config}`), 'explain', what], { env: { ...process.env, HOME: dir } }, (err, stdout) => {
          if (err !== null) reject(new Error(`kubectl explain ${what}: ${err.message}`));
          // Field lines: "  name\t<type> -required-" (descriptions differ: ours are left out).
          else resolve(stdout.split('\n').filter((l) => /^ {2}\S+\t</.test(l) || /^FIELD: /.test(l) || /^ {2}enum: /.test(l)));
        });
      });
      for (const what of ['secret', 'configmap', 'pod.spec', 'pod.spec.containers', 'configmap.data', 'namespace.spec', 'node.status', 'serviceaccount']) {
        assert.deepEqual(await explain('embedded', what), await explain('kube', what), what);
      }
    } finally {
      await embedded.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
