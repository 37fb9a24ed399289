// Exec credential plugins, run by the client itself: what a plugin prints
// on stderr goes to the process's stderr and never into an error (kom agent
// serves errors on /objects); errors name the plugin and its exit code. The
// credential is kept until its expirationTimestamp on the clock, run again
// after a 401, and a plugin still running at close() is killed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/client/index.ts';
import { ClientClosedError } from '../../src/client/errors.ts';
import { FakeClock } from '../../src/util/fake-clock.ts';
import type { TestServer } from './helpers/test-server.ts';
import { sendJson, startTestServer, turn, until } from './helpers/test-server.ts';

const API_VERSION = 'client.authentication.k8s.io/v1';
const SECRET_LINE = 'refresh_token=rt-9f8e7d6c5b4a-never-in-errors';

/** The error's message, stack, JSON and whole cause chain, as text. */
function everything(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(JSON.stringify(e) ?? '');
    if (e instanceof Error) parts.push(String(e), e.message, e.stack ?? '');
  }
  return parts.join('\n');
}

describe('exec credential plugins', () => {
  let server: TestServer;
  let dir: string;
  const valid = new Set<string>();
  before(async () => {
    server = await startTestServer({
      handler(req, res) {
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        if (!valid.has(token)) return sendJson(res, 401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 });
        sendJson(res, 200, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x', resourceVersion: '1' } });
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'kom-exec-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A sh script in the temp dir, mode 0700. */
  function plugin(name: string, body: string): string {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o700);
    return path;
  }

  function clientFor(command: string, clock = new FakeClock()): ReturnType<typeof createClient> {
    return createClient(server.kubeConfig({ exec: { apiVersion: API_VERSION, command, args: [] } }), { clock, pingIntervalMs: 0 });
  }

  it('a plugin that prints a secret on stderr and exits 1: the error names the plugin and exit code, and holds nothing it printed', async () => {
    const command = plugin('failing.sh', `echo '${SECRET_LINE}' >&2\necho 'Authorization: Bearer leaked-bearer' >&2\nexit 1`);
    const client = clientFor(command);
    try {
      await assert.rejects(client.resource('secrets').getObject('ns', 'x', {}), (err: unknown) => {
        const text = everything(err);
        assert.match(String(err), new RegExp(`the exec credential plugin "${command.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" failed with exit code 1`));
        assert.doesNotMatch(text, /refresh_token|rt-9f8e7d6c5b4a|leaked-bearer/);
        return true;
      });
    } finally {
      await client.close();
    }
  });

  it('what a plugin prints on stderr reaches the process stderr', async () => {
    const command = plugin('noisy.sh', `echo '${SECRET_LINE}' >&2\nexit 3`);
    const module = new URL('../../src/client/exec-credential.ts', import.meta.url).href;
    const script = `
      const { ExecCredentials } = await import(${JSON.stringify(module)});
      const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} };
      try { await new ExecCredentials(clock).credential('u', { command: ${JSON.stringify(command)} }); }
      catch (err) { process.stdout.write(String(err)); }
    `;
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (err, out, errOut) => {
        if (err !== null) reject(new Error('the child failed', { cause: err }));
        else resolve({ stdout: out, stderr: errOut });
      });
    });
    assert.ok(stderr.includes(SECRET_LINE), 'the plugin line is on the process stderr');
    assert.match(stdout, /failed with exit code 3/);
    assert.ok(!stdout.includes('refresh_token'), 'and not in the error');
  });

  it('stdout that is not an ExecCredential fails without quoting it; a missing plugin is named with its install hint', async () => {
    const garbage = plugin('garbage.sh', `echo 'token: tok-in-stdout-51a2'`);
    const wrongKind = plugin('wrong-kind.sh', `echo '{"kind":"Secret","status":{"token":"tok-in-stdout-51a2"}}'`);
    for (const [command, message] of [
      [garbage, /wrote \d+ bytes to stdout that are not JSON/],
      [wrongKind, /wrote JSON that is not an ExecCredential/],
    ] as const) {
      const client = clientFor(command);
      try {
        await assert.rejects(client.resource('secrets').getObject('ns', 'x', {}), (err: unknown) => message.test(String(err)) && !everything(err).includes('tok-in-stdout-51a2'));
      } finally {
        await client.close();
      }
    }
    const missing = createClient(server.kubeConfig({ exec: { apiVersion: API_VERSION, command: join(dir, 'nope'), installHint: 'install nope first' } }), { clock: new FakeClock() });
    await assert.rejects(missing.resource('secrets').getObject('ns', 'x', {}), /was not found \(install nope first\)/);
    await missing.close();
  });

  it('the credential is kept until its expirationTimestamp on the clock; a 401 runs the plugin again and resends once', async () => {
    const runs = join(dir, 'runs');
    const tokenFile = join(dir, 'exec-token');
    const expiryFile = join(dir, 'exec-expiry');
    writeFileSync(runs, '');
    writeFileSync(tokenFile, 'exec-1');
    writeFileSync(expiryFile, '2030-01-01T00:10:00Z');
    const start = Date.parse('2030-01-01T00:00:00Z');
    const command = plugin(
      'expiring.sh',
      `printf x >> '${runs}'\nprintf '{"apiVersion":"${API_VERSION}","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}' "$(cat '${tokenFile}')" "$(cat '${expiryFile}')"`,
    );
    valid.add('exec-1').add('exec-2');
    const clock = new FakeClock(start);
    const client = clientFor(command, clock);
    try {
      const secrets = client.resource('secrets');
      await secrets.getObject('ns', 'x', {});
      writeFileSync(tokenFile, 'exec-2');
      writeFileSync(expiryFile, '2030-01-01T01:00:00Z');
      clock.step(10 * 60_000 - 1);
      await secrets.getObject('ns', 'x', {});
      assert.equal(readFileSync(runs, 'utf8'), 'x', 'one run while the credential is valid');
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer exec-1');
      clock.step(1);
      await secrets.getObject('ns', 'x', {});
      assert.equal(readFileSync(runs, 'utf8'), 'xx', 'run again once it expired');
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer exec-2');
      // revoked early: the 401 runs the plugin again and the get is sent once more
      writeFileSync(tokenFile, 'exec-3');
      valid.clear();
      valid.add('exec-3');
      const sent = server.requests.length;
      await secrets.getObject('ns', 'x', {});
      assert.deepEqual(server.requests.slice(sent).map((r) => r.headers.authorization), ['Bearer exec-2', 'Bearer exec-3']);
      assert.equal(readFileSync(runs, 'utf8'), 'xxx');
    } finally {
      valid.clear();
      await client.close();
    }
  });

  it('close() fails a request waiting for a plugin at once with ClientClosedError and kills the plugin', async () => {
    const pidFile = join(dir, 'pid');
    writeFileSync(pidFile, '');
    const command = plugin('hanging.sh', `echo $$ > '${pidFile}'\nexec sleep 30`);
    const client = clientFor(command);
    let outcome: unknown = 'pending';
    client
      .resource('secrets')
      .getObject('ns', 'x', {})
      .then(
        () => (outcome = 'resolved'),
        (err: unknown) => (outcome = err),
      );
    await until(() => readFileSync(pidFile, 'utf8').trim() !== '', 'the plugin runs');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await client.close();
    for (let i = 0; i < 100 && outcome === 'pending'; i++) await turn();
    assert.ok(outcome instanceof ClientClosedError, String(outcome));
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await until(() => !alive(), 'the plugin is gone');
  });
});
