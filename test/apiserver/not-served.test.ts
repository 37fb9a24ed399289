// What kube-apiserver serves and the embedded server does not (kubectl logs,
// exec, create deployment, create token, endpoints, ...) keeps kube's 404
// NotFound, with a message that says so instead of a bare "not found".
/* eslint-disable @typescript-eslint/no-unsafe-member-access */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { pod, req } from './helpers.ts';

const NS = '/api/v1/namespaces/default';
const prefix = 'the server could not find the requested resource: the embedded API server does not serve ';

describe('apiserver: what it does not serve', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
    await req(server, 'POST', `${NS}/pods`, { body: pod('p') });
    await req(server, 'POST', `${NS}/serviceaccounts`, { body: { metadata: { name: 'sa' } } });
  });
  after(() => server.close());

  it('the requests of kubectl logs, exec, create deployment and create token get a 404 saying what is not served', async () => {
    const cases: [string, string, string, Record<string, string>?][] = [
      ['GET', `${NS}/pods/p/log?container=c`, 'the pods/log subresource'],
      ['POST', `${NS}/pods/p/exec?command=ls&stdout=true`, 'the pods/exec subresource'],
      ['GET', `${NS}/pods/p/exec?command=ls&stdout=true`, 'the pods/exec subresource', { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }],
      ['POST', `${NS}/serviceaccounts/sa/token`, 'the serviceaccounts/token subresource'],
      ['POST', '/apis/apps/v1/namespaces/default/deployments', 'apps/v1: it serves /api/v1 and the groups listed at /apis only'],
      ['GET', '/apis/apps/v1', 'apps/v1: it serves /api/v1 and the groups listed at /apis only'],
      ['GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', 'discovery.k8s.io/v1: it serves /api/v1 and the groups listed at /apis only'],
      ['GET', `${NS}/endpoints`, 'the resource "endpoints" in v1'],
      ['GET', `${NS}/services/kubernetes/proxy`, 'the services/proxy subresource'],
      ['POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', 'the resource "subjectaccessreviews" in authorization.k8s.io/v1'],
    ];
    for (const [method, path, what, headers] of cases) {
      const r = await req(server, method, path, { ...(method === 'POST' ? { body: {} } : {}), ...(headers === undefined ? {} : { headers }) });
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${prefix}${what}`, reason: 'NotFound', details: {}, code: 404 }, `${method} ${path}`);
    }
  });

  it('paths that name nothing kube serves keep the plain message', async () => {
    for (const path of ['/foo', `${NS}/pods/p/status/extra`, '/api/v1/pods/p', '/api/v1/namespaces/default/nodes']) {
      const r = await req(server, 'GET', path);
      assert.equal(r.status, 404, path);
      assert.equal(r.json.message, 'the server could not find the requested resource', path);
    }
    assert.equal((await req(server, 'GET', '/api/v1/namespaces/default/status')).status, 200, 'a namespace subresource is still served');
  });
});
