// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';

// Every answer here was checked against kube-apiserver v1.37.2.
const NS = '/api/v1/namespaces/default';
const merge = 'application/merge-patch+json';

describe('update validation order', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  const fields = (r: { json: { details: { causes: { field: string }[] } } }): string[] => r.json.details.causes.map((c) => c.field);

  it('lists the new metadata, then the update rules, then the object rules, in one 422', async () => {
    assert.equal((await req(server, 'POST', `${NS}/configmaps`, { body: { metadata: { name: 'im' }, data: { k: 'v' }, immutable: true } })).status, 201);
    const r = await req(server, 'PUT', `${NS}/configmaps/im`, { body: { metadata: { name: 'im', labels: { 'bad key': 'v' } }, data: { 'k!': 'v' } } });
    assert.equal(r.status, 422);
    assert.deepEqual(fields(r), ['metadata.labels', 'immutable', 'data', 'data[k!]']);
  });

  it('a patch that changes a Secret\'s type: the immutable type first, then `immutable`, then the keys the new type needs', async () => {
    assert.equal((await req(server, 'POST', `${NS}/secrets`, { body: { metadata: { name: 's' }, data: { k: 'dg==' }, immutable: true } })).status, 201);
    const r = await req(server, 'PATCH', `${NS}/secrets/s`, {
      body: { metadata: { uid: 'x', labels: { 'bad key': 'v' } }, type: 'kubernetes.io/tls', immutable: false, data: { 'k!': 'dg==' } },
      contentType: merge,
    });
    assert.equal(r.status, 422);
    assert.deepEqual(fields(r), ['metadata.labels', 'metadata.uid', 'type', 'immutable', 'data', 'data[k!]', 'data[tls.crt]', 'data[tls.key]']);
    assert.match(r.json.message, /^Secret "s" is invalid: \[metadata\.labels: .*, metadata\.uid: Invalid value: "x": field is immutable, type: Invalid value: "kubernetes\.io\/tls": field is immutable, immutable: Forbidden/);
  });
});
