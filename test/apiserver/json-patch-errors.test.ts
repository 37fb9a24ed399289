// A JSON patch that cannot be applied is kube-apiserver v1.37.2's 422 Invalid
// ("the server rejected our request due to an error in our request"),
// whether an operation fails or is unknown (found by the differential
// corpus: an unknown operation was a 400 here); the object is unchanged.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';

const CM = '/api/v1/namespaces/default/configmaps/jp';

describe('apiserver JSON patch failures', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
    await req(server, 'POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'jp' }, data: { k: 'v' } } });
  });
  after(() => server.close());

  for (const [what, ops] of [
    ['an unknown operation', [{ op: 'frobnicate', path: '/data/k' }]],
    ['a failed test', [{ op: 'test', path: '/data/k', value: 'other' }]],
    ['a remove of a missing key', [{ op: 'remove', path: '/data/nope' }]],
  ] as const) {
    it(`${what} is 422 Invalid and changes nothing`, async () => {
      const r = await req(server, 'PATCH', CM, { body: ops, contentType: 'application/json-patch+json' });
      assert.equal(r.status, 422);
      assert.equal(r.json.reason, 'Invalid');
      assert.match(r.json.message, /^the server rejected our request due to an error in our request/);
      assert.deepEqual((await req(server, 'GET', CM)).json.data, { k: 'v' });
    });
  }
});
