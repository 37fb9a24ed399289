// kom apiserver --kubeconfig PATH writes a bearer token: it must never
// overwrite, write through a link to, or delete a file the user owns (pointed
// at ~/.kube/config it used to destroy it), and the file it writes is 0600.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, link, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { runApiServerCommand } from '../../src/cli/apiserver-command.ts';
import { komPath } from './fixtures/kom-child.ts';

const userConfig = 'apiVersion: v1\nkind: Config\n# the user\'s own kubeconfig\n';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kom-apiserver-kc-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `kom apiserver ...args` in this process: its output, whether it serves (false: it ended first), how it ends. */
function startCommand(args: string[]): { output: () => string; serving: Promise<boolean>; exit: Promise<number>; stop: () => void } {
  const stream = new PassThrough();
  let output = '';
  let served = (): void => undefined;
  const written = new Promise<true>((resolve) => (served = () => resolve(true)));
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (output.includes('kubeconfig written to')) served();
  });
  const controller = new AbortController();
  const exit = runApiServerCommand(['--port', '0', ...args], { stdout: stream, stderr: stream, signal: controller.signal });
  const serving = Promise.race([written, exit.then(() => false)]);
  return { output: () => output, serving, exit, stop: () => controller.abort() };
}

/** Runs a command that should refuse to start; answers its exit code and output (a server that starts anyway is stopped). */
async function refused(args: string[]): Promise<{ code: number | 'served'; output: string }> {
  const command = startCommand(args);
  try {
    const code = (await command.serving) ? 'served' : await command.exit;
    return { code, output: command.output() };
  } finally {
    command.stop();
    await command.exit;
  }
}

async function userFile(name: string, mode = 0o644): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, userConfig);
  await chmod(path, mode);
  return path;
}

async function assertUntouched(path: string, mode = 0o644): Promise<void> {
  assert.equal(await readFile(path, 'utf8'), userConfig, `${path}: content`);
  assert.equal((await stat(path)).mode & 0o777, mode, `${path}: mode`);
}

async function assertGone(path: string): Promise<void> {
  await assert.rejects(lstat(path), { code: 'ENOENT' }, `${path} does not exist`);
}

test('an existing file is refused (exit 1) and left as it was, content and mode', async () => {
  const path = await userFile('config');
  const result = await refused(['--kubeconfig', path]);
  assert.equal(result.code, 1, result.output);
  assert.match(result.output, new RegExp(`kom apiserver: cannot write the kubeconfig ${path}: it already exists \\(give --force to replace it, or choose another path\\)`));
  await assertUntouched(path);
});

test('a symbolic link is refused, to a file or dangling, also with --force; what it points to is not written or created', async () => {
  const target = await userFile('link-target');
  const linked = join(dir, 'linked');
  await symlink(target, linked);
  const missing = join(dir, 'not-there');
  const dangling = join(dir, 'dangling');
  await symlink(missing, dangling);
  for (const path of [linked, dangling]) {
    for (const force of [[], ['--force']]) {
      const result = await refused(['--kubeconfig', path, ...force]);
      assert.equal(result.code, 1, `${path} ${force.join('')}: ${result.output}`);
      assert.match(result.output, new RegExp(`cannot write the kubeconfig ${path}: it is a symbolic link, never written through`));
      assert.ok((await lstat(path)).isSymbolicLink(), `${path} is still the link`);
    }
  }
  await assertUntouched(target);
  assert.equal(await readlink(linked), target);
  await assertGone(missing);
});

test('a directory is refused, also with --force', async () => {
  const path = join(dir, 'a-directory');
  await mkdir(path);
  for (const force of [[], ['--force']]) {
    const result = await refused(['--kubeconfig', path, ...force]);
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, new RegExp(`cannot write the kubeconfig ${path}: it is a directory`));
  }
  assert.deepEqual(await readdir(path), []);
});

test('a missing directory is a clear failure (exit 1)', async () => {
  const path = join(dir, 'no-such-dir', 'config');
  const result = await refused(['--kubeconfig', path]);
  assert.equal(result.code, 1, result.output);
  assert.match(result.output, new RegExp(`kom apiserver: cannot write the kubeconfig ${path}: no such directory`));
});

test('--force replaces an existing file with a new 0600 file (never writing into the old one), removed on exit', async () => {
  const path = await userFile('forced');
  const other = join(dir, 'forced-hard-link');
  await link(path, other); // a second name of the same file: writing into the file would change it too
  const before = await stat(path);
  const command = startCommand(['--kubeconfig', path, '--force']);
  try {
    assert.ok(await command.serving, command.output());
    const now = await stat(path);
    assert.notEqual(now.ino, before.ino, 'a new file');
    assert.equal(now.mode & 0o777, 0o600);
    const kc = new KubeConfig();
    kc.loadFromString(await readFile(path, 'utf8'));
    assert.match(kc.getCurrentCluster()?.server ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
    await assertUntouched(other);
    assert.deepEqual((await readdir(dir)).filter((name) => name.startsWith('.forced')), [], 'no temporary file left');
  } finally {
    command.stop();
  }
  assert.equal(await command.exit, 0, command.output());
  await assertGone(path);
  await assertUntouched(other);
});

test('a kubeconfig replaced by the user while serving is not deleted on exit', async () => {
  const path = join(dir, 'replaced');
  const command = startCommand(['--kubeconfig', path]);
  try {
    assert.ok(await command.serving, command.output());
    await writeFile(`${path}.new`, userConfig);
    await rename(`${path}.new`, path);
  } finally {
    command.stop();
  }
  assert.equal(await command.exit, 0, command.output());
  assert.equal(await readFile(path, 'utf8'), userConfig, 'the user\'s file is still there');
  assert.match(command.output(), new RegExp(`left ${path} in place: it is no longer the file written at start`));
});

test('a kubeconfig removed by the user while serving: exit 0, nothing to remove', async () => {
  const path = join(dir, 'removed');
  const command = startCommand(['--kubeconfig', path]);
  try {
    assert.ok(await command.serving, command.output());
    await rm(path);
  } finally {
    command.stop();
  }
  assert.equal(await command.exit, 0, command.output());
  assert.doesNotMatch(command.output(), /cannot remove|left .* in place/);
  await assertGone(path);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`as a process with umask 0277: the kubeconfig is created 0600 and removed on ${signal}`, async () => {
    const path = join(dir, `child-${signal}`);
    // umask 0277 would leave a file created with mode 0600 at 0400.
    const child = spawn('/bin/sh', ['-c', 'umask 0277 && exec "$0" "$@"', process.execPath, komPath, 'apiserver', '--port', '0', '--kubeconfig', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const written = new Promise<void>((resolve) => {
      const collect = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('kubeconfig written to')) resolve();
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, sig) => resolve({ code, signal: sig })));
    try {
      await Promise.race([written, exited]);
      assert.equal((await stat(path)).mode & 0o777, 0o600, output);
      child.kill(signal);
      const end = await exited;
      assert.deepEqual(end, { code: 0, signal: null }, output);
      assert.match(output, /kom apiserver: stopped/);
      await assertGone(path);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
}

test('--help says what is refused and what --force does', async () => {
  const command = startCommand(['--help']);
  assert.equal(await command.exit, 0);
  const help = command.output().replace(/\s+/g, ' ');
  assert.match(help, /An existing PATH is refused \(exit 1\)/);
  assert.match(help, /A symbolic link is refused always, dangling or not, even with --force/);
  assert.match(help, /--force replace an existing regular file at PATH/);
  assert.match(help, /mode 0600/);
});
