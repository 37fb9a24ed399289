// kom run as a user runs it: a child process, its output and exit code.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const kom = new URL('../../src/cli/kom.ts', import.meta.url).pathname;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [kom, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

test('kom --help lists the commands; no command is a usage error', async () => {
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /demo\s+the three strategies/);
  assert.match(help.stdout, /apiserver\s+run the embedded/);
  const none = await run([]);
  assert.equal(none.code, 2);
});

test('kom --version and -v print the version in package.json', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) {
    const result = await run([flag]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${version}\n`, flag);
  }
  assert.match((await run(['--help'])).stdout, /-v, --version/);
});

test('unknown commands and bad flags exit 2 with a message naming them', async () => {
  const unknown = await run(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const badFlag = await run(['demo', '--podz', '3']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /kom demo: Unknown option '--podz'/);
  const badValue = await run(['demo', '--pods', 'many']);
  assert.equal(badValue.code, 2);
  assert.match(badValue.stderr, /--pods must be an integer from 1 to 5000, got "many"/);
});

test('kom demo runs the three strategies and reports what each cost and how fresh it was', async () => {
  const { code, stdout, stderr } = await run(['demo', '--pods', '20', '--duration', '2', '--rate', '20', '--ttl', '1', '--output', 'json']);
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(stdout) as {
    pods: number;
    updates: number;
    references: number;
    strategies: { strategy: string; reads: number; requests: Record<string, number>; missed: number; updateToCacheMs: { count: number } }[];
  };
  assert.equal(summary.pods, 20);
  assert.ok(summary.updates > 0);
  const by = Object.fromEntries(summary.strategies.map((s) => [s.strategy, s]));
  assert.deepEqual(Object.keys(by), ['simple', 'caching', 'watching'], 'the factories\' names');
  for (const name of ['simple', 'caching', 'watching']) {
    assert.equal(by[name]?.missed, 0, `${name} saw every update`);
    assert.equal(by[name]?.updateToCacheMs.count, summary.updates);
  }
  assert.ok((by.simple?.requests.get ?? 0) >= (by.simple?.reads ?? 0), 'simple: a GET per read');
  assert.equal(by.watching?.requests.get, 0, 'watching: never a GET');
  assert.ok((by.watching?.requests.watch ?? 0) > 0);
  assert.ok((by.caching?.requests.get ?? 0) < (by.simple?.requests.get ?? 0), 'caching: fewer GETs than simple');
  assert.doesNotMatch(stdout + stderr, /demo-ca/, 'no secret data in the output');
});
