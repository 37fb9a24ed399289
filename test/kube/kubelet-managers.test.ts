import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { hasControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { startControlPlane, type ControlPlane } from '../../src/testing/control-plane.ts';
import { eventually } from '../helpers/eventually.ts';
import { dataHash, KubeletManagers, kubeletManagersBinary, type Answer } from './kubelet-managers.ts';

const binary = kubeletManagersBinary();
const skip = binary === undefined || !hasControlPlaneBinaries() ? 'no kubelet-managers, etcd and kube-apiserver: run `npm run kube:build` (needs Go)' : false;
if (skip !== false) console.log(`# test/kube/kubelet-managers.test.ts skipped: ${skip}`);

const ns = 'oracle';
const pod = {
  metadata: { name: 'p', namespace: ns, uid: 'uid-p' },
  spec: {
    containers: [{ name: 'c', image: 'x', envFrom: [{ configMapRef: { name: 'cm' } }] }],
    volumes: [
      { name: 'v', secret: { secretName: 'db' } },
      { name: 'w', secret: { secretName: 'missing' } },
    ],
  },
};
const password = 'hunter2-kubelet';

describe('kubelet-managers (the kubelet\'s own managers as a child process)', { skip }, () => {
  let plane: ControlPlane;
  let core: CoreV1Api;
  let kubeconfig: string;
  let dir: string;
  const seen: Answer[] = [];

  before(async () => {
    plane = await startControlPlane();
    core = plane.kubeConfig().makeApiClient(CoreV1Api);
    dir = mkdtempSync(join(tmpdir(), 'kom-kubelet-managers-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, plane.kubeconfigYaml(), { mode: 0o600 });
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'db' }, stringData: { password } } });
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'cm' }, data: { mode: 'fast' }, binaryData: { blob: Buffer.from([0, 1, 2]).toString('base64') } },
    });
  });

  after(async () => {
    await plane.stop();
    rmSync(dir, { recursive: true, force: true });
    const stdout = JSON.stringify(seen);
    assert.ok(!stdout.includes(password) && !stdout.includes(Buffer.from(password).toString('base64')), 'secret data on stdout');
  });

  const start = async (strategy: string): Promise<KubeletManagers & { ask: (body: Record<string, unknown>) => Promise<Answer> }> => {
    const managers = await KubeletManagers.start(binary ?? '', [`--kubeconfig=${kubeconfig}`, `--strategy=${strategy}`]);
    assert.equal(managers.hello['strategy'], strategy);
    assert.match(String(managers.hello['kubernetes']), /^v1\.\d+\.\d+$/);
    return Object.assign(managers, {
      ask: async (body: Record<string, unknown>) => {
        const answer = await managers.request(body);
        seen.push(answer);
        return answer;
      },
    });
  };
  const getSecret = { op: 'get', kind: 'Secret', namespace: ns, name: 'db' };

  for (const strategy of ['get', 'cache', 'watch']) {
    it(`${strategy}: registered objects, hashes, errors and updates`, async () => {
      const m = await start(strategy);
      try {
        assert.deepEqual(await m.ask({ op: 'register', pod }), { id: 1, ok: true });
        const secret = await core.readNamespacedSecret({ namespace: ns, name: 'db' });
        const got = await m.ask(getSecret);
        assert.equal(got['resourceVersion'], secret.metadata?.resourceVersion);
        const secretData = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
        assert.equal(secretData['password']?.toString(), password);
        assert.equal(got['dataHash'], dataHash({ data: secretData }));
        assert.equal(got['immutable'], false);

        const cm = await m.ask({ op: 'get', kind: 'ConfigMap', namespace: ns, name: 'cm' });
        assert.equal(cm['dataHash'], dataHash({ data: { mode: Buffer.from('fast') }, binaryData: { blob: Buffer.from([0, 1, 2]) } }));

        assert.equal((await m.ask({ op: 'get', kind: 'Secret', namespace: ns, name: 'missing' })).error?.reason, 'NotFound');
        const unreferenced = await m.ask({ op: 'get', kind: 'Secret', namespace: ns, name: 'other' });
        assert.equal(unreferenced.error?.reason, strategy === 'get' ? 'NotFound' : 'NotRegistered');

        const updated = await core.replaceNamespacedSecret({ namespace: ns, name: 'db', body: { metadata: { name: 'db' }, stringData: { password, n: strategy } } });
        const newRv = updated.metadata?.resourceVersion;
        if (strategy === 'cache') {
          // Fresh for the kubelet's 1 minute TTL on the fake clock, then fetched again.
          assert.equal((await m.ask(getSecret))['resourceVersion'], secret.metadata?.resourceVersion);
          assert.equal((await m.ask({ op: 'advance', ms: 59_000 }))['now'], '2030-01-01T00:00:59Z');
          assert.equal((await m.ask(getSecret))['resourceVersion'], secret.metadata?.resourceVersion);
          await m.ask({ op: 'advance', ms: 1_000 });
        }
        await eventually(async () => assert.equal((await m.ask(getSecret))['resourceVersion'], newRv));

        assert.deepEqual((await m.ask({ op: 'unregister', pod }))['ok'], true);
        assert.equal((await m.ask(getSecret)).error?.reason, strategy === 'get' ? undefined : 'NotRegistered');

        const stats = await m.ask({ op: 'stats' });
        for (const field of ['heapBytes', 'rssBytes', 'goroutines']) assert.ok(Number(stats[field]) > 0, field);
        assert.equal(await m.quit(), 0);
      } finally {
        await m.quit();
      }
    });
  }

  it('answers bad requests with BadRequest and the request id, and goes on', async () => {
    const m = await start('get');
    try {
      assert.equal((await m.raw('{"id":"x","op":"get","kind":"Pod","namespace":"a","name":"b"}', 'x')).error?.reason, 'BadRequest');
      assert.equal((await m.raw('{"id":7,"op":"fly"}', 7)).error?.reason, 'BadRequest');
      assert.equal((await m.raw('{"id":8,"op":"advance","ms":-1}', 8)).error?.reason, 'BadRequest');
      assert.equal((await m.raw('{"id":9,"op":"register"}', 9)).error?.reason, 'BadRequest');
      assert.equal((await m.raw('{"id":10,"op":')).error?.reason, 'BadRequest', 'a line that is not JSON is answered without an id');
    } finally {
      await m.quit();
    }
  });
});
