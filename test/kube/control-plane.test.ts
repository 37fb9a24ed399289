import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api } from '@kubernetes/client-node';
import { findControlPlaneBinaries, hasControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { startControlPlane, type ControlPlane } from '../../src/testing/control-plane.ts';
import { childPids, waitGone } from './processes.ts';

const present = hasControlPlaneBinaries();
const skip = present ? false : 'no etcd and kube-apiserver: run `npm run kube:build` (needs Go) or set KUBEBUILDER_ASSETS';
if (!present) console.log(`# test/kube/control-plane.test.ts skipped: ${skip}`);

/** Whether something accepts TCP connections on `url`'s port. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number' ? err.code : undefined;
}

describe('findControlPlaneBinaries', () => {
  it('says how to get the binaries when the folder given lacks them', () => {
    const empty = mkdtempSync(join(tmpdir(), 'kom-no-binaries-'));
    try {
      assert.throws(() => findControlPlaneBinaries(empty), /does not hold both etcd and kube-apiserver/);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it('takes KUBEBUILDER_ASSETS before the project build, and names it when it lacks them', () => {
    const empty = mkdtempSync(join(tmpdir(), 'kom-no-binaries-'));
    const saved = process.env['KUBEBUILDER_ASSETS'];
    process.env['KUBEBUILDER_ASSETS'] = empty;
    try {
      assert.throws(() => findControlPlaneBinaries(), /KUBEBUILDER_ASSETS is .* which does not hold both etcd and kube-apiserver/);
    } finally {
      if (saved === undefined) delete process.env['KUBEBUILDER_ASSETS'];
      else process.env['KUBEBUILDER_ASSETS'] = saved;
      rmSync(empty, { recursive: true });
    }
  });
});

describe('startControlPlane', { skip }, () => {
  let plane: ControlPlane;
  let core: CoreV1Api;

  before(async () => {
    const started = performance.now();
    plane = await startControlPlane({ users: [{ name: 'node-1', groups: ['system:nodes'] }] });
    console.log(`# control plane ready (/readyz) in ${Math.round(performance.now() - started)} ms at ${plane.url}`);
    core = plane.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'kom' } } });
  });

  after(async () => {
    await plane.stop();
  });

  it('keeps credentials and keys readable by the owner only', () => {
    for (const file of ['tokens.csv', 'serving.key', 'service-account.key']) {
      assert.equal(statSync(join(plane.dir, file)).mode & 0o077, 0, `${file} is readable by others`);
    }
  });

  it('stores a secret and reads it back, also after the API server restarts on the same port', async () => {
    const created = await core.createNamespacedSecret({
      namespace: 'kom',
      body: { metadata: { name: 'db' }, stringData: { password: 'hunter2' } },
    });
    const read = await core.readNamespacedSecret({ namespace: 'kom', name: 'db' });
    assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.equal(Buffer.from(read.data?.['password'] ?? '', 'base64').toString(), 'hunter2');

    const url = plane.url;
    await plane.restartApiServer();
    assert.equal(plane.url, url);
    const again = await core.readNamespacedSecret({ namespace: 'kom', name: 'db' });
    assert.equal(again.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.equal(Buffer.from(again.data?.['password'] ?? '', 'base64').toString(), 'hunter2');
  });

  it('authorizes with RBAC: another user starts with no permissions', async () => {
    const asNode = plane.kubeConfig('node-1').makeApiClient(CoreV1Api);
    await assert.rejects(asNode.readNamespacedSecret({ namespace: 'kom', name: 'db' }), (err) => statusOf(err) === 403);
    assert.throws(() => plane.kubeConfig('nobody'), /no user "nobody"/);
  });

  it('compacts etcd: an older revision can no longer be read from etcd', async () => {
    const first = await core.createNamespacedConfigMap({ namespace: 'kom', body: { metadata: { name: 'c' }, data: { a: '1' } } });
    await core.replaceNamespacedConfigMap({ namespace: 'kom', name: 'c', body: { metadata: { name: 'c' }, data: { a: '2' } } });
    const rangeAt = async (revision: string): Promise<{ status: number; body: string }> => {
      const res = await fetch(`${plane.etcdUrl}/v3/kv/range`, {
        method: 'POST',
        body: JSON.stringify({ key: Buffer.from('/registry/configmaps/kom/c').toString('base64'), revision }),
      });
      return { status: res.status, body: await res.text() };
    };
    assert.equal((await rangeAt(first.metadata?.resourceVersion ?? '')).status, 200);
    const revision = await plane.compact();
    assert.ok(revision > Number(first.metadata?.resourceVersion));
    const compacted = await rangeAt(first.metadata?.resourceVersion ?? '');
    assert.notEqual(compacted.status, 200);
    assert.match(compacted.body, /compacted/);
  });

  it('fails with the server output when kube-apiserver cannot start, leaving nothing behind', async () => {
    const before = childPids(process.pid);
    await assert.rejects(startControlPlane({ apiServerFlags: ['--no-such-flag'] }), (err: Error) => {
      assert.match(err.message, /kube-apiserver exited \(exit code \d+\) before kube-apiserver was ready/);
      assert.match(err.message, /no-such-flag/);
      return true;
    });
    assert.deepEqual(childPids(process.pid), before);
  });
});

describe('startControlPlane cleanup', { skip }, () => {
  it('stop() leaves no process, port or file behind', async () => {
    const plane = await startControlPlane();
    const pids = childPids(process.pid);
    assert.equal(pids.length, 2, 'etcd and kube-apiserver run as our children');
    await plane.stop();
    await plane.stop();
    assert.deepEqual(childPids(process.pid), []);
    assert.deepEqual(await waitGone(pids), []);
    assert.equal(existsSync(plane.dir), false);
    assert.equal(await listening(plane.url), false);
    assert.equal(await listening(plane.etcdUrl), false);
  });

  const ends = [
    { how: 'SIGINT to the process that started it', mode: 'hold', signal: 'SIGINT' as NodeJS.Signals | null, code: null as number | null },
    { how: 'an uncaught error in the process that started it', mode: 'throw', signal: null, code: 1 },
  ];
  for (const end of ends) {
    it(`${end.how} ends the servers and removes the files`, async () => {
      const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'hold-control-plane.ts'), end.mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.on('exit', () => reject(new Error('the fixture exited before printing')));
      });
      const held = JSON.parse(line) as { url: string; etcdUrl: string; dir: string; pids: number[] };
      assert.equal(held.pids.length, 2);

      if (end.signal !== null) {
        assert.equal(await listening(held.url), true);
        child.kill(end.signal);
      }
      assert.deepEqual(await exited, [end.code, end.signal], 'the process ends as it would without our handlers');
      assert.deepEqual(await waitGone(held.pids), []);
      assert.equal(existsSync(held.dir), false);
      assert.equal(await listening(held.url), false);
      assert.equal(await listening(held.etcdUrl), false);
    });
  }
});
