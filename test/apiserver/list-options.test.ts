// Wire-level protocol tests read raw JSON replies (typed `any` in helpers.ts) field by field.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { req } from './helpers.ts';

// Every answer here was first taken from kube-apiserver v1.37.2 (the
// differential corpus sends the same to both): integers are decoded first
// (400, Go's strconv message), the options are then validated together (one
// 422 listing every error), and a list's resourceVersion is parsed last (400).
const CMS = '/api/v1/namespaces/default/configmaps';

describe('list and watch options', () => {
  let server: ApiServer;
  before(async () => {
    server = await startApiServer();
    for (const name of ['a', 'b']) assert.equal((await req(server, 'POST', CMS, { body: { metadata: { name } } })).status, 201);
  });
  after(() => server.close());

  async function answer(query: string): Promise<{ status: number; message: string; reason: string; causes: unknown }> {
    const r = await req(server, 'GET', `${CMS}?${query}`);
    return { status: r.status, message: r.json.message, reason: r.json.reason, causes: r.json.details?.causes };
  }

  it('a list resourceVersion that is not a uint64 is 400 "invalid resource version", however large', async () => {
    for (const [rv, why] of ([['abc', 'invalid syntax'], ['-1', 'invalid syntax'], ['1.5', 'invalid syntax'], ['+1', 'invalid syntax'], ['18446744073709551616', 'value out of range'], ['99999999999999999999999', 'value out of range']] as [string, string][])) {
      const a = await answer(`resourceVersion=${encodeURIComponent(rv)}`);
      assert.deepEqual([a.status, a.reason, a.message], [400, 'BadRequest', `invalid resource version: resourceVersion: Invalid value: "${rv}": strconv.ParseUint: parsing "${rv}": ${why}`], rv);
    }
    assert.equal((await answer('resourceVersion=01')).status, 200, 'leading zeros are a number');
  });

  it('a get or watch with such a resourceVersion is a 400 too, never a wait for a version that cannot come', async () => {
    const get = await req(server, 'GET', `${CMS}/a?resourceVersion=18446744073709551616`);
    assert.deepEqual([get.status, get.json.message], [400, 'resourceVersion: Invalid value: "18446744073709551616": strconv.ParseUint: parsing "18446744073709551616": value out of range']);
    const watch = await answer('watch=true&resourceVersion=abc');
    assert.deepEqual([watch.status, watch.message], [400, 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax']);
  });

  it('limit and timeoutSeconds are int64s: anything else is 400 with strconv\'s message; a negative limit is no limit', async () => {
    for (const [limit, why] of ([['abc', 'invalid syntax'], ['1.5', 'invalid syntax'], ['0x10', 'invalid syntax'], [' 1', 'invalid syntax'], ['9223372036854775808', 'value out of range'], ['-9223372036854775809', 'value out of range']] as [string, string][])) {
      const a = await answer(`limit=${encodeURIComponent(limit)}`);
      assert.deepEqual([a.status, a.reason, a.message], [400, 'BadRequest', `strconv.ParseInt: parsing ${JSON.stringify(limit)}: ${why}`], limit);
    }
    assert.deepEqual([(await answer('timeoutSeconds=abc')).status, (await answer('timeoutSeconds=abc')).message], [400, 'strconv.ParseInt: parsing "abc": invalid syntax']);
    for (const limit of ['-1', '9223372036854775807', '%2B1']) {
      const r = await req(server, 'GET', `${CMS}?limit=${limit}`);
      assert.equal(r.status, 200, limit);
      assert.equal(r.json.items.length, limit === '%2B1' ? 1 : 2, limit);
    }
    const both = await answer('limit=x&resourceVersion=y');
    assert.equal(both.message, 'strconv.ParseInt: parsing "x": invalid syntax', 'limit is decoded before the resourceVersion is parsed');
  });

  it('resourceVersionMatch errors come together in one 422, before the resourceVersion is parsed', async () => {
    const cont = await answer('limit=1&continue=abc&resourceVersionMatch=Exact&resourceVersion=1');
    assert.deepEqual([cont.status, cont.reason], [422, 'Invalid']);
    assert.equal(cont.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided');
    const two = await answer('continue=abc&resourceVersionMatch=NotOlderThan');
    assert.deepEqual(two.causes, [
      { reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', field: 'resourceVersionMatch' },
      { reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided', field: 'resourceVersionMatch' },
    ]);
    const three = await answer('sendInitialEvents=true&resourceVersionMatch=Bogus');
    assert.equal(three.message, 'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", "", sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list]');
    const badRv = await answer('resourceVersion=abc&resourceVersionMatch=Bogus');
    assert.equal(badRv.status, 422, 'validation comes before the resourceVersion is parsed');
  });

  it('a watch with resourceVersionMatch lists every error', async () => {
    const w = await answer('watch=true&resourceVersionMatch=Exact&continue=x&resourceVersion=1');
    assert.equal(w.status, 422);
    assert.equal(w.message, 'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan", resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided]');
  });

  it('a bad continue token is named before a resourceVersion sent with it', async () => {
    for (const rv of ['5', 'x']) {
      const a = await answer(`continue=abc&resourceVersion=${rv}`);
      assert.deepEqual([a.status, a.message], [400, "invalid continue token: continue key is not valid: invalid character 'i' looking for beginning of value"], rv);
    }
  });
});
