import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { generateServerCertificates } from '../../src/apiserver/certs.ts';
import { decodeProtobufObject } from '../../src/apiserver/protobuf.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../src/apiserver/patch.ts';
import { resources } from '../../src/apiserver/resources.ts';
import type { KObject, ResourceInfo } from '../../src/apiserver/resources.ts';
import { parseFieldSelector, parseLabelSelector } from '../../src/apiserver/selectors.ts';
import { humanDuration, wantsTable } from '../../src/apiserver/table.ts';
import { StatusError } from '../../src/api/status-error.ts';

const obj = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KObject =>
  ({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'n', namespace: 'ns', labels }, ...extra });
const pods = resources.get('pods') as ResourceInfo;

describe('certificates', () => {
  it('issues a CA and a server certificate for 127.0.0.1, ::1 and localhost signed by it', () => {
    const c = generateServerCertificates();
    const ca = new X509Certificate(c.caCert);
    const leaf = new X509Certificate(c.serverCert);
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(ca));
    assert.ok(leaf.verify(ca.publicKey));
    assert.equal(leaf.checkHost('localhost'), 'localhost');
    assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(leaf.checkIP('::1'), '::1');
    assert.equal(leaf.checkHost('example.com'), undefined);
    assert.ok(new Date(leaf.validTo).getTime() > new Date().getTime() + 300 * 86_400_000);
    assert.match(c.serverKey, /^-----BEGIN PRIVATE KEY-----/);
  });
});

describe('selectors', () => {
  it('label selectors: every operator, and missing keys match != and notin', () => {
    const o = obj({ a: '1', b: 'x' });
    const m = (s: string): boolean => parseLabelSelector(s).matches(o);
    assert.ok(m('a=1') && m('a==1') && m('a!=2') && m('c!=2') && m('a in (1,2)') && m('c notin (1)') && m('a') && m('!c') && m('a>0') && m('a<2'));
    assert.ok(!m('a=2') && !m('a in (2)') && !m('!a') && !m('c') && !m('a>1') && !m('b>1') && !m('a=1,b=y'));
    assert.ok(parseLabelSelector('').empty);
    assert.throws(() => parseLabelSelector('a in (1'), (e: unknown) => e instanceof StatusError && e.statusCode === 400);
    assert.throws(() => parseLabelSelector('a>x'), /must be an integer/);
    assert.throws(() => parseLabelSelector('bad key!=1=2'), (e: unknown) => e instanceof StatusError && e.statusCode === 400);
  });

  it('field selectors: equality, inequality, escapes, the name shortcut and unknown labels', () => {
    const o = obj({}, { spec: { nodeName: 'n,1' }, status: { phase: 'Running' } });
    assert.ok(parseFieldSelector('spec.nodeName=n\\,1,status.phase!=Pending', pods).matches(o));
    assert.ok(!parseFieldSelector('spec.host=other', pods).matches(o));
    assert.equal(parseFieldSelector('metadata.name=x', pods).name, 'x');
    assert.equal(parseFieldSelector('metadata.name!=x', pods).name, undefined);
    assert.throws(() => parseFieldSelector('spec.containers=x', pods), /field label not supported: spec.containers/);
  });
});

describe('patches', () => {
  it('merge patch deletes nulls and replaces lists', () => {
    assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null }, l: [3] }), { a: 1, b: { d: 3 }, l: [3] });
  });

  it('JSON patch applies every operation and fails with 422 on a failed test', () => {
    const out = jsonPatch({ a: { b: [1, 2] }, x: 1 }, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'replace', path: '/x', value: 2 },
      { op: 'copy', from: '/x', path: '/y' },
      { op: 'move', from: '/y', path: '/z' },
      { op: 'remove', path: '/a/b/0' },
      { op: 'add', path: '/k~1e', value: true },
    ]);
    assert.deepEqual(out, { a: { b: [2, 3] }, x: 2, z: 2, 'k/e': true });
    assert.throws(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]), (e: unknown) => e instanceof StatusError && e.statusCode === 422);
    assert.throws(() => jsonPatch({}, [{ op: 'remove', path: '/missing' }]), (e: unknown) => e instanceof StatusError && e.statusCode === 422);
    assert.throws(() => jsonPatch({}, { op: 'add' }), (e: unknown) => e instanceof StatusError && e.statusCode === 400);
  });

  it('strategic merge patch merges lists by key and honours the directives kubectl sends', () => {
    const pod = {
      metadata: { finalizers: ['a'], labels: { x: '1' } },
      spec: {
        containers: [
          { name: 'main', image: 'v1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
          { name: 'side', image: 's1' },
        ],
        tolerations: [{ key: 't' }],
      },
    };
    const out = strategicMergePatch(pod, {
      metadata: { finalizers: ['b'], labels: { x: null, y: '2' } },
      spec: {
        '$setElementOrder/containers': [{ name: 'main' }, { name: 'side' }],
        containers: [
          { name: 'main', image: 'v2', env: [{ name: 'A', $patch: 'delete' }, { name: 'C', value: '3' }] },
          { name: 'side', $patch: 'delete' },
        ],
        tolerations: [{ key: 'u' }],
      },
    });
    assert.deepEqual(out, {
      metadata: { finalizers: ['a', 'b'], labels: { y: '2' } },
      spec: {
        containers: [{ name: 'main', image: 'v2', env: [{ name: 'B', value: '2' }, { name: 'C', value: '3' }], ports: [{ containerPort: 80 }] }],
        tolerations: [{ key: 'u' }],
      },
    });
    assert.deepEqual(strategicMergePatch({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } }), { m: { c: 3 } });
    assert.deepEqual(strategicMergePatch({ finalizers: ['a', 'b'] }, { '$deleteFromPrimitiveList/finalizers': ['a'] }), { finalizers: ['b'] });
    assert.deepEqual(strategicMergePatch({ s: { type: 'A', a: 1 } }, { s: { $retainKeys: ['type', 'b'], type: 'B', b: 2 } }), { s: { type: 'B', b: 2 } });
  });
});

describe('tables', () => {
  it('prints ages like kube and recognises the Table media type kubectl asks for', () => {
    const cases: [number, string][] = [[-5000, '<invalid>'], [45_000, '45s'], [119_000, '119s'], [330_000, '5m30s'], [600_000, '10m'], [3 * 3_600_000 + 60_000, '3h1m'], [30 * 3_600_000, '30h'], [3 * 86_400_000 + 3_600_000, '3d1h'], [90 * 86_400_000, '90d']];
    for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, String(ms));
    assert.ok(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'));
    assert.ok(!wantsTable('application/json'));
    assert.ok(!wantsTable(undefined));
  });
});

describe('protobuf bodies', () => {
  // "k8s\0" + Unknown{typeMeta{apiVersion:"v1", kind}, raw}
  const envelope = (kind: string, raw: Buffer): Buffer => {
    const str = (n: number, v: Buffer): Buffer => Buffer.concat([Buffer.from([(n << 3) | 2, v.length]), v]);
    const typeMeta = Buffer.concat([str(1, Buffer.from('v1')), str(2, Buffer.from(kind))]);
    return Buffer.concat([Buffer.from('k8s\0', 'latin1'), str(1, typeMeta), str(2, raw)]);
  };

  it('decodes a ConfigMap: metadata, labels map, data and immutable', () => {
    const str = (n: number, v: Buffer): Buffer => Buffer.concat([Buffer.from([(n << 3) | 2, v.length]), v]);
    const entry = (k: string, v: string): Buffer => Buffer.concat([str(1, Buffer.from(k)), str(2, Buffer.from(v))]);
    const meta = Buffer.concat([str(1, Buffer.from('cm')), str(2, Buffer.alloc(0)), str(11, entry('app', 'x'))]);
    const raw = Buffer.concat([str(1, meta), str(2, entry('a', 'b')), Buffer.from([4 << 3, 1])]);
    assert.deepEqual(decodeProtobufObject(envelope('ConfigMap', raw)), {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { app: 'x' } }, data: { a: 'b' }, immutable: true,
    });
  });

  it('answers 415 for kinds it does not decode and 400 for a malformed body', () => {
    assert.throws(() => decodeProtobufObject(envelope('Pod', Buffer.alloc(0))), (e: unknown) => e instanceof StatusError && e.statusCode === 415 && /not Pod/.test(e.message));
    assert.throws(() => decodeProtobufObject(Buffer.from('nope')), (e: unknown) => e instanceof StatusError && e.statusCode === 400);
    assert.throws(() => decodeProtobufObject(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x12, 0x50])])), (e: unknown) => e instanceof StatusError && e.statusCode === 400);
  });
});
