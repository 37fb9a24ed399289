// The differential corpus's own machinery, without servers: what the
// normaliser keeps and replaces, and where the comparison reports a
// difference. A normaliser that hid real differences would make the corpus
// pass for nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accepted } from './differential/accepted.ts';
import { differences, globMatch } from './differential/compare.ts';
import { normaliseAnswer, Tokens } from './differential/normalise.ts';
import { judge } from './differential/summary.ts';
import type { Answer } from './differential/http.ts';

const answer = (body: unknown, status = 200): Answer => ({ status, headers: { 'content-type': 'application/json' }, text: JSON.stringify(body) });
const cm = (name: string, rv: string, uid: string, ns = 'diff-x'): unknown => ({
  metadata: { name, namespace: ns, resourceVersion: rv, uid, creationTimestamp: '2026-01-01T00:00:00Z' },
  data: { k: 'v' },
});

describe('differential normaliser', () => {
  it('numbers resourceVersions and uids by first appearance, so equal histories compare equal', () => {
    const real = new Tokens('https://127.0.0.1:1');
    const embedded = new Tokens('https://127.0.0.1:2');
    const r = normaliseAnswer(answer({ items: [cm('a', '500', 'u-1'), cm('b', '507', 'u-2')], metadata: { resourceVersion: '512' } }), real, 'diff-');
    const e = normaliseAnswer(answer({ items: [cm('a', '3', 'x-1'), cm('b', '4', 'x-2')], metadata: { resourceVersion: '4' } }), embedded, 'diff-');
    assert.deepEqual(differences(r, e), []);
    assert.deepEqual((r.body as { items: { metadata: { resourceVersion: string; uid: string } }[] }).items.map((i) => [i.metadata.resourceVersion, i.metadata.uid]), [['rv#1', 'uid#1'], ['rv#2', 'uid#2']]);
  });

  it('still sees a difference in order, in values, and a list older than its items', () => {
    const real = new Tokens('https://a:1');
    const embedded = new Tokens('https://b:2');
    const r = normaliseAnswer(answer({ items: [cm('a', '5', 'u'), cm('b', '7', 'v')], metadata: { resourceVersion: '7' } }), real, 'diff-');
    const e = normaliseAnswer(answer({ items: [cm('a', '7', 'u'), cm('b', '5', 'v')], metadata: { resourceVersion: '6' } }), embedded, 'diff-');
    const paths = differences(r, e).map((d) => d.path);
    assert.ok(paths.includes('body.items.1.metadata.resourceVersion'), 'an RV older than one before it is marked');
    assert.ok(paths.includes('body.metadata.resourceVersion'), 'a list RV older than an item is marked');
    const changed = normaliseAnswer(answer({ ...(cm('a', '9', 'w') as object), data: { k: 'other' } }), new Tokens('https://c:3'), 'diff-');
    const same = normaliseAnswer(answer(cm('a', '9', 'w')), new Tokens('https://d:4'), 'diff-');
    assert.deepEqual(differences(same, changed).map((d) => d.path), ['body.data.k']);
  });

  it("drops the real cluster's own objects, and replaces the server's address and times", () => {
    const t = new Tokens('https://127.0.0.1:6443');
    const n = normaliseAnswer(answer({ items: [cm('a', '1', 'u', 'kube-system'), cm('b', '2', 'v')], metadata: {}, message: 'at https://127.0.0.1:6443/api and 127.0.0.1:6443' }), t, 'diff-');
    const body = n.body as { items: { metadata: { name: string; creationTimestamp: string } }[]; message: string };
    assert.deepEqual(body.items.map((i) => i.metadata.name), ['b']);
    assert.equal(body.items[0]?.metadata.creationTimestamp, '<time>');
    assert.equal(body.message, 'at <server>/api and <server>');
  });

  it('reports missing keys, type changes and array lengths at their paths', () => {
    assert.deepEqual(differences({ a: 1, b: [1, 2] }, { a: '1', b: [1], c: null }), [
      { path: 'a', real: 1, embedded: '1' },
      { path: 'b.length', real: 2, embedded: 1 },
      { path: 'c', real: '<absent>', embedded: null },
    ]);
  });
});

describe('accepted differences', () => {
  it('cover only the cases and paths they name', () => {
    assert.ok(globMatch('patch/apply-*', 'patch/apply-create'));
    assert.ok(!globMatch('patch/apply-*', 'patch/json-add'));
    assert.ok(globMatch('body.items.*.kind', 'body.items.12.kind'));
    const result = { id: 'patch/json-wrong-type', topic: 'patch', real: { status: 422, headers: {}, body: {} }, embedded: { status: 422, headers: {}, body: {} } };
    const j = judge({ ...result, differences: [{ path: 'body.message', real: 'a', embedded: 'b' }, { path: 'body.metadata.managedFields', real: [], embedded: '<absent>' }] }, accepted);
    assert.deepEqual([...j.acceptedIds], ['patched-object-not-quoted']);
    assert.deepEqual(j.unexplained.map((d) => d.path), ['body.metadata.managedFields']);
  });
});
