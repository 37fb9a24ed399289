// A method a path does not take is kube-apiserver v1.37.2's 405 Status, word
// for word (found by the differential corpus): the message names no method.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';

describe('apiserver 405 MethodNotAllowed', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  for (const [method, path] of [
    ['PUT', '/api/v1/namespaces/default/configmaps'],
    ['POST', '/api/v1/namespaces/default/configmaps/x'],
  ] as const) {
    it(`${method} ${path}`, async () => {
      const r = await req(server, method, path, { body: { metadata: { name: 'x' } } });
      assert.equal(r.status, 405);
      assert.deepEqual(r.json, {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
        message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', details: {}, code: 405,
      });
    });
  }
});
