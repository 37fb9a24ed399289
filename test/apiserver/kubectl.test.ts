import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startApiServer } from '../../src/apiserver/index.ts';
import type { ApiServer } from '../../src/apiserver/index.ts';
import { KUBECTL, startKubectlSession } from './kubectl-runner.ts';
import type { KubectlSession } from './kubectl-runner.ts';

describe(`conformance: kubectl (${KUBECTL})`, () => {
  let session: KubectlSession;
  let server: ApiServer;
  let dir: string;
  let args: string[];
  let kubectl: KubectlSession['kubectl'];

  before(async () => {
    session = await startKubectlSession();
    ({ server, dir, args, kubectl } = session);
  });
  after(() => session.close());

  it('get lists the bootstrap namespaces and get -o json prints the objects', async () => {
    const ns = await kubectl('get', 'namespaces');
    assert.equal(ns.code, 0, ns.stderr);
    assert.match(ns.stdout, /^NAME\s+STATUS\s+AGE\n/);
    assert.match(ns.stdout, /^default\s+Active\s+\d+s$/m);
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(ns.stdout, new RegExp(`^${name}\\s`, 'm'));
    const json = await kubectl('get', 'namespace', 'default', '-o', 'json');
    assert.equal(json.code, 0, json.stderr);
    const obj = JSON.parse(json.stdout) as { kind: string; metadata: { name: string; uid: string } };
    assert.equal(obj.kind, 'Namespace');
    assert.equal(obj.metadata.name, 'default');
    const missing = await kubectl('get', 'secret', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /secrets "nope" not found/);
  });

  it('create -f, apply -f (create, update, unchanged) and delete -f, with default validation', async () => {
    const file = join(dir, 'objects.yaml');
    const manifest = (value: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  labels: {app: demo}
data:
  key: ${value}
---
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
stringData:
  password: s3cret
---
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: main
    image: busybox
    env:
    - {name: A, value: "1"}
`;
    await writeFile(file, manifest('one'));
    const created = await kubectl('create', '-f', file);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /configmap\/app-config created/);
    assert.match(created.stdout, /secret\/app-secret created/);
    assert.match(created.stdout, /pod\/app created/);
    assert.ok(!created.stdout.includes('s3cret'));
    const table = await kubectl('get', 'secrets,configmaps,pods');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+TYPE\s+DATA\s+AGE\nsecret\/app-secret\s+Opaque\s+1\s+\d+s$/m);
    assert.match(table.stdout, /^NAME\s+DATA\s+AGE\nconfigmap\/app-config\s+1\s+\d+s$/m);
    assert.match(table.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\npod\/app\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    const again = await kubectl('create', '-f', file);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already exists/);

    await rm(file);
    await writeFile(file, manifest('two').replace('name: app-secret', 'name: applied-secret'));
    const applied = await kubectl('apply', '-f', file);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /configmap\/app-config configured/);
    assert.match(applied.stdout, /secret\/applied-secret created/);
    const cm = JSON.parse((await kubectl('get', 'configmap', 'app-config', '-o', 'json')).stdout) as { data: Record<string, string>; metadata: { annotations: Record<string, string> } };
    assert.deepEqual(cm.data, { key: 'two' });
    assert.ok(cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    const unchanged = await kubectl('apply', '-f', file);
    assert.equal(unchanged.code, 0, unchanged.stderr);
    assert.match(unchanged.stdout, /configmap\/app-config unchanged/);
    assert.match(unchanged.stdout, /pod\/app unchanged/);
    // An edit that removes a list item merges by key (strategic merge patch).
    await writeFile(file, manifest('two').replace('name: app-secret', 'name: applied-secret').replace('    env:\n    - {name: A, value: "1"}\n', '    env:\n    - {name: B, value: "2"}\n'));
    const reapplied = await kubectl('apply', '-f', file);
    assert.equal(reapplied.code, 0, reapplied.stderr);
    const pod = JSON.parse((await kubectl('get', 'pod', 'app', '-o', 'json')).stdout) as { spec: { containers: { env: { name: string }[] }[] } };
    assert.deepEqual(pod.spec.containers[0]?.env.map((e) => e.name), ['B']);

    const deleted = await kubectl('delete', '-f', file);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /configmap "app-config" deleted/);
    assert.match(deleted.stdout, /pod "app" deleted/);
    const gone = await kubectl('get', 'configmaps', '-o', 'json');
    assert.deepEqual((JSON.parse(gone.stdout) as { items: unknown[] }).items, []);
  });

  it('imperative create (protobuf bodies) and namespace deletion with its contents', async () => {
    assert.equal((await kubectl('create', 'namespace', 'scratch')).code, 0);
    assert.equal((await kubectl('-n', 'scratch', 'create', 'configmap', 'inside', '--from-literal=a=b')).code, 0);
    const secret = await kubectl('-n', 'scratch', 'create', 'secret', 'generic', 'creds', '--from-literal=pw=hunter2');
    assert.equal(secret.code, 0, secret.stderr);
    assert.ok(!secret.stdout.includes('hunter2'));
    assert.equal((await kubectl('-n', 'scratch', 'create', 'serviceaccount', 'robot')).code, 0);
    const all = await kubectl('get', 'configmaps', '-A');
    assert.match(all.stdout, /^scratch\s+inside\s+1\s+\d+s$/m);
    const s = JSON.parse((await kubectl('-n', 'scratch', 'get', 'secret', 'creds', '-o', 'json')).stdout) as { type: string; data: Record<string, string>; metadata: Record<string, unknown> };
    assert.deepEqual([s.type, s.data], ['Opaque', { pw: Buffer.from('hunter2').toString('base64') }]);
    assert.equal(s.metadata['generateName'], undefined, 'empty protobuf strings are omitted like JSON omits them');
    const ns = JSON.parse((await kubectl('get', 'namespace', 'scratch', '-o', 'json')).stdout) as { spec: { finalizers: string[] } };
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    const del = await kubectl('delete', 'namespace', 'scratch');
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /namespace "scratch" deleted/);
    assert.match((await kubectl('get', 'namespace', 'scratch')).stderr, /namespaces "scratch" not found/);
    assert.match((await kubectl('-n', 'scratch', 'get', 'configmap', 'inside')).stderr, /not found/);
  });

  it('get -w prints changes as they happen and exits when the server ends the watch', async () => {
    await writeFile(join(dir, 'w.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\n');
    const child = spawn(KUBECTL, [...args, 'get', 'configmaps', '-w', '--output-watch-events'], { env: { ...process.env, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
    let out = '';
    const seen = (re: RegExp): Promise<void> => {
      const p = new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (re.test(out)) {
            child.stdout.off('data', check);
            resolve();
          }
        };
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          check();
        });
        void exited.then(() => reject(new Error(`kubectl exited before printing ${String(re)}; output: ${out}`)));
        check();
      });
      p.catch(() => undefined); // reported where it is awaited; an earlier failure must not leave it unhandled
      return p;
    };
    child.stderr.resume();
    try {
      while (server.metrics().activeWatches === 0) await new Promise((r) => setImmediate(r));
      const addedLine = seen(/ADDED\s+watched/);
      assert.equal((await kubectl('create', '-f', join(dir, 'w.yaml'))).code, 0);
      await addedLine;
      const deletedLine = seen(/DELETED\s+watched/);
      assert.equal((await kubectl('delete', 'configmap', 'watched')).code, 0);
      await deletedLine;
      server.faults.dropWatches();
      assert.equal(await exited, 0);
    } finally {
      child.kill();
      await exited;
    }
  });

  it('works over plain http when the server accepts anonymous requests (kubectl sends no token over http)', async () => {
    const plain = await startApiServer({ tls: false, allowAnonymous: true });
    try {
      await writeFile(join(dir, 'plain'), plain.kubeconfigYaml());
      const r = await kubectl('--kubeconfig', join(dir, 'plain'), 'get', 'namespace', 'default', '-o', 'name');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'namespace/default');
    } finally {
      await plain.close();
    }
  });
});
