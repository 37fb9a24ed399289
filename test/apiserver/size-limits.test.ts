// Size limits as kube-apiserver v1.37.2 answers them (checked by hand): a
// ConfigMap or Secret holding more than 1 MiB of data is 422 Invalid, and a
// body nested too deep is 400 BadRequest (never a 500 from a stack overflow).
/* eslint-disable @typescript-eslint/no-unsafe-member-access */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';

const NS = '/api/v1/namespaces/default';
const MiB = 1024 * 1024;
const b64 = (bytes: number): string => Buffer.alloc(bytes, 'x').toString('base64');

function tooLong(kind: string, name: string, field: string): unknown {
  const message = 'Too long: may not be more than 1048576 bytes';
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid',
    message: `${kind} "${name}" is invalid: ${field}: ${message}`,
    details: { name, kind, causes: [{ reason: 'FieldValueTooLong', message, field }] },
  };
}

/** `[` nested `n` deep (with its closing brackets). */
const arrays = (n: number): string => '['.repeat(n) + ']'.repeat(n);

describe('apiserver size limits', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  it('a ConfigMap may hold 1 MiB of data and binaryData together (UTF-8 bytes, keys not counted), not a byte more', async () => {
    const ok = await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name: 'cm-exact' }, data: { k: 'x'.repeat(MiB) } } });
    assert.equal(ok.status, 201);
    const cases: [string, Record<string, unknown>][] = [
      ['cm-over', { data: { k: 'x'.repeat(MiB + 1) } }],
      ['cm-two', { data: { k: 'x'.repeat(MiB / 2), j: 'x'.repeat(MiB / 2 + 1) } }],
      ['cm-split', { data: { k: 'x'.repeat(MiB / 2) }, binaryData: { b: b64(MiB / 2 + 1) } }],
      ['cm-utf8', { data: { k: 'é'.repeat(MiB / 2 + 1) } }],
    ];
    for (const [name, fields] of cases) {
      const r = await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name }, ...fields } });
      assert.equal(r.status, 422, name);
      assert.deepEqual(r.json, tooLong('ConfigMap', name, '[]'));
    }
    const grow = await req(server, 'PATCH', `${NS}/configmaps/cm-exact`, { body: { data: { more: 'y' } }, contentType: 'application/merge-patch+json' });
    assert.deepEqual(grow.json, tooLong('ConfigMap', 'cm-exact', '[]'));
    const kept = await req(server, 'GET', `${NS}/configmaps/cm-exact`);
    assert.deepEqual(Object.keys(kept.json.data as object), ['k'], 'the stored object is unchanged');
  });

  it('a Secret may hold 1 MiB of decoded data (stringData included), not a byte more', async () => {
    assert.equal((await req(server, 'POST', `${NS}/secrets`, { body: { metadata: { name: 's-exact' }, data: { k: b64(MiB) } } })).status, 201);
    const over = await req(server, 'POST', `${NS}/secrets`, { body: { metadata: { name: 's-over' }, data: { k: b64(MiB + 1) } } });
    assert.deepEqual(over.json, tooLong('Secret', 's-over', 'data'));
    const mixed = await req(server, 'POST', `${NS}/secrets`, { body: { metadata: { name: 's-mixed' }, data: { a: b64(MiB / 2) }, stringData: { k: 'x'.repeat(MiB / 2 + 1) } } });
    assert.deepEqual(mixed.json, tooLong('Secret', 's-mixed', 'data'));
    const put = await req(server, 'PUT', `${NS}/secrets/s-exact`, { body: { metadata: { name: 's-exact' }, data: { k: b64(MiB), l: b64(1) } } });
    assert.deepEqual(put.json, tooLong('Secret', 's-exact', 'data'));
    assert.doesNotMatch(put.text, /eHh4/, 'no data in the error');
  });

  it('a body nested 50,000 deep is 400 BadRequest, for every verb, and the server serves on', async () => {
    const deep = `{"metadata":{"name":"deep"},"data":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`;
    for (const [method, path] of [['POST', `${NS}/configmaps`], ['PUT', `${NS}/configmaps/cm-exact`]]) {
      const r = await req(server, method ?? '', path ?? '', { body: deep });
      assert.equal(r.status, 400, `${method} ${r.text.slice(0, 200)}`);
      assert.deepEqual(r.json, {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest',
        message: "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character '{' exceeded max depth",
      });
    }
    for (const type of ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json']) {
      const body = type === 'application/json-patch+json' ? `[{"op":"add","path":"/x","value":${arrays(50_000)}}]` : `{"x":${arrays(50_000)}}`;
      const r = await req(server, 'PATCH', `${NS}/configmaps/cm-exact`, { body, contentType: type });
      assert.equal(r.status, 400, type);
      assert.equal(r.json.message, 'invalid JSON patch');
    }
    assert.equal((await req(server, 'GET', `${NS}/configmaps/cm-exact`)).status, 200);
  });

  it(`nesting up to 1,000 levels is read; 1,001 levels sent is a 400; a deeper object made by a patch is read`, async () => {
    const C = `${NS}/configmaps`;
    // No field of a ConfigMap holds free-form JSON, so the nesting sits in an unknown field, which
    // is read (to its depth) and then dropped (fieldValidation=Ignore); `x` starts 2 levels down.
    const atLimit = await req(server, 'POST', `${C}?fieldValidation=Ignore`, { body: `{"metadata":{"name":"nest"},"x":${arrays(999)}}` });
    assert.equal(atLimit.status, 201, atLimit.text.slice(0, 200));
    const over = await req(server, 'POST', `${C}?fieldValidation=Ignore`, { body: `{"metadata":{"name":"nest2"},"x":${arrays(1000)}}` });
    assert.equal(over.status, 400);
    assert.match(String(over.json.message), /invalid character '\[' exceeded max depth$/);
    // A JSON patch that adds a 990-deep array, then copies it into its own innermost array, nests
    // the patched object about 1,980 levels deep (kube reads 10,000): it is decoded without a stack
    // overflow and the unknown field is dropped, as kube-apiserver does.
    const copy = await req(server, 'PATCH', `${C}/nest?fieldValidation=Ignore`, {
      body: [{ op: 'add', path: '/x', value: JSON.parse(arrays(990)) as unknown }, { op: 'copy', from: '/x', path: `/x${'/0'.repeat(989)}/0` }],
      contentType: 'application/json-patch+json',
    });
    assert.equal(copy.status, 200, copy.text.slice(0, 200));
    assert.equal(copy.json.x, undefined);
    assert.equal((await req(server, 'GET', `${C}/nest`)).status, 200, 'the object is still served');
  });
});
