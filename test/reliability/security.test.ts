// Security properties a user relies on: secret data and bearer tokens never
// appear in errors, entries, metrics, /objects, /metrics or CLI output (also
// while faults make everything fail and log); TLS is verified unless the
// kubeconfig says insecure-skip-tls-verify; get() serves only names a
// registered pod references.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.ts';
import { createClient, isUnauthorized, newCachingSecretManager, newWatchingSecretManager, NotRegisteredError, type SecretManager } from '../../src/index.ts';
import { FakeClock } from '../../src/testing.ts';
import { eventually } from '../helpers/eventually.ts';
import { runKom, startKom, writeKubeconfig } from '../cli/fixtures/kom-child.ts';
import { ns, secretPod, trapUnhandledRejections, writer } from './harness.ts';

const trap = trapUnhandledRejections();
after(() => trap.check());

const secretValue = 'pa55-never-shown-91c2';
const secretB64 = Buffer.from(secretValue).toString('base64');
const token = 'token-never-shown-5d7e0b';
/** Every form of what must never be shown. */
const forbidden = [secretValue, secretB64, token];

function assertClean(what: string, text: string): void {
  for (const needle of forbidden) assert.ok(!text.includes(needle), `${what} shows ${needle === token ? 'the bearer token' : 'secret data'}`);
}

/** Every message in an error's cause chain, with its stack. */
function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as Error).cause, depth++) {
    parts.push(e instanceof Error ? `${e.message}\n${e.stack ?? ''}\n${JSON.stringify(e)}` : JSON.stringify(e));
  }
  return parts.join('\n');
}

let server: ApiServer;
let core: CoreV1Api;

before(async () => {
  server = await startApiServer({ token });
  core = writer(server.kubeConfig());
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespace({ body: { metadata: { name: 'other' } } });
  for (const name of ['db', 'tls']) await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name }, data: { password: secretB64 } } });
  await core.createNamespacedSecret({ namespace: 'other', body: { metadata: { name: 'db' }, data: { password: secretB64 } } });
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'unreferenced' }, data: { password: secretB64 } } });
});
after(async () => {
  await server.close();
});

describe('secret data and tokens stay out of errors, entries and metrics', () => {
  it('under faults (401, 403, 500 with bodies, dropped watches) nothing the library says holds them', async () => {
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig(), { clock });
    const controller = new AbortController();
    const texts: string[] = [];
    const secrets = newWatchingSecretManager(client, 60_000, { clock, signal: controller.signal, onError: (e) => texts.push(errorText(e)) });
    const pod = secretPod('p', 'uid-1', ['db', 'tls', 'missing']);
    try {
      secrets.registerPod(pod);
      await secrets.getSecret(ns, 'db');
      await secrets.getSecret(ns, 'tls');
      await secrets.getSecret(ns, 'missing').catch(() => undefined);
      server.faults.failNext(3, 500, { verb: 'list' });
      server.faults.failNext(3, 403, { verb: 'watch' });
      server.faults.dropWatches({ abort: true });
      await eventually(() => assert.ok(texts.length >= 3, 'errors were reported'), { onRetry: () => clock.step(250) });
      await secrets.getSecret(ns, 'missing').catch((err: unknown) => texts.push(errorText(err)));
      await secrets.getSecret(ns, 'unreferenced').catch((err: unknown) => texts.push(errorText(err)));
      texts.push(JSON.stringify(secrets.entries()), JSON.stringify(server.metrics()), JSON.stringify(client.stats()));
      for (const text of texts) assertClean('a watching manager', text);
    } finally {
      controller.abort();
      await client.close();
    }
    server.faults.clear();

    // A rejected token: the error names the request, never the token sent.
    const wrong = server.kubeConfig();
    wrong.users = wrong.users.map((u) => ({ ...u, token: `${token}-wrong` }));
    const bad = createClient(wrong);
    try {
      const err = await bad.resource('secrets').getObject(ns, 'db', {}).then(() => undefined, (e: unknown) => e);
      assert.ok(isUnauthorized(err), String(err));
      assertClean('a 401 error', errorText(err));
    } finally {
      await bad.close();
    }
  });
});

describe('TLS verification', () => {
  function withCluster(kc: KubeConfig, change: Record<string, unknown>): KubeConfig {
    kc.clusters = kc.clusters.map((c) => {
      const next: Record<string, unknown> = { ...c, ...change };
      for (const [key, value] of Object.entries(change)) if (value === undefined) delete next[key];
      return next as unknown as typeof c;
    });
    return kc;
  }

  it('is on by default: a server certificate the kubeconfig does not trust is refused', async () => {
    const untrusted = createClient(withCluster(server.kubeConfig(), { caData: undefined, caFile: undefined }));
    const other = await startApiServer();
    const wrongCa = createClient(withCluster(server.kubeConfig(), { caData: Buffer.from(other.caCert ?? '').toString('base64') }));
    try {
      for (const client of [untrusted, wrongCa]) {
        const err = await client.resource('secrets').getObject(ns, 'db', {}).then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof Error, 'refused');
        assert.match(errorText(err), /certificate|self[- ]signed|CERT|unable to verify/i);
      }
    } finally {
      await untrusted.close();
      await wrongCa.close();
      await other.close();
    }
  });

  it('is off only when the kubeconfig says insecure-skip-tls-verify', async () => {
    const insecure = createClient(withCluster(server.kubeConfig(), { caData: undefined, caFile: undefined, skipTLSVerify: true }));
    try {
      const secret = await insecure.resource('secrets').getObject(ns, 'db', {});
      assert.equal(secret.metadata?.name, 'db');
    } finally {
      await insecure.close();
    }
  });
});

describe('get() serves only what registered pods reference', () => {
  async function check(secrets: SecretManager): Promise<void> {
    const requestsBefore = JSON.stringify(server.metrics().requests);
    await assert.rejects(secrets.getSecret(ns, 'unreferenced'), NotRegisteredError);
    await assert.rejects(secrets.getSecret('other', 'db'), NotRegisteredError, 'the same name in another namespace');
    assert.equal(JSON.stringify(server.metrics().requests), requestsBefore, 'no request made for a refused name');
    const pod = secretPod('p', 'uid-1', ['db']);
    secrets.registerPod(pod);
    assert.equal((await secrets.getSecret(ns, 'db')).metadata?.name, 'db');
    await assert.rejects(secrets.getSecret('other', 'db'), NotRegisteredError);
    secrets.unregisterPod(pod);
    await assert.rejects(secrets.getSecret(ns, 'db'), NotRegisteredError, 'refused again once the pod is gone');
  }

  it('watching and caching managers refuse unreferenced names without asking the server', async () => {
    const client = createClient(server.kubeConfig());
    const controller = new AbortController();
    try {
      await check(newWatchingSecretManager(client, 60_000, { signal: controller.signal }));
      await check(newCachingSecretManager(client, () => undefined));
    } finally {
      controller.abort();
      await client.close();
    }
  });
});

describe('CLI output', () => {
  it('kom demo prints no secret data and no token', async () => {
    const { code, stdout, stderr } = await runKom(['demo', '--pods', '10', '--duration', '1'], { timeoutMs: 60_000 });
    assert.equal(code, 0, stderr);
    const output = stdout + stderr;
    for (const needle of ['demo-ca', Buffer.from('demo-ca').toString('base64')]) assert.ok(!output.includes(needle), 'the demo CA bundle is not printed');
    assert.doesNotMatch(output, /[0-9a-f]{48}/, 'no bearer token (48 hex digits) is printed');
  });

  it('kom apiserver writes its token only to a 0600 kubeconfig, never to its output', async () => {
    const dir = await writeKubeconfig('');
    const path = join(dir.dir, 'apiserver.kubeconfig');
    const kom = startKom(['apiserver', '--port', '0', '--kubeconfig', path]);
    try {
      await eventually(() => assert.match(kom.stdout(), /kubeconfig written to/), { timeoutMs: 20_000 });
      const yaml = await readFile(path, 'utf8');
      const written = /token: (\S+)/.exec(yaml)?.[1];
      assert.ok(written !== undefined && written.length >= 32, 'the kubeconfig holds a token');
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      kom.kill('SIGTERM');
      const { stdout, stderr } = await kom.finished;
      assert.ok(!(stdout + stderr).includes(written), 'the token is not printed');
    } finally {
      kom.kill('SIGKILL');
      await kom.finished;
      await dir.remove();
    }
  });

  it('kom agent: stderr, /objects and /metrics hold no secret data and no token, also while requests fail', async () => {
    await core.createNode({ body: { metadata: { name: 'node-s' } } });
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { nodeName: 'node-s', containers: [{ name: 'app', image: 'app:1' }], volumes: [{ name: 'v', secret: { secretName: 'db' } }] } },
    });
    const kubeconfig = await writeKubeconfig(server.kubeconfigYaml());
    const kom = startKom(['agent', '--node', 'node-s', '--kubeconfig', kubeconfig.path, '--listen', '127.0.0.1:0', '--resync', '1']);
    try {
      const url = await eventually(() => {
        const match = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(kom.stderr());
        assert.ok(match?.[1], kom.stderr());
        return match[1];
      }, { timeoutMs: 20_000 });
      await eventually(async () => assert.match(await (await fetch(`${url}/objects`)).text(), /"synced"/), { timeoutMs: 20_000 });
      server.faults.failNext(5, 500, { resource: 'secrets' });
      server.faults.failNext(5, 403, { resource: 'secrets', verb: 'watch' });
      server.faults.dropWatches({ abort: true });
      await eventually(() => assert.match(kom.stderr(), /Forbidden|InternalError|failed/, 'the agent logged the failures'), { timeoutMs: 20_000 });
      const objects = await (await fetch(`${url}/objects`)).text();
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assertClean('/objects', objects);
      assertClean('/metrics', metrics);
      kom.kill('SIGTERM');
      const { stdout, stderr } = await kom.finished;
      assertClean('the agent output', stdout + stderr);
    } finally {
      server.faults.clear();
      kom.kill('SIGKILL');
      await kom.finished;
      await kubeconfig.remove();
    }
  });
});
