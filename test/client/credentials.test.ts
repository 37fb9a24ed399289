import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/client/index.ts';
import { CredentialReader } from '../../src/client/credentials.ts';
import { ConnectionError, CredentialsError } from '../../src/client/errors.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import { createSelfSignedCertificate } from './helpers/self-signed-cert.ts';
import type { TestServer } from './helpers/test-server.ts';
import { sendJson, startTestServer } from './helpers/test-server.ts';

const ok = { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x', resourceVersion: '1' } };
const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('credentials from the KubeConfig', () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    server = await startTestServer({ handler: (_req, res) => sendJson(res, 200, ok) });
    dir = mkdtempSync(join(tmpdir(), 'kom-client-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a rotated exec-plugin token is sent on the next request, over the same connection', async () => {
    const tokenFile = join(dir, 'token');
    const runsFile = join(dir, 'runs');
    const plugin = join(dir, 'plugin.mjs');
    writeFileSync(tokenFile, 'exec-token-1');
    writeFileSync(runsFile, '');
    // An ExecCredential that has expired by the clock's time, so the plugin runs for every read.
    writeFileSync(
      plugin,
      `import fs from 'node:fs';
fs.appendFileSync(${JSON.stringify(runsFile)}, 'x');
const token = fs.readFileSync(${JSON.stringify(tokenFile)}, 'utf8');
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token, expirationTimestamp: '2000-01-01T00:00:00Z' } }));
`,
    );
    const kc = server.kubeConfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin] } });
    const client = createClient(kc, { clock: new FakeClock(Date.parse('2030-01-01T00:00:00Z')) });
    try {
      const secrets = client.resource('secrets');
      await secrets.getObject('ns', 'x', {});
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer exec-token-1');
      writeFileSync(tokenFile, 'exec-token-2');
      await secrets.getObject('ns', 'x', {});
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer exec-token-2');
      assert.equal(client.stats().http2Connections, 1);

      // a burst of requests shares one plugin run
      writeFileSync(runsFile, '');
      const controller = new AbortController();
      const watches = await Promise.all(Array.from({ length: 40 }, async () => secrets.watchObject('ns', {}, controller.signal)));
      assert.equal(watches.length, 40);
      assert.equal(readFileSync(runsFile, 'utf8').length, 1);
      controller.abort();
    } finally {
      await client.close();
    }
  });

  it('a failing exec plugin fails the request with an error naming the user, the plugin and its exit code (not its stderr); the next request runs it again', async () => {
    const plugin = join(dir, 'failing.mjs');
    const flag = join(dir, 'fixed');
    writeFileSync(
      plugin,
      `import fs from 'node:fs';
if (!fs.existsSync(${JSON.stringify(flag)})) { process.stderr.write('login required'); process.exit(1); }
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'late' } }));
`,
    );
    const client = createClient(server.kubeConfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin] } }), { clock: new FakeClock() });
    try {
      await assert.rejects(client.resource('secrets').getObject('ns', 'x', {}), (err: unknown) => {
        assert.ok(err instanceof CredentialsError);
        assert.equal(err.code, 'KOM_CREDENTIALS');
        assert.match(String(err), /could not read the credentials of KubeConfig user "tester" for cluster "test": the exec credential plugin ".*node.*" failed with exit code 1/);
        assert.doesNotMatch(String(err), /login required/);
        return true;
      });
      writeFileSync(flag, '');
      await client.resource('secrets').getObject('ns', 'x', {});
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer late');
    } finally {
      await client.close();
    }
  });

  it('a changed user token in the KubeConfig is sent on the next request', async () => {
    const kc = server.kubeConfig({ token: 'first' });
    const client = createClient(kc, { clock: new FakeClock() });
    try {
      await client.resource('configmaps').getObject('ns', 'x', {});
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer first');
      kc.users = [{ name: 'tester', token: 'second' }];
      await client.resource('configmaps').getObject('ns', 'x', {});
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer second');
      assert.equal(server.requests.at(-1)?.path, '/api/v1/namespaces/ns/configmaps/x');
    } finally {
      await client.close();
    }
  });

  it('consecutive reads of unchanged credentials share one RequestCredentials (one CA Buffer); a rotated token gives a new one', async () => {
    const kc = server.kubeConfig();
    const reader = new CredentialReader(kc, new FakeClock());
    const first = await reader.read();
    const second = await reader.read();
    assert.equal(second, first, 'the same object, not an equal copy');
    assert.ok(Buffer.isBuffer(first.tls.ca));
    Object.assign(kc.getCurrentUser() as object, { token: 'token-2' });
    const rotated = await reader.read();
    assert.notEqual(rotated, first);
    assert.equal(rotated.headers.authorization, 'Bearer token-2');
    assert.equal(rotated.poolKey, first.poolKey, 'a new token keeps the connection');
    assert.equal(await reader.read(), rotated);
  });

  it('trims a token (token files end with a newline) and refuses one with a control character inside, without quoting it', async () => {
    const trimmed = createClient(server.kubeConfig({ token: 'file-token\n' }), { clock: new FakeClock() });
    const broken = createClient(server.kubeConfig({ token: 'sec\nret' }), { clock: new FakeClock() });
    try {
      await trimmed.resource('secrets').getObject('ns', 'x', {});
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer file-token');
      await assert.rejects(broken.resource('secrets').getObject('ns', 'x', {}), (err: unknown) => {
        assert.match(String(err), /give header "authorization" a control character/);
        assert.doesNotMatch(String(err), /sec|ret/);
        return true;
      });
    } finally {
      await trimmed.close();
      await broken.close();
    }
  });

  it('sends basic auth and impersonation headers', async () => {
    const client = createClient(server.kubeConfig({ username: 'ann', password: 'pw', impersonateUser: 'bob' }), { clock: new FakeClock() });
    try {
      await client.resource('secrets').getObject('ns', 'x', {});
      const headers = server.requests.at(-1)?.headers;
      assert.equal(headers?.authorization, `Basic ${b64('ann:pw')}`);
      assert.equal(headers?.['impersonate-user'], 'bob');
    } finally {
      await client.close();
    }
  });

  it('rejects a server whose certificate the KubeConfig CA does not sign, unless told to skip verification', async () => {
    const other = createSelfSignedCertificate('someone-else');
    const strict = createClient(server.kubeConfig({ token: 't' }, { caData: b64(other.cert) }), { clock: new FakeClock() });
    const lax = createClient(server.kubeConfig({ token: 't' }, { caData: undefined, skipTLSVerify: true }), { clock: new FakeClock() });
    try {
      await assert.rejects(strict.resource('secrets').getObject('ns', 'x', {}), (err: unknown) => err instanceof ConnectionError && /could not connect to https:\/\/127\.0\.0\.1:\d+/.test(err.message));
      assert.equal((await lax.resource('secrets').getObject('ns', 'x', {})).metadata?.name, 'x');
    } finally {
      await strict.close();
      await lax.close();
    }
  });
});

describe('client certificates', () => {
  it('a rotated client certificate is presented on a new connection', async () => {
    const first = createSelfSignedCertificate('kom-client-1');
    const second = createSelfSignedCertificate('kom-client-2');
    const seen: string[] = [];
    const server = await startTestServer({
      clientCa: first.cert + second.cert,
      handler: (req, res) => {
        seen.push(String((req.socket as TLSSocket).getPeerCertificate().subject.CN));
        sendJson(res, 200, ok);
      },
    });
    const kc = server.kubeConfig({ certData: b64(first.cert), keyData: b64(first.key) });
    const client = createClient(kc, { clock: new FakeClock() });
    try {
      const secrets = client.resource('secrets');
      await secrets.getObject('ns', 'x', {});
      await secrets.getObject('ns', 'x', {});
      assert.equal(client.stats().http2Connections, 1);
      kc.users = [{ name: 'tester', certData: b64(second.cert), keyData: b64(second.key) }];
      await secrets.getObject('ns', 'x', {});
      assert.deepEqual(seen, ['kom-client-1', 'kom-client-1', 'kom-client-2']);
      assert.equal(client.stats().http2Connections, 2);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('presents the KubeConfig client certificate to a server that requires one', async () => {
    const clientCert = createSelfSignedCertificate('kom-client');
    const server = await startTestServer({ clientCa: clientCert.cert, handler: (_req, res) => sendJson(res, 200, ok) });
    const withCert = createClient(server.kubeConfig({ certData: b64(clientCert.cert), keyData: b64(clientCert.key) }), { clock: new FakeClock() });
    const without = createClient(server.kubeConfig({ token: 'nope' }), { clock: new FakeClock() });
    try {
      assert.equal((await withCert.resource('secrets').getObject('ns', 'x', {})).metadata?.name, 'x');
      await assert.rejects(without.resource('secrets').getObject('ns', 'x', {}), ConnectionError);
    } finally {
      await withCert.close();
      await without.close();
      await server.close();
    }
  });
});
