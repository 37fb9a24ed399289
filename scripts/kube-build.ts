// Builds the real control plane and the kubelet's managers from the Go
// module in kube/ (see kube/README.md):
//
//   npm run kube:build [-- --force] [-- --print-dir]
//
// Output: .cache/kube/<kubernetes version>/bin/{kube-apiserver,etcd,kubectl,kubelet-managers}
// (gitignored), with stamp.json written only after all four are built. A
// build whose stamp matches the current inputs (kube/go.mod, go.sum, the Go
// sources, the Go version) is reused: a warm run takes well under a second.
// --force rebuilds anyway; --print-dir prints only the bin folder on stdout
// (for KUBEBUILDER_ASSETS=$(npm run -s kube:build -- --print-dir)).
//
// All four are built by one `go build`, so the packages they share compile
// once. GOCACHE and GOMODCACHE stay where Go keeps them by default: a second
// checkout on the same machine reuses the compiled packages.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kubeDir = join(root, 'kube');
const binaries = {
  'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
  kubectl: 'k8s.io/kubernetes/cmd/kubectl',
  etcd: './cmd/etcd',
  'kubelet-managers': './cmd/kubelet-managers',
} as const;

const { values } = parseArgs({ options: { force: { type: 'boolean', default: false }, 'print-dir': { type: 'boolean', default: false } }, strict: true });
const started = performance.now();
const seconds = (): string => ((performance.now() - started) / 1000).toFixed(1);
const say = (line: string): void => void process.stderr.write(`kube:build: ${line}\n`);

function fail(what: string, detail?: string): never {
  say(`FAILED: ${what}`);
  if (detail !== undefined && detail.trim() !== '') process.stderr.write(`${detail.trimEnd()}\n`);
  process.exit(1);
}

// --- inputs -------------------------------------------------------------

const goVersion = spawnSync('go', ['env', 'GOVERSION', 'GOOS', 'GOARCH'], { encoding: 'utf8' });
if (goVersion.error || goVersion.status !== 0) {
  fail('no usable `go` on PATH', `${goVersion.error?.message ?? goVersion.stderr}\nInstall Go 1.26 or newer, or point KUBEBUILDER_ASSETS at a folder holding etcd and kube-apiserver.`);
}
const goId = goVersion.stdout.trim().split('\n').join(' ');

const goMod = readFileSync(join(kubeDir, 'go.mod'), 'utf8');
const k8sVersion = /^\s*k8s\.io\/kubernetes (v\S+)$/m.exec(goMod)?.[1] ?? fail('kube/go.mod does not require k8s.io/kubernetes');

function goSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return goSources(path);
    return entry.name.endsWith('.go') ? [path] : [];
  });
}

const inputs = [join(kubeDir, 'go.mod'), join(kubeDir, 'go.sum'), ...goSources(kubeDir).sort()];
const hash = createHash('sha256').update(`${goId}\n`);
for (const file of inputs) hash.update(`${relative(kubeDir, file)}\n`).update(readFileSync(file)).update('\n');
const key = hash.digest('hex');

const outDir = join(root, '.cache', 'kube', k8sVersion);
const binDir = join(outDir, 'bin');
const stampPath = join(outDir, 'stamp.json');

interface Stamp {
  key: string;
  kubernetes: string;
  go: string;
  builtAt: string;
  buildSeconds: number;
  sizes: Record<string, number>;
}

function readStamp(): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(stampPath, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

const done = (): void => {
  if (values['print-dir']) process.stdout.write(`${binDir}\n`);
};

const stamp = readStamp();
if (!values.force && stamp?.key === key && Object.keys(binaries).every((name) => existsSync(join(binDir, name)))) {
  say(`up to date: Kubernetes ${k8sVersion}, ${goId} (${relative(root, binDir)}, built ${stamp.builtAt} in ${stamp.buildSeconds} s; ${seconds()} s)`);
  done();
  process.exit(0);
}

// --- build ---------------------------------------------------------------

rmSync(stampPath, { force: true });
const partialDir = join(outDir, 'bin.partial');
rmSync(partialDir, { recursive: true, force: true });
mkdirSync(partialDir, { recursive: true });

const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: [process.env.GOFLAGS ?? '', '-mod=readonly'].join(' ').trim() };
const [, minor = '0'] = /^v1\.(\d+)\./.exec(k8sVersion) ?? [];
const versionVars = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
  `-X ${pkg}.gitVersion=${k8sVersion}`,
  `-X ${pkg}.gitMajor=1`,
  `-X ${pkg}.gitMinor=${minor}`,
  `-X ${pkg}.gitTreeState=clean`,
]);
const ldflags = ['-s', '-w', ...versionVars].join(' ');
const packages = Object.values(binaries);

/** Runs go, keeping the last lines of its output; `onLine` sees every stderr line. */
function runGo(args: string[], onLine: (line: string) => void = () => {}): Promise<{ code: number | null; tail: string }> {
  const tail: string[] = [];
  const keep = (line: string): void => {
    tail.push(line);
    if (tail.length > 60) tail.shift();
  };
  return new Promise((resolve) => {
    const child = spawn('go', args, { cwd: kubeDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: child.stdout }).on('line', keep);
    createInterface({ input: child.stderr }).on('line', (line) => {
      keep(line);
      onLine(line);
    });
    child.on('error', (err) => {
      keep(err.message);
    });
    child.on('close', (code) => resolve({ code, tail: tail.join('\n') }));
  });
}

function explain(step: string, tail: string): never {
  if (/\.go:\d+:\d+: /.test(tail)) fail(`${step}: compile error (last lines of go's output below)`, tail);
  if (/proxy|reading https?:|410 Gone|404 Not Found|unknown revision|invalid version|verifying .*: checksum mismatch|dial tcp|no such host/i.test(tail)) {
    fail(`${step}: the Go module proxy refused or could not serve a module (go's output below)`, tail);
  }
  fail(`${step} failed (last lines of go's output below)`, tail);
}

say(`building Kubernetes ${k8sVersion} (kube-apiserver, kubectl), etcd and kubelet-managers with ${goId} into ${relative(root, binDir)}`);

say('downloading modules (go mod download; reused from the module cache when present)');
let zips = 0;
const download = await runGo(['mod', 'download', '-x'], (line) => {
  if (/^# get \S+\.zip$/.test(line)) {
    zips++;
    if (zips % 25 === 1) say(`  ${zips} module archives fetched so far`);
  }
});
if (download.code !== 0) explain('go mod download', download.tail);

const list = spawnSync('go', ['list', '-deps', ...packages], { cwd: kubeDir, env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
if (list.status !== 0) explain('go list', list.stderr);
const total = list.stdout.trim().split('\n').length;
say(`compiling up to ${total} packages (already compiled ones come from the Go build cache) and linking 4 binaries`);

let compiled = 0;
let lastReport = 0;
const tty = process.stderr.isTTY;
const build = await runGo(['build', '-v', '-trimpath', `-ldflags=${ldflags}`, '-o', `${partialDir}/`, ...packages], (line) => {
  if (/^[\w.\-/]+$/.test(line)) compiled++;
  const now = performance.now();
  if (tty) process.stderr.write(`\rkube:build:   ${compiled}/${total} packages, ${seconds()} s `);
  else if (now - lastReport > 30_000) {
    lastReport = now;
    say(`  ${compiled}/${total} packages compiled, ${seconds()} s`);
  }
});
if (tty) process.stderr.write('\n');
if (build.code !== 0) explain('go build', build.tail);

const sizes: Record<string, number> = {};
for (const name of Object.keys(binaries)) {
  const path = join(partialDir, name);
  if (!existsSync(path)) fail(`go build finished without producing ${name}`);
  sizes[name] = statSync(path).size;
}
rmSync(binDir, { recursive: true, force: true });
renameSync(partialDir, binDir);
const buildSeconds = Number(seconds());
const finished: Stamp = { key, kubernetes: k8sVersion, go: goId, builtAt: new Date().toISOString(), buildSeconds, sizes };
writeFileSync(stampPath, `${JSON.stringify(finished, null, 2)}\n`);
const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
say(`done in ${buildSeconds} s (${compiled} packages compiled): ${Object.entries(sizes).map(([n, s]) => `${n} ${mib(s)}`).join(', ')}`);
done();
