// /healthz, /livez and /readyz answer as kube-apiserver v1.37.2 does (checked
// by hand): plain-text `ok` to anyone, whatever the Accept header, and a
// per-check listing with ?verbose.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';

describe('apiserver health endpoints', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  for (const path of ['/healthz', '/livez', '/readyz']) {
    it(`${path} answers plain-text ok without credentials`, async () => {
      const r = await req(server, 'GET', path, { token: null });
      assert.equal(r.status, 200);
      assert.equal(r.text, 'ok');
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['cache-control'], 'no-cache, private');
      const verbose = await req(server, 'GET', `${path}?verbose`, { token: null });
      assert.equal(verbose.text, `[+]ping ok\n${path.slice(1)} check passed\n`);
      const ping = await req(server, 'GET', `${path}/ping`);
      assert.equal(ping.text, 'ok');
      assert.equal((await req(server, 'GET', `${path}/ping`, { token: null })).status, 401, 'the checks themselves need credentials');
    });
  }
});
