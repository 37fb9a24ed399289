// Request bodies over kube-apiserver's 3 MiB limit get its 413 over HTTP/1.1
// and HTTP/2, whether the length is declared or not, and the server stops
// reading them (kube-apiserver v1.37.2 answers the same, checked by hand).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';
import { rawRequest } from './raw-request.ts';
import type { Protocol } from './raw-request.ts';

const C = '/api/v1/namespaces/default/configmaps';
const MiB = 1024 * 1024;
const LIMIT = 3 * MiB;
const tooLarge = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Request entity too large: limit is 3145728', reason: 'RequestEntityTooLarge', code: 413 };

/** A ConfigMap body padded with spaces to exactly `bytes`. */
function padded(name: string, bytes: number): string {
  const json = JSON.stringify({ metadata: { name } });
  return json + ' '.repeat(bytes - json.length);
}

describe('apiserver request body limit', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
  });
  after(() => server.close());

  for (const proto of ['h1', 'h2'] as Protocol[]) {
    for (const noLength of [false, true]) {
      it(`${proto}: a 50 MiB body ${noLength ? 'of undeclared length' : 'with its content-length'} is a 413 Status, and is not read to its end`, { timeout: 60_000 }, async () => {
        // Over HTTP/2 the client's stream stays open (its body is still queued): the server must not hold its own.
        const serverStreamGone = async (): Promise<void> => {
          while (server.metrics().openStreams > 0) await new Promise((resolve) => setImmediate(resolve));
        };
        const r = await rawRequest(server, proto, { method: 'POST', path: C, bodyBytes: 50 * MiB, noLength, whileOpen: serverStreamGone });
        assert.equal(r.status, 413, r.text);
        assert.deepEqual(r.json, tooLarge);
        if (proto === 'h2') assert.equal(r.rstCode, 0, 'the stream ends with NO_ERROR after the answer');
        else assert.equal(r.headers['connection'], 'close');
        assert.ok(r.sent < 50 * MiB, `the client stopped after ${r.sent} bytes`);
        assert.equal((await req(server, 'GET', C)).status, 200, 'the server serves on');
      });
    }

    it(`${proto}: exactly 3 MiB is accepted, one byte more is a 413`, async () => {
      const ok = await rawRequest(server, proto, { method: 'POST', path: C, body: padded(`exact-${proto}`, LIMIT) });
      assert.equal(ok.status, 201, ok.text);
      const over = await rawRequest(server, proto, { method: 'POST', path: C, body: padded(`over-${proto}`, LIMIT + 1), noLength: true });
      assert.equal(over.status, 413);
      assert.deepEqual(over.json, tooLarge);
    });
  }
});
