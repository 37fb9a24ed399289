// The same server-side apply, managedFields and dry-run requests sent to a
// real kube-apiserver v1.37.2 and to the embedded server: status codes,
// messages, managedFields (times normalised) and the fields each step looks
// at must be the same.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { hasControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { startControlPlane, type ControlPlane } from '../../src/testing/control-plane.ts';

const skip = hasControlPlaneBinaries() ? false : 'no etcd and kube-apiserver: run `npm run kube:build` (needs Go) or set KUBEBUILDER_ASSETS';
if (skip !== false) console.log(`# test/kube/server-side-apply.test.ts skipped: ${skip}`);

interface Target {
  url: string;
  token: string;
  caCert: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function send(t: Target, method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${t.token}`, accept: 'application/json', 'user-agent': 'ssa-differential/1.0' };
    if (body !== undefined) headers['content-type'] = contentType;
    const r = request(new URL(path, t.url), { method, headers, ca: t.caCert }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** What is compared: errors whole; objects by the fields a step names, managedFields without times. */
function view(a: Answer, fields: readonly string[]): unknown {
  if (a.body['kind'] === 'Status') {
    // kube lists conflict causes in Go map order: compare them sorted. Uids differ by nature.
    const details = { ...(a.body['details'] as Record<string, unknown> | undefined) };
    if (Array.isArray(details['causes'])) details['causes'] = [...(details['causes'] as unknown[])].map((c) => JSON.stringify(c)).sort();
    if (details['uid'] !== undefined) details['uid'] = 'UID';
    return { status: a.status, message: a.body['message'], reason: a.body['reason'], details };
  }
  const meta = (a.body['metadata'] ?? {}) as Record<string, unknown>;
  const managed = (meta['managedFields'] as Record<string, unknown>[] | undefined)?.map((e) => ({ ...e, time: e['time'] === undefined ? undefined : 'T' }));
  const out: Record<string, unknown> = { status: a.status, managedFields: managed, hasResourceVersion: meta['resourceVersion'] !== undefined };
  for (const f of fields) {
    let cur: unknown = a.body;
    for (const k of f.split('.')) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
    out[f] = cur;
  }
  return out;
}

const NS = '/api/v1/namespaces/ssa-diff';
const APPLY = 'application/apply-patch+yaml';
const MERGE = 'application/merge-patch+json';
const cm = (data: Record<string, string> | undefined, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', ...extra }, data });

/** A ConfigMap as `kubectl apply` (client-side) creates it: its configuration in the last-applied annotation. */
function csa(name: string, data: Record<string, string>, lastApplied: Record<string, string>): string {
  const config = JSON.stringify({ apiVersion: 'v1', data: lastApplied, kind: 'ConfigMap', metadata: { name, namespace: 'ssa-diff' } });
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `${config}\n` } }, data });
}

interface Step {
  what: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  fields?: string[];
}

const steps: Step[] = [
  { what: 'namespace', method: 'POST', path: '/api/v1/namespaces', body: JSON.stringify({ metadata: { name: 'ssa-diff', labels: { team: 'a' } } }), fields: ['metadata.labels'] },
  { what: 'dry-run create', method: 'POST', path: `${NS}/configmaps?dryRun=All&fieldManager=creator`, body: cm({ a: '1' }), fields: ['data'] },
  { what: 'create', method: 'POST', path: `${NS}/configmaps?fieldManager=creator`, body: cm({ a: '1', b: '2' }, { labels: { x: 'y' } }), fields: ['data', 'metadata.labels'] },
  { what: 'update by another manager', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=editor`, body: JSON.stringify({ data: { b: '3', c: '4' } }), contentType: MERGE, fields: ['data'] },
  { what: 'dry-run update', method: 'PUT', path: `${NS}/configmaps/cm?dryRun=All&fieldManager=putter`, body: cm({ a: '9' }), fields: ['data'] },
  { what: 'apply conflicts with two managers', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=applier`, body: cm({ a: 'A', b: 'B', d: 'D' }), contentType: APPLY },
  { what: 'apply without a conflict', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=applier`, body: cm({ a: '1', d: 'D' }), contentType: APPLY, fields: ['data'] },
  { what: 'apply with one conflict', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=applier`, body: cm({ a: '1', c: 'C', d: 'D' }), contentType: APPLY },
  { what: 'dry-run forced apply', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=applier&force=true&dryRun=All`, body: cm({ c: 'C' }), contentType: APPLY, fields: ['data'] },
  { what: 'forced apply', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=applier&force=true`, body: cm({ c: 'C', e: 'E' }), contentType: APPLY, fields: ['data'] },
  { what: 'apply drops a field only it owns', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=applier`, body: cm({ c: 'C' }), contentType: APPLY, fields: ['data'] },
  { what: 'apply creates', method: 'PATCH', path: `${NS}/configmaps/made?fieldManager=applier`, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'made', annotations: { n: 'o' } }, data: { k: 'v' } }), contentType: APPLY, fields: ['data'] },
  { what: 'apply YAML secret', method: 'PATCH', path: `${NS}/secrets/s?fieldManager=applier`, body: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  pw: x\ntype: Opaque\n', contentType: APPLY, fields: ['data', 'type'] },
  { what: 'apply namespace labels', method: 'PATCH', path: '/api/v1/namespaces/ssa-diff?fieldManager=labeler', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ssa-diff', labels: { team: 'b', env: 'x' } } }), contentType: APPLY },
  { what: 'apply namespace labels, forced', method: 'PATCH', path: '/api/v1/namespaces/ssa-diff?fieldManager=labeler&force=true', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ssa-diff', labels: { team: 'b', env: 'x' } } }), contentType: APPLY, fields: ['metadata.labels'] },
  { what: 'serviceaccount', method: 'POST', path: `${NS}/serviceaccounts`, body: JSON.stringify({ metadata: { name: 'default' } }) },
  {
    what: 'apply a pod',
    method: 'PATCH',
    path: `${NS}/pods/p?fieldManager=applier`,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80, protocol: 'TCP' }] }], volumes: [{ name: 'v', emptyDir: {} }] } }),
    contentType: APPLY,
    fields: ['spec.containers.0.env', 'spec.containers.0.image'],
  },
  {
    what: 'a second manager changes the image without force',
    method: 'PATCH',
    path: `${NS}/pods/p?fieldManager=second`,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i:2' }] } }),
    contentType: APPLY,
  },
  {
    what: 'a second manager shares the image and adds a label',
    method: 'PATCH',
    path: `${NS}/pods/p?fieldManager=second`,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { l: 'v' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } }),
    contentType: APPLY,
    fields: ['metadata.labels'],
  },
  {
    what: 'the second manager forces a new image',
    method: 'PATCH',
    path: `${NS}/pods/p?fieldManager=second&force=true`,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { l: 'v' } }, spec: { containers: [{ name: 'c', image: 'i:2' }] } }),
    contentType: APPLY,
    fields: ['spec.containers.0.image'],
  },
  { what: 'a status update records its subresource', method: 'PATCH', path: `${NS}/pods/p/status?fieldManager=kubelet`, body: JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: null }] } }), contentType: 'application/strategic-merge-patch+json', fields: ['status.conditions'] },
  { what: 'a status apply', method: 'PATCH', path: `${NS}/pods/p/status?fieldManager=status-applier&force=true`, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }), contentType: APPLY, fields: ['status.conditions'] },
  { what: 'conditions: one manager applies two', method: 'PATCH', path: `${NS}/pods/p/status?fieldManager=cond-a`, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: null }, { type: 'example.com/x', status: 'True', lastProbeTime: null, lastTransitionTime: null }] } }), contentType: APPLY, fields: ['status.conditions'] },
  { what: 'conditions: another adds one', method: 'PATCH', path: `${NS}/pods/p/status?fieldManager=cond-b`, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'example.com/y', status: 'False', lastProbeTime: null, lastTransitionTime: null }] } }), contentType: APPLY, fields: ['status.conditions'] },
  { what: 'conditions: the first drops one of its own', method: 'PATCH', path: `${NS}/pods/p/status?fieldManager=cond-a`, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: null }] } }), contentType: APPLY, fields: ['status.conditions'] },
  { what: 'conditions: the second changes the first one\'s', method: 'PATCH', path: `${NS}/pods/p/status?fieldManager=cond-b`, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'example.com/y', status: 'False', lastProbeTime: null, lastTransitionTime: null }, { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: null }] } }), contentType: APPLY },
  { what: 'finalizers applied as a set', method: 'PATCH', path: `${NS}/configmaps/fin?fieldManager=applier`, body: cm(undefined, { name: 'fin', finalizers: ['example.com/a', 'example.com/b'] }), contentType: APPLY, fields: ['metadata.finalizers'] },
  { what: 'another manager adds a finalizer', method: 'PATCH', path: `${NS}/configmaps/fin?fieldManager=second`, body: cm(undefined, { name: 'fin', finalizers: ['example.com/c'] }), contentType: APPLY, fields: ['metadata.finalizers'] },
  { what: 'the first manager drops one', method: 'PATCH', path: `${NS}/configmaps/fin?fieldManager=applier`, body: cm(undefined, { name: 'fin', finalizers: ['example.com/a'] }), contentType: APPLY, fields: ['metadata.finalizers'] },
  { what: 'client-side apply', method: 'POST', path: `${NS}/configmaps?fieldManager=kubectl-client-side-apply`, body: csa('csa', { key: 'one', extra: 'x' }, { key: 'one' }), fields: ['data', 'metadata.annotations'] },
  { what: 'kubectl server-side apply takes what the last-applied configuration holds', method: 'PATCH', path: `${NS}/configmaps/csa?fieldManager=kubectl&force=false`, body: cm({ key: 'two' }, { name: 'csa' }), contentType: APPLY, fields: ['data', 'metadata.annotations'] },
  { what: 'but not the rest', method: 'PATCH', path: `${NS}/configmaps/csa?fieldManager=kubectl&force=false`, body: cm({ key: 'two', extra: 'y' }, { name: 'csa' }), contentType: APPLY },
  { what: 'another manager gets no such leave', method: 'PATCH', path: `${NS}/configmaps/csa?fieldManager=mine`, body: cm({ key: 'three' }, { name: 'csa' }), contentType: APPLY },
  { what: 'a no-op apply by a new manager records it without a time', method: 'PATCH', path: `${NS}/configmaps/csa?fieldManager=kubectl-last-applied`, body: cm(undefined, { name: 'csa', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","data":{"key":"two"},"kind":"ConfigMap","metadata":{"name":"csa","namespace":"ssa-diff"}}\n' } }), contentType: APPLY, fields: ['metadata.annotations'] },
  { what: 'kubectl sets managedFields (the upgrade from client-side apply)', method: 'PATCH', path: `${NS}/configmaps/csa?fieldManager=kubectl`, body: JSON.stringify([{ op: 'replace', path: '/metadata/managedFields', value: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:key': {}, 'f:extra': {} } } }] }]), contentType: 'application/json-patch+json', fields: ['data'] },
  { what: 'kubectl applies after the upgrade', method: 'PATCH', path: `${NS}/configmaps/csa?fieldManager=kubectl&force=false`, body: cm({ key: 'four' }, { name: 'csa' }), contentType: APPLY, fields: ['data', 'metadata.annotations'] },
  { what: 'YAML 1.1 as kube reads it: merge keys, dates as strings, yes and n as booleans', method: 'PATCH', path: `${NS}/configmaps/yml?fieldManager=y&dryRun=All`, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: yml, labels: &b {x: "1"}}\ndata:\n  <<: *b\n  d: 2020-01-01\n  yes: "k"\n  n: "on"\n', contentType: APPLY, fields: ['data'] },
  { what: 'a boolean where a string belongs', method: 'PATCH', path: `${NS}/configmaps/yml?fieldManager=y`, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: yml}\ndata:\n  m: on\n', contentType: APPLY },
  { what: 'an undeclared field', method: 'PATCH', path: `${NS}/configmaps/yml?fieldManager=y`, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: yml, namespace: ssa-diff}\nspec: {a: 1}\n', contentType: APPLY },
  { what: 'an undeclared field in a keyed list item', method: 'PATCH', path: `${NS}/pods/yml?fieldManager=y`, body: 'apiVersion: v1\nkind: Pod\nmetadata: {name: yml}\nspec: {containers: [{name: c, image: i, bogus: 1}]}\n', contentType: APPLY },
  { what: 'duplicate set items', method: 'PATCH', path: `${NS}/configmaps/dup?fieldManager=y`, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup, finalizers: [a/b, a/b]}\n', contentType: APPLY },
  { what: 'duplicate keyed items', method: 'PATCH', path: `${NS}/pods/dup?fieldManager=y`, body: 'apiVersion: v1\nkind: Pod\nmetadata: {name: dup}\nspec: {containers: [{name: c, image: i}, {name: c, image: j}]}\n', contentType: APPLY },
  { what: 'apply without fieldManager', method: 'PATCH', path: `${NS}/configmaps/cm`, body: cm({ c: 'C' }), contentType: APPLY },
  { what: 'apply with another kind', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=x`, body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cm' } }), contentType: APPLY },
  { what: 'apply with managedFields', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=x`, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', managedFields: [{ manager: 'q' }] } }), contentType: APPLY },
  { what: 'apply without a name', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=x`, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap' }), contentType: APPLY },
  { what: 'force on a merge patch', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=x&force=true`, body: '{}', contentType: MERGE },
  { what: 'a fieldManager too long', method: 'POST', path: `${NS}/configmaps?fieldManager=${'m'.repeat(129)}`, body: cm({}) },
  { what: 'a fieldManager with a newline', method: 'POST', path: `${NS}/configmaps?fieldManager=a%0Ab`, body: cm({}) },
  { what: 'managedFields cleared', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=clearer`, body: JSON.stringify({ metadata: { managedFields: [{}] } }), contentType: MERGE, fields: ['data'] },
  { what: 'an untracked object stays untracked on update', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=editor`, body: JSON.stringify({ data: { z: '1' } }), contentType: MERGE, fields: ['data'] },
  { what: 'the first apply gives the rest to before-first-apply', method: 'PATCH', path: `${NS}/configmaps/cm?fieldManager=applier`, body: cm({ c: 'C2' }), contentType: APPLY, fields: ['data'] },
  { what: 'dry-run delete', method: 'DELETE', path: `${NS}/configmaps/cm?dryRun=All` },
  { what: 'a bad dryRun', method: 'DELETE', path: `${NS}/configmaps/cm?dryRun=Some` },
  { what: 'still there', method: 'GET', path: `${NS}/configmaps/cm`, fields: ['data'] },
];

describe('server-side apply, managedFields and dry run: kube-apiserver and the embedded server', { skip }, () => {
  let plane: ControlPlane;
  let server: ApiServer;
  let kube: Target;

  before(async () => {
    [plane, server] = await Promise.all([startControlPlane(), startApiServer()]);
    const user = plane.kubeConfig().getCurrentUser();
    kube = { url: plane.url, token: user?.token ?? '', caCert: plane.caCert };
  });

  after(async () => {
    await server.close();
    await plane.stop();
  });

  it('answer every step alike', async () => {
    const ours: Target = { url: server.url, token: server.token, caCert: server.caCert ?? '' };
    const differences: string[] = [];
    for (const step of steps) {
      const [k, o] = await Promise.all([
        send(kube, step.method, step.path, step.body, step.contentType),
        send(ours, step.method, step.path, step.body, step.contentType),
      ]);
      const kv = view(k, step.fields ?? []);
      const ov = view(o, step.fields ?? []);
      try {
        assert.deepEqual(ov, kv);
      } catch {
        differences.push(`${step.what}:\n  kube: ${JSON.stringify(kv)}\n  ours: ${JSON.stringify(ov)}`);
      }
    }
    assert.deepEqual(differences, [], differences.join('\n'));
  });
});
