// The package as a user gets it: `npm run build`, `npm pack`, then a fresh
// install of the tarball in an empty project (type module, tsconfig strict
// with module and moduleResolution nodenext), where the README's main
// example (the block after its `<!-- example: main` marker, read from
// README.md, not copied) is type-checked with the repo's TypeScript compiler
// and run with node against the embedded API server. A file the example
// needs that the tarball lacks fails it: a missing .js at run time, a
// missing .d.ts at type-check time.
//
// npm installs from its local cache first (--prefer-offline): the
// dependencies are the ones `npm ci` of this repo fetched, and anything not
// cached comes from the npm registry, the one .ci/run already uses. Skipped,
// saying why, only when npm itself cannot be found.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { readmeExample } from '../helpers/readme-example.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(repo, 'node_modules', 'tsc7', 'bin', 'tsc');

/** How to run npm: the npm running `npm test`, else the one on PATH; undefined when there is none. */
function findNpm(): { file: string; prefix: string[] } | undefined {
  const execPath = process.env['npm_execpath'];
  if (execPath !== undefined && /npm-cli\.[cm]?js$/.test(execPath)) return { file: process.execPath, prefix: [execPath] };
  try {
    execFileSync('npm', ['--version'], { stdio: 'ignore', timeout: 30_000 });
    return { file: 'npm', prefix: [] };
  } catch {
    return undefined;
  }
}

const npm = findNpm();
const noNpm = npm === undefined ? 'npm is not available: not run by npm, and no npm on PATH' : false;

/**
 * The environment for child processes: without the test runner's
 * variables, and without the npm_* variables of the `npm test` running us
 * (an inherited local prefix or package name would point npm back at this
 * repo), except where npm's cache and registry are.
 */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const keep = !name.startsWith('npm_') || ['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'].includes(name);
    if (keep && name !== 'NODE_OPTIONS' && name !== 'NODE_TEST_CONTEXT') env[name] = value;
  }
  return { ...env, ...extra };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = childEnv()): Promise<Run> {
  return new Promise((done) => {
    // The timeout only ends a hung child; no result depends on it.
    execFile(file, args, { cwd, env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

function runNpm(args: string[], cwd: string): Promise<Run> {
  if (npm === undefined) throw new Error(noNpm || 'no npm');
  return run(npm.file, [...npm.prefix, ...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);
}

/** The version of a package installed in this repo's node_modules. */
async function installedVersion(name: string): Promise<string> {
  return (JSON.parse(await readFile(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

let dir: string;
let project: string;
let server: ApiServer | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kom-pack-'));
  project = join(dir, 'project');
});

after(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

test('the packed package installs in an empty project, and the README example type-checks under nodenext and runs', { skip: noNpm }, async () => {
  const build = await runNpm(['run', 'build'], repo);
  assert.equal(build.code, 0, `npm run build: ${build.stdout}${build.stderr}`);
  // Built just above: --ignore-scripts skips prepack's build.
  const pack = await runNpm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], repo);
  assert.equal(pack.code, 0, `npm pack: ${pack.stderr}`);
  const [packed] = JSON.parse(pack.stdout) as { filename: string; version: string; files: { path: string }[] }[];
  assert.ok(packed !== undefined, pack.stdout);
  const files = packed.files.map((f) => f.path);
  assert.ok(files.includes('LICENSE') && files.includes('README.md') && files.includes('package.json'), `LICENSE, README.md and package.json are packed: ${files.join(' ')}`);
  assert.deepEqual(files.filter((f) => !f.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json'].includes(f)), [], 'nothing but dist/ and the three');
  assert.deepEqual(files.filter((f) => f.endsWith('.map')), [], 'no source maps (they would point at src/, which is not packed)');

  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'kom-pack-check', private: true, type: 'module' }, null, 2));
  await writeFile(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'es2023', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: false, outDir: 'out' }, files: ['example.ts'] }, null, 2),
  );
  const example = readmeExample(await readFile(join(repo, 'README.md'), 'utf8'), 'main');
  await writeFile(join(project, 'example.ts'), example);

  // What a user adds: the package, its peer dependency, Node's types.
  const peer = `@kubernetes/client-node@${await installedVersion('@kubernetes/client-node')}`;
  const types = `@types/node@${await installedVersion('@types/node')}`;
  const install = await runNpm(['install', '--prefer-offline', join(dir, packed.filename), peer, types], project);
  assert.equal(install.code, 0, `npm install: ${install.stdout}${install.stderr}`);

  // Our declarations and the example must type-check; another package's
  // declaration files are that package's business (client-node 2.0's
  // isomorphic-ws wants @types/ws, which it does not depend on).
  const check = await run(process.execPath, [tsc, '-p', project, '--pretty', 'false'], project);
  const errors = check.stdout.split('\n').filter((line) => /^\S.*\(\d+,\d+\): error TS\d+/.test(line));
  const ours = errors.filter((line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/kube-object-manager/'));
  assert.deepEqual(ours, [], check.stdout);
  assert.ok(check.code === 0 || errors.length > 0, `tsc exited ${check.code}: ${check.stdout}${check.stderr}`);

  server = await startApiServer();
  const api = server.kubeConfig().makeApiClient(CoreV1Api);
  await api.createNamespace({ body: { metadata: { name: 'shop' } } });
  await api.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'tls-cert' }, data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' } } });
  const kubeconfig = join(project, 'kubeconfig');
  await writeFile(kubeconfig, server.kubeconfigYaml(), { mode: 0o600 });
  const ran = await run(process.execPath, [join(project, 'out', 'example.js')], project, childEnv({ KUBECONFIG: kubeconfig }));
  assert.equal(ran.code, 0, `the example exits 0 by itself: ${ran.stdout}${ran.stderr}`);
  assert.match(ran.stdout, /\[ 'tls\.crt', 'tls\.key' \]/, 'the example read the secret');
  // The example's process is gone; the server sees its stream end a moment later.
  await eventually(() => assert.equal(server?.metrics().activeWatches, 0, 'the example stopped its watch'));

  // The other entry points and the bin, from the installed package.
  const version = await run(process.execPath, [join(project, 'node_modules', '.bin', 'kom'), '--version'], project);
  assert.equal(version.stdout, `${packed.version}\n`, version.stderr);
  for (const [entry, source] of [
    ['kube-object-manager', 'src/index.ts'],
    ['kube-object-manager/testing', 'src/testing.ts'],
    ['kube-object-manager/apiserver', 'src/apiserver/index.ts'],
  ] as const) {
    const script = `console.log(JSON.stringify(Object.keys(await import(${JSON.stringify(entry)})).sort()))`;
    const keys = await run(process.execPath, ['--input-type=module', '-e', script], project);
    assert.equal(keys.code, 0, `${entry}: ${keys.stderr}`);
    const expected = Object.keys((await import(join(repo, source))) as object).sort();
    assert.deepEqual(JSON.parse(keys.stdout), expected, `${entry} exports what ${source} does`);
  }
});
