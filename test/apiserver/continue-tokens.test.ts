// Forged continue tokens get kube-apiserver v1.37.2's answers (checked by
// hand against it): 400 for anything its storage cannot decode, 504 for an
// RV from the future, 410 with an inconsistent-continuation token for one
// from before the history, and a list at the current state for a negative RV.
// A list never answers a resourceVersion that is not a decimal integer.
/* eslint-disable @typescript-eslint/no-unsafe-member-access */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { req } from './helpers.ts';
import type { Reply } from './helpers.ts';

const L = '/api/v1/namespaces/ct/configmaps';
const token = (json: string): string => Buffer.from(json).toString('base64url');
const names = (r: Reply): string[] => (r.json.items as { metadata: { name: string } }[]).map((o) => o.metadata.name);

describe('apiserver continue tokens', () => {
  let server: ApiServer;
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  before(async () => {
    server = await startApiServer({ clock });
    await req(server, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'ct' } } });
    for (const name of ['a', 'b', 'c']) await req(server, 'POST', L, { body: { metadata: { name } } });
  });
  after(() => server.close());

  const list = (cont: string): Promise<Reply> => req(server, 'GET', `${L}?limit=1&continue=${cont}`);

  it('answers 400 with the storage\'s reason for every token it cannot decode', async () => {
    const rv = server.metrics().resourceVersion;
    const cases: [string, string][] = [
      [token(`{"v":"meta.k8s.io/v1","rv":1.5,"start":"ct/a"}`), 'json: cannot unmarshal number 1.5 into Go struct field continueToken.rv of type int64'],
      [token(`{"v":"meta.k8s.io/v1","rv":1e+300,"start":"ct/a"}`), 'json: cannot unmarshal number 1e+300 into Go struct field continueToken.rv of type int64'],
      [token(`{"v":"meta.k8s.io/v1","rv":${rv}.0,"start":"ct/a"}`), `json: cannot unmarshal number ${rv}.0 into Go struct field continueToken.rv of type int64`],
      [token(`{"v":"meta.k8s.io/v1","rv":9223372036854775808,"start":"ct/a"}`), 'json: cannot unmarshal number 9223372036854775808 into Go struct field continueToken.rv of type int64'],
      [token(`{"v":"meta.k8s.io/v1","rv":"5","start":"ct/a"}`), 'json: cannot unmarshal string into Go struct field continueToken.rv of type int64'],
      [token(`{"v":"meta.k8s.io/v1","rv":true,"start":"ct/a"}`), 'json: cannot unmarshal bool into Go struct field continueToken.rv of type int64'],
      [token(`{"v":"meta.k8s.io/v1","rv":0,"start":"ct/a"}`), 'incorrect encoded start resourceVersion (version meta.k8s.io/v1)'],
      [token(`{"v":"meta.k8s.io/v1","rv":null,"start":"ct/a"}`), 'incorrect encoded start resourceVersion (version meta.k8s.io/v1)'],
      [token(`{"v":"meta.k8s.io/v1","rv":5,"start":""}`), 'encoded start key empty (version meta.k8s.io/v1)'],
      [token(`{"v":"meta.k8s.io/v1","rv":5}`), 'encoded start key empty (version meta.k8s.io/v1)'],
      [token(`{"v":"meta.k8s.io/v1","rv":5,"start":"ct/../kube-system/x"}`), 'ct/../kube-system/x'],
      [token(`{"v":"meta.k8s.io/v2","rv":5,"start":"a"}`), 'server does not recognize this encoded version meta.k8s.io/v2'],
      ['a$b', 'illegal base64 data at input byte 1'],
      ['abcde', 'illegal base64 data at input byte 4'],
      ['YQ==', 'illegal base64 data at input byte 2'],
      ['garbage', "invalid character '\\u0081' looking for beginning of value"],
      [token('garbage'), "invalid character 'g' looking for beginning of value"],
    ];
    for (const [cont, detail] of cases) {
      const r = await list(encodeURIComponent(cont));
      assert.equal(r.status, 400, `${cont}: ${r.text}`);
      assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `invalid continue token: continue key is not valid: ${detail}`, reason: 'BadRequest', code: 400 });
    }
  });

  it('an RV from the future waits 3 s, then 504 Too large resource version (int64 digits kept exact)', async () => {
    const current = server.metrics().resourceVersion;
    for (const rv of ['99999999999', '9223372036854775807']) {
      const before = server.metrics().requests['list configmaps'] ?? 0;
      const pending = list(token(`{"v":"meta.k8s.io/v1","rv":${rv},"start":"ct/a"}`));
      while ((server.metrics().requests['list configmaps'] ?? 0) === before) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      clock.step(3000);
      const r = await pending;
      assert.equal(r.status, 504);
      assert.equal(r.json.reason, 'Timeout');
      assert.equal(r.json.message, `Timeout: Too large resource version: ${rv}, current: ${current}`);
    }
  });

  it('a negative RV continues at the current state; a compacted one is 410 with a token that does so', async () => {
    const first = await req(server, 'GET', `${L}?limit=1`);
    assert.deepEqual(names(first), ['a']);
    const start = (JSON.parse(Buffer.from(first.json.metadata.continue as string, 'base64url').toString()) as { start: string }).start;
    await req(server, 'POST', L, { body: { metadata: { name: 'bb' } } });
    for (const rv of ['-1', '-5']) {
      const r = await list(token(`{"v":"meta.k8s.io/v1","rv":${rv},"start":${JSON.stringify(start)}}`));
      assert.equal(r.status, 200);
      assert.deepEqual(names(r), ['b'], 'the next page, at the current state');
      assert.equal(r.json.metadata.resourceVersion, server.metrics().resourceVersion);
      assert.equal(r.json.metadata.remainingItemCount, 2, 'bb (created after the first page) and c');
    }
    server.faults.compactHistory();
    const gone = await list(first.json.metadata.continue as string);
    assert.equal(gone.status, 410);
    assert.equal(gone.json.reason, 'Expired');
    assert.match(String(gone.json.message), /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results\. Continuing with the provided token results in an inconsistent list/);
    const resume = await req(server, 'GET', `${L}?limit=10&continue=${gone.json.metadata.continue as string}`);
    assert.equal(resume.status, 200);
    assert.deepEqual(names(resume), ['b', 'bb', 'c']);
    assert.match(String(resume.json.metadata.resourceVersion), /^\d+$/);
  });
});
