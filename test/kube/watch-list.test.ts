// WatchList against the real kube-apiserver: served by default (one watch
// request per object), and refused with the feature gate off (one refused
// request for the client, then list + watch per object).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { createClient, newWatchingSecretManager, type KubeClient, type SecretManager } from '../../src/index.ts';
import { countingClient, type RequestCounts } from '../../src/cli/counting-client.ts';
import { hasControlPlaneBinaries } from '../../src/testing/control-plane-binaries.ts';
import { startControlPlane, type ControlPlane } from '../../src/testing/control-plane.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = hasControlPlaneBinaries() ? false : 'no etcd and kube-apiserver: run `npm run kube:build` (needs Go) or set KUBEBUILDER_ASSETS';
if (skip !== false) console.log(`# test/kube/watch-list.test.ts skipped: ${skip}`);

const ns = 'watch-list';
const names = ['a', 'b', 'c'];

/** kube-apiserver's /metrics line for a feature gate, e.g. `kubernetes_feature_enabled{name="WatchList",stage="BETA"} 1`. */
function featureMetric(plane: ControlPlane, feature: string): Promise<string | undefined> {
  const user = plane.kubeConfig().getCurrentUser();
  return new Promise((resolve, reject) => {
    const req = https.get(new URL('/metrics', plane.url), { ca: plane.caCert, headers: { authorization: `Bearer ${user?.token ?? ''}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text.split('\n').find((l) => l.startsWith(`kubernetes_feature_enabled{name="${feature}"`))));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const pod: V1Pod = {
  metadata: { namespace: ns, name: 'p', uid: 'uid-p' },
  spec: { containers: [], volumes: names.map((n) => ({ name: n, secret: { secretName: n } })) },
};

async function seed(plane: ControlPlane): Promise<CoreV1Api> {
  const core = plane.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  for (const name of names) await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name }, stringData: { v: name } } });
  return core;
}

const value = (s: { data?: Record<string, string> }): string => Buffer.from(s.data?.['v'] ?? '', 'base64').toString();

interface Session {
  kube: KubeClient;
  counts: RequestCounts;
  secrets: SecretManager;
}

/** A watching secret manager over a counting client of `plane`, with the pod registered and every secret read (and checked) once; closed after `body`. */
async function withSecretsRead(plane: ControlPlane, body: (session: Session) => Promise<void>): Promise<void> {
  const kube = createClient(plane.kubeConfig());
  const { client, counts } = countingClient(kube);
  const controller = new AbortController();
  try {
    const secrets = newWatchingSecretManager(client, 60_000, { signal: controller.signal, syncTimeoutMs: 10_000 });
    secrets.registerPod(pod);
    const read = await Promise.all(names.map((n) => secrets.getSecret(ns, n)));
    assert.deepEqual(read.map(value), names);
    await body({ kube, counts, secrets });
  } finally {
    controller.abort();
    await client.close();
  }
}

describe('WatchList against kube-apiserver v1.37.2 (defaults)', { skip }, () => {
  let plane: ControlPlane;
  let core: CoreV1Api;
  before(async () => {
    plane = await startControlPlane();
    core = await seed(plane);
  });
  after(async () => {
    await plane?.stop();
  });

  it('has the WatchList feature gate on by default', async () => {
    assert.match((await featureMetric(plane, 'WatchList')) ?? 'no such metric', /^kubernetes_feature_enabled\{name="WatchList",stage="BETA"\} 1$/);
  });

  it('syncs each watched secret with one watch request and no list; the objects are readable and changes arrive', async () => {
    await withSecretsRead(plane, async ({ kube, counts, secrets }) => {
      assert.deepEqual(counts, { get: 0, list: 0, watch: names.length });
      assert.equal(kube.resource('secrets').watchObject.watchList?.state, 'served');
      await core.replaceNamespacedSecret({ namespace: ns, name: 'b', body: { metadata: { name: 'b' }, stringData: { v: 'B' } } });
      await eventually(async () => assert.equal(value(await secrets.getSecret(ns, 'b')), 'B'));
      assert.deepEqual(counts, { get: 0, list: 0, watch: names.length }, 'the change came on the WatchList stream');
    });
  });
});

describe('WatchList against kube-apiserver v1.37.2 with --feature-gates=WatchList=false', { skip }, () => {
  let plane: ControlPlane;
  before(async () => {
    plane = await startControlPlane({ apiServerFlags: ['--feature-gates=WatchList=false'] });
    await seed(plane);
  });
  after(async () => {
    await plane?.stop();
  });

  it('falls back after one refused (422) request for the client: a list and a watch per secret, all readable', async () => {
    assert.match((await featureMetric(plane, 'WatchList')) ?? 'no such metric', /\} 0$/);
    await withSecretsRead(plane, async ({ kube, counts }) => {
      await eventually(() => assert.deepEqual(counts, { get: 0, list: names.length, watch: names.length + 1 }));
      const support = kube.resource('secrets').watchObject.watchList;
      assert.equal(support?.state, 'refused');
      assert.match(support?.refusal ?? '', /sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled/);
    });
  });
});
