import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parseDurationMs, runApiServerCommand } from '../../src/cli/apiserver-command.ts';

function capture(): { stream: PassThrough; text: () => string; line: (re: RegExp) => Promise<void> } {
  const stream = new PassThrough();
  let text = '';
  const waiters: [RegExp, () => void][] = [];
  stream.on('data', (c: Buffer) => {
    text += c.toString();
    for (const [re, done] of waiters) if (re.test(text)) done();
  });
  return {
    stream,
    text: () => text,
    line: (re) => new Promise((resolve) => (re.test(text) ? resolve() : waiters.push([re, resolve]))),
  };
}

describe('kom apiserver', () => {
  it('serves until stopped, with a working kubeconfig that is removed at exit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kom-cli-'));
    const path = join(dir, 'kc.yaml');
    const out = capture();
    const controller = new AbortController();
    try {
      const exit = runApiServerCommand(['--port', '0', '--kubeconfig', path], { stdout: out.stream, stderr: out.stream, signal: controller.signal });
      await out.line(/kubeconfig written/);
      assert.match(out.text(), /serving on https:\/\/127\.0\.0\.1:\d+/);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      const kc = new KubeConfig();
      kc.loadFromString(await readFile(path, 'utf8'));
      const names = (await kc.makeApiClient(CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name);
      assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      controller.abort();
      assert.equal(await exit, 0);
      await assert.rejects(access(path));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers 2 with a clear message for bad arguments, 0 for --help', async () => {
    const out = capture();
    assert.equal(await runApiServerCommand(['--port', 'x'], { stdout: out.stream, stderr: out.stream }), 2);
    assert.match(out.text(), /--port must be an integer from 0 to 65535, got "x"/);
    assert.equal(await runApiServerCommand(['--bogus'], { stdout: out.stream, stderr: out.stream }), 2);
    assert.match(out.text(), /Unknown option '--bogus'/);
    assert.equal(await runApiServerCommand(['--help'], { stdout: out.stream, stderr: out.stream }), 0);
    assert.match(out.text(), /Usage: kom apiserver/);
  });

  it('takes --idle-timeout as a duration and --max-connections, and refuses bad values naming the flag', async () => {
    assert.equal(parseDurationMs('90s'), 90_000);
    assert.equal(parseDurationMs('1m30s'), 90_000);
    assert.equal(parseDurationMs('500ms'), 500);
    assert.equal(parseDurationMs('1.5h'), 5_400_000);
    assert.ok(Number.isNaN(parseDurationMs('90')));
    const out = capture();
    const io = { stdout: out.stream, stderr: out.stream };
    assert.equal(await runApiServerCommand(['--idle-timeout', 'soon'], io), 2);
    assert.match(out.text(), /--idle-timeout must be a duration such as 90s, 1m30s or 500ms, got "soon"/);
    assert.equal(await runApiServerCommand(['--idle-timeout', '0s'], io), 2);
    assert.match(out.text(), /--idle-timeout must be a finite number of milliseconds in \[1, 2147483647\], got 0/);
    assert.equal(await runApiServerCommand(['--idle-timeout', '600h'], io), 2);
    assert.match(out.text(), /--idle-timeout must be a finite number of milliseconds in \[1, 2147483647\], got 2160000000/);
    for (const bad of ['0', '-1', '1.5', 'many']) {
      assert.equal(await runApiServerCommand([`--max-connections=${bad}`], io), 2, bad);
      assert.match(out.text(), new RegExp(`--max-connections must be an integer from 1 to 1000000, got "${bad.replace('.', '\\.')}"`));
    }
    assert.equal(await runApiServerCommand(['--help'], io), 0);
    assert.match(out.text(), /--idle-timeout DURATION[\s\S]*--max-connections N/);
  });

  /** Runs `kom apiserver` with `args` while `body` gets its port; stops it after. */
  async function withServer(args: string[], body: (port: number) => Promise<void>): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'kom-cli-'));
    const out = capture();
    const controller = new AbortController();
    const exit = runApiServerCommand(['--kubeconfig', join(dir, 'kc'), ...args], { stdout: out.stream, stderr: out.stream, signal: controller.signal });
    try {
      await out.line(/kubeconfig written/);
      await body(Number(/serving on https:\/\/127\.0\.0\.1:(\d+)/.exec(out.text())?.[1]));
    } finally {
      controller.abort();
      assert.equal(await exit, 0);
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** A TLS connection; resolves once it is up or closed. */
  function open(port: number, sockets: TLSSocket[]): Promise<{ socket: TLSSocket; closed: Promise<void> }> {
    const socket = connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    sockets.push(socket);
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return new Promise((resolve) => {
      socket.once('secureConnect', () => resolve({ socket, closed }));
      socket.once('close', () => resolve({ socket, closed }));
    });
  }

  it('closes the connections over --max-connections at once', { timeout: 60_000 }, async () => {
    const sockets: TLSSocket[] = [];
    try {
      await withServer(['--max-connections', '1'], async (port) => {
        const first = await open(port, sockets);
        assert.equal(first.socket.destroyed, false, 'the first connection is accepted');
        const second = await open(port, sockets);
        await second.closed;
        assert.equal(first.socket.destroyed, false, 'the first connection stays open (the idle timeout is 90 s)');
      });
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it('closes a connection idle for --idle-timeout', { timeout: 60_000 }, async () => {
    const sockets: TLSSocket[] = [];
    try {
      await withServer(['--idle-timeout', '50ms'], async (port) => {
        const conn = await open(port, sockets);
        assert.equal(conn.socket.destroyed, false);
        // It never sends a request: closed after 50 ms (with the default 90 s this would hang the test).
        await conn.closed;
      });
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});
