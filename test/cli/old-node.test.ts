// The published package (dist/, as `npm run build` writes it) on a Node.js
// older than it supports: kom and the library imports say which Node.js they
// need and exit 1, instead of crashing inside undici. Runs with the oldest
// node found on PATH (outside this repository's node_modules, whose `node`
// is the project's Node 24).
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** A node binary older than 22.19 on PATH or in the usual places, with its version; undefined when there is none. */
function findOldNode(): { path: string; version: string } | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/local/bin', '/usr/bin', '/bin'];
  const seen = new Set<string>();
  let oldest: { path: string; version: string; major: number; minor: number } | undefined;
  for (const dir of dirs) {
    if (dir === '' || resolve(dir).startsWith(repo)) continue;
    const candidate = join(dir, 'node');
    let real: string;
    try {
      accessSync(candidate, constants.X_OK);
      real = realpathSync(candidate);
    } catch {
      continue;
    }
    if (seen.has(real) || real.startsWith(repo)) continue;
    seen.add(real);
    let version: string;
    try {
      version = execFileSync(real, ['-p', 'process.versions.node'], { encoding: 'utf8', env: childEnv(), timeout: 10_000 }).trim();
    } catch {
      continue;
    }
    const [major = NaN, minor = NaN] = version.split('.').map(Number);
    const old = major < 22 || (major === 22 && minor < 19);
    if (old && (oldest === undefined || major < oldest.major || (major === oldest.major && minor < oldest.minor))) oldest = { path: real, version, major, minor };
  }
  return oldest === undefined ? undefined : { path: oldest.path, version: oldest.version };
}

/** The environment without what only the test runner's Node understands. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  delete env['NODE_TEST_CONTEXT'];
  return env;
}

function run(node: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(node, args, { cwd, env: childEnv(), timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

const oldNode = findOldNode();
const noOldNode = oldNode === undefined ? 'no Node.js older than 22.19 found on PATH, /usr/local/bin, /usr/bin or /bin' : false;

// The package as installed: dist/ beside a package.json of type module, with the dependencies reachable.
let pkg: string;
let dist: string;
let manifest: string;

before(async () => {
  pkg = await mkdtemp(join(tmpdir(), 'kom-dist-'));
  dist = join(pkg, 'dist');
  const { name, type, exports } = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name, type, exports }));
  await symlink(join(repo, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  manifest = join(pkg, 'pod.yaml');
  await writeFile(manifest, 'kind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, envFrom: [{secretRef: {name: web-env}}]}]\n');
  const tsc = join(repo, 'node_modules', 'tsc7', 'bin', 'tsc');
  const build = await run(process.execPath, [tsc, '-p', join(repo, 'tsconfig.build.json'), '--outDir', dist, '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'], repo);
  assert.equal(build.code, 0, `build: ${build.stdout}${build.stderr}`);
});

after(async () => {
  await rm(pkg, { recursive: true, force: true });
});

test('the built kom runs on this Node.js', async () => {
  const result = await run(process.execPath, [join(dist, 'cli', 'kom.js'), 'refs', manifest], pkg);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Pod\/default\/web\s+Secret\s+web-env/);
});

test('every kom command on an older Node.js prints the Node.js it needs and exits 1', { skip: noOldNode }, async () => {
  const { path, version } = oldNode ?? { path: '', version: '' };
  const message = `kube-object-manager needs Node.js >= 22.19, this is v${version}\n`;
  const kom = join(dist, 'cli', 'kom.js');
  for (const args of [['refs', '--help'], ['refs', manifest], ['--help'], ['apiserver', '--help'], ['demo']]) {
    const result = await run(path, [kom, ...args], pkg);
    assert.equal(result.code, 1, `kom ${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr, message, `kom ${args.join(' ')}`);
    assert.equal(result.stdout, '', `kom ${args.join(' ')}`);
  }
});

test('importing the package root or ./apiserver on an older Node.js throws an Error saying so', { skip: noOldNode }, async () => {
  const { path, version } = oldNode ?? { path: '', version: '' };
  for (const entry of ['index.js', 'apiserver/index.js']) {
    const result = await run(path, ['-e', `import(${JSON.stringify(join(dist, entry))})`], pkg);
    assert.equal(result.code, 1, `${entry}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`^Error: kube-object-manager needs Node\\.js >= 22\\.19, this is v${version.replaceAll('.', '\\.')}$`, 'm'), entry);
    assert.doesNotMatch(result.stderr, /reading 'bind'|undici/, entry);
    // The same through the package name, as a user imports it.
    const byName = await run(path, ['--input-type=module', '-e', `import(${JSON.stringify(entry === 'index.js' ? 'kube-object-manager' : 'kube-object-manager/apiserver')}).catch((err) => { console.error(String(err)); process.exit(1); })`], pkg);
    assert.equal(byName.code, 1, `${entry} by name: ${byName.stderr}`);
    assert.match(byName.stderr, /^Error: kube-object-manager needs Node\.js >= 22\.19/m, `${entry} by name`);
  }
});

test('every built file parses on the older Node.js, so the message can print at all', { skip: noOldNode }, async () => {
  const { path } = oldNode ?? { path: '' };
  // One process: vm.SourceTextModule parses each file as a module without linking or running it.
  const script = `
    const { readdirSync, readFileSync } = require('node:fs');
    const { join } = require('node:path');
    const vm = require('node:vm');
    const files = readdirSync(process.argv[1], { recursive: true }).filter((f) => f.endsWith('.js'));
    for (const file of files) new vm.SourceTextModule(readFileSync(join(process.argv[1], file), 'utf8'), { identifier: file });
    console.log(files.length);
  `;
  const result = await run(path, ['--experimental-vm-modules', '--no-warnings', '-e', script, dist], pkg);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(Number(result.stdout) > 50, `parsed ${result.stdout.trim()} files`);
});
