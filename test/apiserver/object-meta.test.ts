// Metadata that kube-apiserver v1.37.2 refuses with 422 Invalid whatever the
// kind (found by the differential corpus, test/kube/differential): bad label
// keys and values, bad annotation keys, annotations over 256 KiB, finalizers
// that are not qualified names, owner references without a uid, and a
// ConfigMap key in both data and binaryData. Messages, fields and details
// are kube's (details carry no empty `group`).
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { qualifiedNameProblems } from '../../src/apiserver/object-meta.ts';
import { req } from './helpers.ts';

const CMS = '/api/v1/namespaces/default/configmaps';
const namePart =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('apiserver object metadata validation', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  const cases: [string, Record<string, unknown>, { field: string; reason: string; message: string }[]][] = [
    ['label-key', { labels: { 'bad key': 'v' } }, [{ field: 'metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: "bad key": ${namePart}` }]],
    ['label-long', { labels: { k: 'x'.repeat(64) } }, [{ field: 'metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: "${'x'.repeat(64)}": must be no more than 63 bytes` }]],
    ['annotation-key', { annotations: { 'a b': 'v' } }, [{ field: 'metadata.annotations', reason: 'FieldValueInvalid', message: `Invalid value: "a b": ${namePart}` }]],
    ['annotations-big', { annotations: { k: 'x'.repeat(256 * 1024) } }, [{ field: 'metadata.annotations', reason: 'FieldValueTooLong', message: 'Too long: may not be more than 262144 bytes' }]],
    [
      'finalizer',
      { finalizers: ['no slash'] },
      [
        { field: 'metadata.finalizers', reason: 'FieldValueInvalid', message: `Invalid value: "no slash": ${namePart}` },
        { field: 'metadata.finalizers[0]', reason: 'FieldValueInvalid', message: 'Invalid value: "no slash": name is neither a standard finalizer name nor is it fully qualified' },
      ],
    ],
    ['owner-uid', { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'x' }] }, [{ field: 'metadata.ownerReferences[0].uid', reason: 'FieldValueRequired', message: 'Required value: must not be empty' }]],
  ];
  for (const [name, meta, causes] of cases) {
    it(`refuses ${name} with kube's 422, and stores nothing`, async () => {
      const r = await req(server, 'POST', CMS, { body: { metadata: { name, ...meta } } });
      assert.equal(r.status, 422);
      assert.equal(r.json.reason, 'Invalid');
      assert.deepEqual(r.json.details, { name, kind: 'ConfigMap', causes });
      assert.equal((await req(server, 'GET', `${CMS}/${name}`)).status, 404);
    });
  }

  it('refuses the same through a patch, and keeps the stored object', async () => {
    assert.equal((await req(server, 'POST', CMS, { body: { metadata: { name: 'patched', labels: { ok: 'yes' } } } })).status, 201);
    const r = await req(server, 'PATCH', `${CMS}/patched`, { body: { metadata: { labels: { 'bad key': 'v' } } }, contentType: 'application/merge-patch+json' });
    assert.equal(r.status, 422);
    assert.deepEqual((await req(server, 'GET', `${CMS}/patched`)).json.metadata.labels, { ok: 'yes' });
  });

  it('refuses a key in both data and binaryData', async () => {
    const r = await req(server, 'POST', CMS, { body: { metadata: { name: 'dup' }, data: { k: 'v' }, binaryData: { k: 'dg==' } } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: "k": duplicate of key present in binaryData', field: 'data[k]' }]);
  });

  it('accepts prefixed keys, standard finalizers and complete owner references', async () => {
    const meta = {
      name: 'fine',
      labels: { 'example.com/k': 'v', empty: '' },
      annotations: { 'Example.com/Upper': 'v' },
      finalizers: ['kubernetes', 'example.com/f'],
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: '1' }],
    };
    assert.equal((await req(server, 'POST', CMS, { body: { metadata: meta } })).status, 201);
  });

  it('reports a name that is only too long as too long, with kube\'s length message', async () => {
    const long = 'a'.repeat(254);
    const r = await req(server, 'POST', CMS, { body: { metadata: { name: long } } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.details.causes, [{ reason: 'FieldValueInvalid', message: `Invalid value: "${long}": must be no more than 253 characters`, field: 'metadata.name' }]);
    const ns = 'n'.repeat(64);
    const n = await req(server, 'POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    assert.equal(n.status, 422);
    assert.deepEqual(n.json.details.causes[0], { reason: 'FieldValueInvalid', message: `Invalid value: "${ns}": must be no more than 63 characters`, field: 'metadata.name' });
  });

  it('checks a generateName prefix before the name made from it', async () => {
    const r = await req(server, 'POST', CMS, { body: { metadata: { generateName: 'Gen_' } } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.details.causes.map((c: { field: string }) => c.field), ['metadata.generateName', 'metadata.name']);
    assert.match(r.json.details.causes[0].message, /^Invalid value: "Gen_": a lowercase RFC 1123 subdomain/);
    assert.equal((await req(server, 'POST', CMS, { body: { metadata: { generateName: 'gen-' } } })).status, 201);
  });

  it('requires tls.crt and tls.key in a kubernetes.io/tls Secret, as kube does', async () => {
    const r = await req(server, 'POST', '/api/v1/namespaces/default/secrets', { body: { metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.details, { name: 'tls', kind: 'Secret', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'data[tls.key]' }] });
    const ok = await req(server, 'POST', '/api/v1/namespaces/default/secrets', { body: { metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eQ==' } } });
    assert.equal(ok.status, 201);
  });

  it('qualifiedNameProblems: prefix and name parts', () => {
    assert.deepEqual(qualifiedNameProblems('a.b/c'), []);
    assert.deepEqual(qualifiedNameProblems('/c'), ['prefix part must be non-empty']);
    assert.deepEqual(qualifiedNameProblems('a/'), ['name part must be non-empty']);
    assert.equal(qualifiedNameProblems('a/b/c').length, 1);
    assert.deepEqual(qualifiedNameProblems('x'.repeat(64)), ['name part must be no more than 63 characters']);
  });
});
