import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { runApiServerCommand } from '../../src/cli/apiserver-command.ts';

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
});
