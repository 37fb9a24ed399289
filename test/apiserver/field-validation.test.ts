// Field validation (issue 12): unknown fields are never stored; Strict,
// Warn and Ignore answer as kube-apiserver v1.37.2 does (the table in
// field-validation-cases.ts, which test/kube/field-validation.test.ts checks
// against a real kube-apiserver).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { checkBodyFields, goQuote, warningHeaders } from '../../src/apiserver/field-validation.ts';
import { decodeJson } from '../../src/apiserver/json-decode.ts';
import { cases, manyFields, NS, send, storedFields, warningMessages, type Target } from './field-validation-cases.ts';

const C = `/api/v1/namespaces/${NS}/configmaps`;

describe('field validation (embedded server)', () => {
  let server: ApiServer;
  let t: Target;
  before(async () => {
    server = await startApiServer();
    t = { url: server.url, token: server.token ?? '', ca: server.caCert ?? '' };
    assert.equal((await send(t, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: NS } }))).status, 201);
  });
  after(() => server.close());

  for (const c of cases()) {
    it(`${c.name}: ${c.method} ${c.path.replace(/^.*\/(configmaps|pods|secrets|namespaces)/, '$1')} answers ${String(c.status)}`, async () => {
      const objectPath = `${C}/${c.name}`;
      if (c.create !== undefined) assert.equal((await send(t, 'POST', c.create.path, c.create.body)).status, 201);
      if (c.existing !== undefined) {
        const made = await send(t, 'POST', C, JSON.stringify({ metadata: { name: c.name }, data: c.existing }));
        assert.equal(made.status, 201);
      }
      const before = await send(t, 'GET', objectPath);
      const answer = await send(t, c.method, c.path, c.body, c.contentType);
      assert.equal(answer.status, c.status, JSON.stringify(answer.json));
      if (c.message !== undefined) assert.equal(answer.json?.['message'], c.message);
      if (c.warnings !== undefined) assert.deepEqual(warningMessages(answer.warning), c.warnings);
      if (c.stored !== undefined) assert.deepEqual(await storedFields(t, c), c.stored);
      if (answer.status >= 400 && c.path.startsWith(C)) {
        // Nothing in the store changed: still absent, or the same resourceVersion.
        const after = await send(t, 'GET', objectPath);
        assert.equal(after.status, before.status);
        assert.equal((after.json?.['metadata'] as { resourceVersion?: string } | undefined)?.resourceVersion, (before.json?.['metadata'] as { resourceVersion?: string } | undefined)?.resourceVersion);
      }
    });
  }

  it('Strict lists every unknown field up to 100, as kube does', async () => {
    const sixty = await send(t, 'POST', `${C}?fieldValidation=Strict`, manyFields(60));
    assert.equal(sixty.status, 400);
    assert.equal(String(sixty.json?.['message']).match(/unknown field/g)?.length, 60);
    const many = await send(t, 'POST', `${C}?fieldValidation=Strict`, manyFields(150));
    assert.equal(String(many.json?.['message']).match(/unknown field/g)?.length, 100);
    assert.match(String(many.json?.['message']), /unknown field "b99"$/);
  });

  it('bounds Warning headers as kube does: past 4 KiB in all, each cut to 256 characters and the rest left out', async () => {
    const fields = Array.from({ length: 3000 }, (_, i) => `"bogus${String(i)}${'x'.repeat(50)}":1`).join(',');
    const many = await send(t, 'POST', C, `{"metadata":{"name":"warn-many"},${fields}}`);
    assert.equal(many.status, 201);
    assert.equal(warningMessages(many.warning).length, 57);
    const long = await send(t, 'POST', C, `{"metadata":{"name":"warn-long"},"${'y'.repeat(5000)}":1}`);
    assert.equal(long.warning.length, 265);
    const stored = await send(t, 'GET', `${C}/warn-many`);
    assert.deepEqual(Object.keys(stored.json ?? {}).sort(), ['apiVersion', 'kind', 'metadata']);
  });

  it('never stores an unknown field, in any mode (the bug: kubectl create -f stored bogusField)', async () => {
    for (const mode of ['Warn', 'Ignore']) {
      const name = `never-${mode.toLowerCase()}`;
      assert.equal((await send(t, 'POST', `${C}?fieldValidation=${mode}`, `{"metadata":{"name":"${name}","bogusMeta":1},"data":{"a":"1"},"bogusField":1}`)).status, 201);
      const stored = await send(t, 'GET', `${C}/${name}`);
      assert.equal(stored.json?.['bogusField'], undefined);
      assert.equal((stored.json?.['metadata'] as Record<string, unknown>)['bogusMeta'], undefined);
      const list = await send(t, 'GET', C);
      assert.ok(!JSON.stringify(list.json).includes('bogus'));
    }
  });
});

describe('goQuote (Go strconv.Quote)', () => {
  it('escapes as Go does', () => {
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('é\n\t\x00\x7f'), '"é\\n\\t\\x00\\x7f"');
    assert.equal(goQuote('\u2028'), '"\\u2028"');
  });
});

describe('decodeJson', () => {
  it('reports repeated keys with their paths and merges objects as Go does', () => {
    const d = decodeJson('{"a":{"x":1,"x":2},"a":{"y":3},"l":[{"n":1,"n":2}]}');
    assert.deepEqual(d.value, { a: { x: 2, y: 3 }, l: [{ n: 2 }] });
    assert.deepEqual(d.duplicates.map((x) => x.path), ['a.x', 'a', 'l[0].n']);
  });

  it('keeps number literals a double may not hold, and __proto__ as data', () => {
    const d = decodeJson('{"a":1.0e3,"b":12,"c":123456789012345678,"__proto__":{"x":1}}');
    assert.deepEqual([...d.numberTexts], [['a', '1.0e3'], ['c', '123456789012345678']]);
    assert.equal(Object.getPrototypeOf(d.value), Object.prototype);
    assert.deepEqual(Object.keys(d.value as object), ['a', 'b', 'c', '__proto__']);
  });

  it('gives the offset of each key when asked', () => {
    const d = decodeJson(' {"a":1,"b":{"c":2}}');
    assert.deepEqual(d.keyOffsets(['a', 'b', 'b.c']), new Map([['a', 2], ['b', 8], ['b.c', 13]]));
    assert.deepEqual(d.keyOffsets(['b']), new Map([['b', 8]]));
  });
});

describe('warningHeaders', () => {
  it('quotes each message and sends UTF-8', () => {
    assert.deepEqual(warningHeaders(['unknown field "é"']), [Buffer.from('299 - "unknown field \\"é\\""', 'utf8').toString('latin1')]);
  });
});

describe('checkBodyFields for kinds of other API groups', () => {
  it('checks an authorization.k8s.io/v1 SelfSubjectAccessReview against its schema', () => {
    const target = { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview' };
    const body = () => decodeJson('{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"verb":"get","resource":"secrets","bogus":1}}}');
    assert.throws(() => checkBodyFields(target, 'Strict', body()), {
      message: 'SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: strict decoding error: unknown field "spec.resourceAttributes.bogus"',
    });
    const warned = checkBodyFields(target, 'Warn', body());
    assert.deepEqual(warned.warnings, ['unknown field "spec.resourceAttributes.bogus"']);
    assert.deepEqual((warned.value as { spec: unknown }).spec, { resourceAttributes: { verb: 'get', resource: 'secrets' } });
  });
});
