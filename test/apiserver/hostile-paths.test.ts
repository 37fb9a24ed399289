// Paths are matched as sent: `.` and `..` (plain or %-escaped) are never
// resolved, so `secrets/..` cannot reach the namespace above it. Expected
// answers are kube-apiserver v1.37.2's (checked by hand against it).
/* eslint-disable @typescript-eslint/no-unsafe-member-access */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req, secret } from './helpers.ts';
import { rawRequest } from './raw-request.ts';
import type { Protocol } from './raw-request.ts';

const V = '/api/v1/namespaces/victim';
const protocols: Protocol[] = ['h1', 'h2'];

describe('apiserver paths from a hostile client', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
    assert.equal((await req(server, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'victim' } } })).status, 201);
    assert.equal((await req(server, 'POST', `${V}/secrets`, { body: secret('keep') })).status, 201);
  });
  after(() => server.close());

  async function victimIntact(): Promise<void> {
    assert.equal((await req(server, 'GET', '/api/v1/namespaces/victim')).json.status.phase, 'Active', 'namespace victim untouched');
    assert.equal((await req(server, 'GET', `${V}/secrets/keep`)).status, 200, 'its secret untouched');
  }

  for (const proto of protocols) {
    it(`${proto}: a name of . or .. (plain or %-escaped) is a 400 for every verb and reaches nothing`, async () => {
      const names: [string, string][] = [['..', '..'], ['%2E%2E', '..'], ['%2e%2e', '..'], ['.%2E', '..'], ['.', '.'], ['%2E', '.']];
      for (const [sent, name] of names) {
        for (const method of ['DELETE', 'GET', 'PUT', 'PATCH']) {
          const body = method === 'PUT' ? JSON.stringify(secret(name)) : method === 'PATCH' ? '{}' : undefined;
          const contentType = method === 'PATCH' ? 'application/merge-patch+json' : undefined;
          const r = await rawRequest(server, proto, { method, path: `${V}/secrets/${sent}`, ...(body === undefined ? {} : { body }), ...(contentType === undefined ? {} : { contentType }) });
          assert.equal(r.status, 400, `${method} secrets/${sent}: ${r.text}`);
          assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Name parameter invalid: "${name}": may not be '${name}'`, reason: 'BadRequest', code: 400 });
        }
      }
      for (const path of ['/api/v1/namespaces/..', '/api/v1/namespaces/%2e%2e', '/api/v1/nodes/..', `${V}/pods/../status`, `${V}/secrets/..?watch=1`]) {
        const r = await rawRequest(server, proto, { method: path.includes('namespaces/%2e') || path.endsWith('/..') ? 'DELETE' : 'GET', path });
        assert.equal(r.status, 400, `${path}: ${r.text}`);
        assert.equal(r.json.reason, 'BadRequest');
      }
      await victimIntact();
    });

    it(`${proto}: a namespace of . or .. answers kube's 500 "invalid key" and never lists or deletes across namespaces`, async () => {
      const cases: [string, string, string][] = [
        ['GET', '/api/v1/namespaces/../secrets', 'invalid key: "/secrets/.."'],
        ['GET', '/api/v1/namespaces/%2E%2E/secrets?watch=1', 'invalid key: "/secrets/.."'],
        ['GET', '/api/v1/watch/namespaces/../secrets', 'invalid key: "/secrets/.."'],
        ['DELETE', '/api/v1/namespaces/../secrets', 'invalid key: "/secrets/.."'],
        ['DELETE', '/api/v1/namespaces/%2e%2e/secrets/keep', 'invalid key: "/secrets/../keep"'],
        ['GET', '/api/v1/namespaces/./pods/x/status', 'invalid key: "/pods/./x"'],
      ];
      for (const [method, path, message] of cases) {
        const r = await rawRequest(server, proto, { method, path });
        assert.equal(r.status, 500, `${method} ${path}: ${r.text}`);
        assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 500 });
      }
      const create = await rawRequest(server, proto, { method: 'POST', path: '/api/v1/namespaces/../secrets', body: JSON.stringify(secret('x')) });
      assert.equal(create.status, 500);
      assert.equal(create.json.reason, 'InternalError');
      assert.equal(create.json.message, `Internal error occurred: invalid resource name "..": [may not be '..']`);
      await victimIntact();
    });

    it(`${proto}: %2F splits segments, % in a name is refused, a malformed escape is a plain-text 400`, async () => {
      const slash = await rawRequest(server, proto, { method: 'DELETE', path: `${V}/secrets/keep%2F..` });
      assert.equal(slash.status, 404, 'secrets/keep/.. is no path kube serves');
      assert.match(String(slash.json.message), /^the server could not find the requested resource/);
      const percent = await rawRequest(server, proto, { method: 'GET', path: `${V}/secrets/a%25b` });
      assert.equal(percent.status, 400);
      assert.equal(percent.json.message, `Name parameter invalid: "a%b": may not contain '%'`);
      const bad = await rawRequest(server, proto, { method: 'GET', path: '/api/v1/namespaces/%E0%A4%A/secrets' });
      assert.equal(bad.status, 400);
      assert.equal(bad.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(bad.text, '400 Bad Request');
      const escaped = await rawRequest(server, proto, { method: 'GET', path: '/api/v1/namespaces/%76ictim/secrets/%6beep' });
      assert.equal(escaped.status, 200, 'well-formed escapes of ordinary characters are decoded');
      assert.equal(escaped.json.metadata.name, 'keep');
      await victimIntact();
    });
  }
});
