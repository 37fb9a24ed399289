// Rotating bearer tokens from files: a kubeconfig user's tokenFile
// (client-go's field) and token-file (client-node's), and the in-cluster
// service account token. The client reads the file again when the token it
// holds is a minute old on its clock, and at once when the server answers
// 401 (sending the request once more with the new token).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createClient, CredentialsError, loadKubeConfig } from '../../src/client/index.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { isUnauthorized, StatusError } from '../../src/api/status-error.ts';
import type { TestServer } from './helpers/test-server.ts';
import { sendJson, startTestServer } from './helpers/test-server.ts';

const unauthorized = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
const MINUTE = 60_000;

describe('token files', () => {
  let server: TestServer;
  let dir: string;
  /** Tokens the server accepts. */
  const valid = new Set<string>();
  /** The Authorization header of every request, in order. */
  let seen: (string | undefined)[] = [];
  before(async () => {
    server = await startTestServer({
      handler(req, res) {
        const authorization = req.headers.authorization;
        seen.push(authorization);
        if (authorization === undefined || !valid.has(authorization.replace(/^Bearer /, ''))) return sendJson(res, 401, unauthorized);
        const url = new URL(req.url ?? '/', 'https://x');
        if (url.searchParams.get('watch') === '1') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Secret', apiVersion: 'v1', metadata: { resourceVersion: '1' } } })}\n`);
          return;
        }
        if (url.pathname.endsWith('/secrets')) return sendJson(res, 200, { kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] });
        sendJson(res, 200, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x', resourceVersion: '1' } });
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'kom-token-files-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    valid.clear();
    seen = [];
  });

  /** A kubeconfig file whose user has `field: path`. */
  function kubeconfigFile(name: string, field: 'tokenFile' | 'token-file', path: string): string {
    const file = join(dir, `${name}.yaml`);
    const ca = Buffer.from(server.certificate.cert).toString('base64');
    writeFileSync(
      file,
      `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server.url}
    certificate-authority-data: ${ca}
users:
- name: tester
  user:
    ${field}: ${path}
contexts:
- name: test
  context: {cluster: test, user: tester}
current-context: test
`,
    );
    return file;
  }

  async function get(client: ReturnType<typeof createClient>): Promise<string | undefined> {
    await client.resource('secrets').getObject('ns', 'x', {});
    return seen.at(-1);
  }

  for (const field of ['tokenFile', 'token-file'] as const) {
    it(`a kubeconfig user's ${field} is sent, and read again once the token held is a minute old on the clock`, async () => {
      const tokenPath = join(dir, `${field}-token`);
      writeFileSync(tokenPath, 'file-token-1\n');
      valid.add('file-token-1').add('file-token-2');
      // tokenFile relative to the kubeconfig's directory, as client-go resolves it
      const kc = loadKubeConfig(kubeconfigFile(field, field, field === 'tokenFile' ? `${field}-token` : tokenPath));
      const clock = new FakeClock();
      const client = createClient(kc, { clock, pingIntervalMs: 0 });
      try {
        assert.equal(await get(client), 'Bearer file-token-1');
        writeFileSync(tokenPath, 'file-token-2\n');
        clock.step(MINUTE - 1);
        assert.equal(await get(client), 'Bearer file-token-1', 'the token read less than a minute ago');
        clock.step(1);
        assert.equal(await get(client), 'Bearer file-token-2', 'read again after a minute');
      } finally {
        await client.close();
      }
    });
  }

  it('loadKubeConfig() keeps the token file of a $KUBECONFIG file too; a KubeConfig built in code may set tokenFile on the user', async () => {
    const tokenPath = join(dir, 'env-token');
    writeFileSync(tokenPath, 'env-token-1');
    valid.add('env-token-1');
    const saved = process.env['KUBECONFIG'];
    process.env['KUBECONFIG'] = kubeconfigFile('env', 'tokenFile', tokenPath);
    let kc: KubeConfig;
    try {
      kc = loadKubeConfig();
    } finally {
      if (saved === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = saved;
    }
    for (const config of [kc, server.kubeConfig({ tokenFile: tokenPath })]) {
      const client = createClient(config, { clock: new FakeClock(), pingIntervalMs: 0 });
      try {
        assert.equal(await get(client), 'Bearer env-token-1');
      } finally {
        await client.close();
      }
    }
  });

  it('a 401 has the file read again at once and the get, list or watch sent once more with the new token; an unchanged file gives the 401', async () => {
    const tokenPath = join(dir, 'rotating');
    writeFileSync(tokenPath, 'old-token');
    valid.add('old-token');
    const client = createClient(server.kubeConfig({ tokenFile: tokenPath }), { clock: new FakeClock(), pingIntervalMs: 0 });
    try {
      const secrets = client.resource('secrets');
      assert.equal(await get(client), 'Bearer old-token');
      // rotated, and the old token revoked, within the minute
      const requests: [string, () => Promise<unknown>][] = [
        ['get', () => secrets.getObject('ns', 'x', {})],
        ['list', () => secrets.listObject('ns', {})],
        [
          'watch',
          async () => {
            const controller = new AbortController();
            const events = (await secrets.watchObject('ns', {}, controller.signal))[Symbol.asyncIterator]();
            assert.equal((await events.next()).done, false);
            controller.abort();
          },
        ],
      ];
      for (const [i, [what, request]] of requests.entries()) {
        writeFileSync(tokenPath, `new-token-${i}`);
        valid.clear();
        valid.add(`new-token-${i}`);
        seen = [];
        await request();
        assert.deepEqual(seen, ['Bearer ' + (i === 0 ? 'old-token' : `new-token-${i - 1}`), `Bearer new-token-${i}`], what);
      }
      // the file holds a token the server refuses: one request, the 401 as a StatusError without the token
      valid.clear();
      seen = [];
      await assert.rejects(secrets.getObject('ns', 'x', {}), (err: unknown) => {
        assert.ok(err instanceof StatusError && isUnauthorized(err));
        assert.doesNotMatch(`${err.message} ${err.stack ?? ''} ${JSON.stringify(err)}`, /new-token/);
        return true;
      });
      assert.equal(seen.length, 1, 'no retry with the same token');
    } finally {
      await client.close();
    }
  });

  it('the in-cluster service account token is read again after a minute on the clock', async () => {
    const prefix = join(dir, 'pod');
    const account = join(prefix, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(account, { recursive: true });
    writeFileSync(join(account, 'token'), 'sa-token-1');
    writeFileSync(join(account, 'ca.crt'), server.certificate.cert);
    writeFileSync(join(account, 'namespace'), 'ns');
    valid.add('sa-token-1').add('sa-token-2');
    const url = new URL(server.url);
    const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };
    process.env['KUBERNETES_SERVICE_HOST'] = url.hostname;
    process.env['KUBERNETES_SERVICE_PORT'] = url.port;
    const kc = new KubeConfig();
    try {
      kc.loadFromCluster(prefix);
    } finally {
      for (const [name, value] of [['KUBERNETES_SERVICE_HOST', saved.host], ['KUBERNETES_SERVICE_PORT', saved.port]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const clock = new FakeClock();
    const client = createClient(kc, { clock, pingIntervalMs: 0 });
    try {
      assert.equal(await get(client), 'Bearer sa-token-1');
      writeFileSync(join(account, 'token'), 'sa-token-2');
      clock.step(MINUTE);
      assert.equal(await get(client), 'Bearer sa-token-2');
    } finally {
      await client.close();
    }
  });

  it('an unreadable token file fails the request naming the file; once a token was read, or with a token in the KubeConfig, a failing read keeps that', async () => {
    const tokenPath = join(dir, 'flaky');
    valid.add('kept-token');
    const clock = new FakeClock();
    const client = createClient(server.kubeConfig({ tokenFile: tokenPath }), { clock, pingIntervalMs: 0 });
    try {
      await assert.rejects(get(client), (err: unknown) => err instanceof CredentialsError && err.message.includes(JSON.stringify(tokenPath)));
      writeFileSync(tokenPath, 'kept-token');
      assert.equal(await get(client), 'Bearer kept-token');
      rmSync(tokenPath);
      clock.step(MINUTE);
      assert.equal(await get(client), 'Bearer kept-token');
      writeFileSync(tokenPath, '  \n');
      const fresh = createClient(server.kubeConfig({ tokenFile: tokenPath }), { clock, pingIntervalMs: 0 });
      await assert.rejects(get(fresh), CredentialsError);
      await fresh.close();
      // a user with both: the token stands in while the file cannot be read
      valid.add('fallback-token');
      const both = createClient(server.kubeConfig({ tokenFile: join(dir, 'missing'), token: 'fallback-token' }), { clock, pingIntervalMs: 0 });
      assert.equal(await get(both), 'Bearer fallback-token');
      await both.close();
    } finally {
      await client.close();
    }
  });
});
