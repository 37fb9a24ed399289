// Where the watching manager's memory per watched object goes: the same
// 10,000 single-object watches opened layer by layer, each layer in a fresh
// process (--expose-gc), heap and RSS measured after full GCs.
//
//   node bench/memory-layers.ts [--n 10000] [--layers a,b@variant,...] [--heap-snapshots DIR]
//
// Layers: h2-data (node:http2 streams read with 'data' listeners: the floor),
// h2-iterator (the same streams read through their async iterator, as our
// client reads a watch body), client (createClient().watchObject, events
// iterated), manager (newWatchingSecretManager, what the bench measures),
// manager-list-watch (the same with watchList: false: a list, then a watch,
// per object), manager-shared-ca (the same, with a KubeConfig that hands out one CA Buffer
// for every request instead of a new one per credential read).
// h2-data-ours is the floor with the HTTP/2 settings our client sends (the
// stream and connection receive windows).
//
// A layer may carry a variant after '@', which runs the same layer with a
// process setting: semi1/semi4/semi16 (--max-semi-space-size=1/4/16 MiB:
// V8's young generation), arena2 (MALLOC_ARENA_MAX=2), trim (MALLOC_TRIM_THRESHOLD_ and
// MALLOC_MMAP_THRESHOLD_ fixed at 128 KiB: glibc gives freed memory back
// instead of raising its thresholds), arena1 (MALLOC_ARENA_MAX=1), stgc
// (--single-threaded-gc: no GC helper threads), and combinations joined by '+'.
//
// Columns, per watch: heap (V8 heapUsed), external, v8 (the V8 heap's
// resident pages: what the heap reserves over what it uses), new (of which
// the young generation), native (anonymous resident memory outside the V8
// heap: malloc'd memory of nghttp2, OpenSSL, Node's C++ objects and what
// malloc keeps after a free), rss, and peak (the highest RSS during
// start-up, over the RSS before); 'ready ms' is the time until every watch
// was open (and every object read, for the manager). With --malloc (needs a C compiler), glibc's
// own figures too, read by a probe preloaded into the layer process (see
// mallocProbeSource): malloc (what its arenas hold from the OS), m-in-use
// (what is allocated), and rss-trim (the RSS after malloc_trim(0): the
// difference to rss is freed memory that fragmentation keeps resident).
// MEMORY_LAYERS_SMAPS=DIR writes each layer's /proc/self/smaps there once its
// watches are open (V8's pages are the 256 KiB anonymous mappings).
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http2, { type ClientHttp2Session } from 'node:http2';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Session } from 'node:inspector/promises';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { KubeConfig } from '@kubernetes/client-node';
import { createClient, newWatchingSecretManager } from '../src/index.ts';
import { memoryAfterGc } from './measure.ts';
import { benchPods } from './pods.ts';
import { startServerProcess } from './server.ts';
import { benchNamespace, connectH2, readTarget, secretName, seedSecrets } from './target.ts';

const layers = ['h2-data', 'h2-data-ours', 'h2-iterator', 'client', 'manager', 'manager-list-watch', 'manager-shared-ca'] as const;
type Layer = (typeof layers)[number];
const defaultRuns = [
  'h2-data',
  'h2-data-ours',
  'h2-data@lastresort',
  'h2-iterator',
  'client',
  'manager',
  'manager-list-watch',
  'manager@lastresort',
  'manager@inspector',
  'manager@idle60',
  'manager@semi1',
  'manager@semi4',
  'manager@semi16',
  'manager@semi1+lastresort',
  'manager@arena2',
  'manager@trim',
  'manager@stgc',
];

/** Process settings a variant stands for: Node flags and environment variables. */
const variants: Record<string, { execArgv?: string[]; env?: Record<string, string> }> = {
  semi1: { execArgv: ['--max-semi-space-size=1'] },
  semi4: { execArgv: ['--max-semi-space-size=4'] },
  semi16: { execArgv: ['--max-semi-space-size=16'] },
  arena1: { env: { MALLOC_ARENA_MAX: '1' } },
  arena2: { env: { MALLOC_ARENA_MAX: '2' } },
  stgc: { execArgv: ['--single-threaded-gc'] },
  // Not process settings but ways of measuring: a last-resort GC (what V8
  // gives back when memory is short: it shrinks the young generation and
  // frees its pooled pages), and a minute of idleness (what V8's memory
  // reducer gives back by itself) before the second measurement.
  lastresort: { env: { MEMORY_LAYERS_GC: 'last-resort' } },
  // The same GC as a user can ask for it without a flag (README, "Memory of many watches").
  inspector: { env: { MEMORY_LAYERS_GC: 'inspector' } },
  idle60: { env: { MEMORY_LAYERS_IDLE_MS: '60000' } },
  trim: { env: { MALLOC_TRIM_THRESHOLD_: '131072', MALLOC_MMAP_THRESHOLD_: '131072' } },
};

/** How long the last inspector-requested GC took. */
let gcPauseMs = 0;

interface Sample {
  heapUsed: number;
  external: number;
  rss: number;
  /** Resident pages of the V8 heap, all spaces. */
  v8: number;
  /** Of which the young generation. */
  newSpace: number;
  /** Anonymous resident memory (/proc/self/smaps_rollup). */
  anon: number;
  /** Highest RSS so far. */
  peak: number;
}

async function sample(): Promise<Sample> {
  if (process.env.MEMORY_LAYERS_GC === 'last-resort') (globalThis as { gc?: (o: object) => void }).gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  if (process.env.MEMORY_LAYERS_GC === 'inspector') {
    const session = new Session();
    session.connect();
    const start = performance.now();
    await session.post('HeapProfiler.collectGarbage');
    session.disconnect();
    gcPauseMs = performance.now() - start;
  }
  const m = await memoryAfterGc();
  let v8 = 0;
  let newSpace = 0;
  for (const space of getHeapSpaceStatistics()) {
    v8 += space.physical_space_size;
    if (space.space_name === 'new_space') newSpace = space.physical_space_size;
  }
  const anonKb = /^Anonymous:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1];
  return { ...m, v8, newSpace, anon: Number(anonKb ?? 0) * 1024, peak: process.resourceUsage().maxRSS * 1024 };
}

/** One HTTP/2 connection with the settings our client sends (src/client/http2-session.ts). */
function connectH2Ours(target: ReturnType<typeof readTarget>): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(target.url, { ca: target.caCert, settings: { enablePush: false, initialWindowSize: 256 * 1024 } });
    session.once('remoteSettings', () => {
      session.off('error', reject);
      session.setLocalWindowSize(16 * 1024 * 1024);
      resolve(session);
    });
    session.once('error', reject);
  });
}

/** Gives every request the same CA Buffer (client-node decodes certificate-authority-data anew on each call). */
class SharedCaKubeConfig extends KubeConfig {
  #ca: unknown;

  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const o = opts as { ca?: unknown };
    if (o.ca !== undefined) {
      this.#ca ??= o.ca;
      o.ca = this.#ca;
    }
  }
}

async function openLayer(layer: Layer, n: number, kubeconfigPath: string): Promise<() => boolean> {
  const target = readTarget(kubeconfigPath);
  const query = (name: string): string => `/api/v1/namespaces/${benchNamespace}/secrets?watch=true&fieldSelector=metadata.name%3D${name}&allowWatchBookmarks=true`;
  if (layer === 'h2-data' || layer === 'h2-data-ours' || layer === 'h2-iterator') {
    const sessions: ClientHttp2Session[] = [];
    for (let i = 0; i < Math.ceil(n / 100); i++) sessions.push(await (layer === 'h2-data-ours' ? connectH2Ours(target) : connectH2(target)));
    let answered = 0;
    for (let i = 0; i < n; i++) {
      const stream = (sessions[Math.floor(i / 100)] as ClientHttp2Session).request({ ':path': query(secretName(i)), authorization: `Bearer ${target.token}`, accept: 'application/json' }, { endStream: true });
      stream.once('response', () => answered++);
      if (layer !== 'h2-iterator') stream.on('data', () => undefined);
      else void (async () => { for await (const chunk of stream) void chunk; })().catch(() => undefined);
    }
    return () => answered === n;
  }
  const kc = layer === 'manager-shared-ca' ? new SharedCaKubeConfig() : new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const client = createClient(kc, layer === 'manager-list-watch' ? { watchList: false } : {});
  if (layer === 'client') {
    const secrets = client.resource('secrets');
    const signal = new AbortController().signal;
    const list = await secrets.listObject(benchNamespace, {}, signal);
    const rv = list.metadata?.resourceVersion ?? '0';
    for (let i = 0; i < n; i++) {
      void (async () => {
        for await (const event of await secrets.watchObject(benchNamespace, { fieldSelector: `metadata.name=${secretName(i)}`, resourceVersion: rv, allowWatchBookmarks: true }, signal)) void event;
      })().catch((err: unknown) => console.error(err));
    }
  } else {
    const manager = newWatchingSecretManager(client, 60_000, { syncTimeoutMs: 60_000 });
    for (const pod of benchPods(n, 'pod')) manager.registerPod(pod);
    await Promise.all(Array.from({ length: n }, (_, i) => manager.getSecret(benchNamespace, secretName(i))));
  }
  return () => client.stats().streams >= n;
}

/** The next message from the parent. */
function fromParent(): Promise<unknown> {
  return new Promise((resolve) => process.once('message', resolve));
}

async function child(layer: Layer, n: number, kubeconfigPath: string, snapshotDir: string | undefined, mallocStats: boolean): Promise<void> {
  const before = await sample();
  // The parent reads glibc's malloc statistics through gdb here and after the watches are open.
  if (mallocStats) {
    process.send?.({ stage: 'before' });
    await fromParent();
  }
  const start = performance.now();
  const ready = await openLayer(layer, n, kubeconfigPath);
  while (!ready()) {
    if (performance.now() - start > 60_000) throw new Error(`${layer}: watches not open after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const readyMs = performance.now() - start;
  const idleMs = Number(process.env.MEMORY_LAYERS_IDLE_MS ?? 0);
  if (idleMs > 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
  const after = await sample();
  if (process.env.MEMORY_LAYERS_SMAPS !== undefined) writeFileSync(`${process.env.MEMORY_LAYERS_SMAPS}/${layer}.smaps`, readFileSync('/proc/self/smaps', 'utf8'));
  if (snapshotDir !== undefined) writeHeapSnapshot(`${snapshotDir}/${layer}.heapsnapshot`);
  let trimmed: Sample | undefined;
  if (mallocStats) {
    process.send?.({ stage: 'after' });
    await fromParent();
    trimmed = await sample();
  }
  if (gcPauseMs > 0) console.log(`  (${layer}: HeapProfiler.collectGarbage took ${Math.round(gcPauseMs)} ms)`);
  process.send?.({ before, after, trimmed, readyMs });
  process.exit(0);
}

/**
 * A library preloaded into a layer process (LD_PRELOAD) with --malloc: a
 * thread that, when the parent writes DIR/<pid>.req, answers in
 * DIR/<pid>.done with glibc's mallinfo2() totals (what malloc holds from the
 * OS, what is allocated), then calls malloc_trim(0) if asked to trim: what
 * the fragmentation of malloc's heaps keeps resident.
 */
const mallocProbeSource = `
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static void *probe(void *arg) {
  (void)arg;
  const char *dir = getenv("MALLOC_PROBE_DIR");
  char req[4096], done[4096], tmp[4096];
  snprintf(req, sizeof req, "%s/%d.req", dir, (int)getpid());
  snprintf(done, sizeof done, "%s/%d.done", dir, (int)getpid());
  snprintf(tmp, sizeof tmp, "%s/%d.tmp", dir, (int)getpid());
  for (;;) {
    usleep(20000);
    FILE *f = fopen(req, "r");
    if (f == NULL) continue;
    char what[16] = {0};
    if (fgets(what, sizeof what, f) == NULL) what[0] = 0;
    fclose(f);
    unlink(req);
    struct mallinfo2 mi = mallinfo2();
    int trimmed = strncmp(what, "trim", 4) == 0 ? malloc_trim(0) : 0;
    f = fopen(tmp, "w");
    if (f == NULL) continue;
    fprintf(f, "%zu %zu %d\\n", mi.arena + mi.hblkhd, mi.uordblks + mi.hblkhd, trimmed);
    fclose(f);
    rename(tmp, done);
  }
  return NULL;
}
__attribute__((constructor)) static void start(void) {
  if (getenv("MALLOC_PROBE_DIR") == NULL) return;
  pthread_t thread;
  pthread_create(&thread, NULL, probe, NULL);
  pthread_detach(thread);
}
`;

/** Builds the malloc probe into `dir` (needs a C compiler); answers its path. */
function buildMallocProbe(dir: string): string {
  writeFileSync(`${dir}/malloc-probe.c`, mallocProbeSource);
  const out = spawnSync('cc', ['-O2', '-shared', '-fPIC', '-o', `${dir}/malloc-probe.so`, `${dir}/malloc-probe.c`, '-lpthread'], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`--malloc needs a C compiler (cc): ${out.stderr}`);
  return `${dir}/malloc-probe.so`;
}

/** Asks the probe in process `pid` for glibc's totals, then to trim when `trim`. */
async function probeMalloc(dir: string, pid: number, trim: boolean): Promise<{ system: number; inUse: number }> {
  const done = `${dir}/${pid}.done`;
  rmSync(done, { force: true });
  writeFileSync(`${dir}/${pid}.req`, trim ? 'trim' : 'stats');
  for (let i = 0; i < 500; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (!existsSync(done)) continue;
    const [system = 0, inUse = 0] = readFileSync(done, 'utf8').trim().split(' ').map(Number);
    return { system, inUse };
  }
  throw new Error(`the malloc probe of process ${pid} did not answer within 10 s`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { n: { type: 'string', default: '10000' }, layer: { type: 'string' }, layers: { type: 'string' }, kubeconfig: { type: 'string' }, 'heap-snapshots': { type: 'string' }, malloc: { type: 'boolean', default: false } },
  });
  const n = Number(values.n);
  if (values.layer !== undefined) return child(values.layer as Layer, n, values.kubeconfig ?? '', values['heap-snapshots'], values.malloc);
  const runs = values.layers?.split(',') ?? defaultRuns;
  for (const run of runs) {
    const [layer = '', variant] = run.split('@');
    if (!(layers as readonly string[]).includes(layer)) throw new Error(`unknown layer ${layer} (layers: ${layers.join(', ')})`);
    for (const v of variant?.split('+') ?? []) if (variants[v] === undefined) throw new Error(`unknown variant ${v} (variants: ${Object.keys(variants).join(', ')})`);
  }
  const probeDir = values.malloc ? mkdtempSync(`${tmpdir()}/malloc-probe-`) : undefined;
  if (probeDir !== undefined) buildMallocProbe(probeDir);
  const server = await startServerProcess();
  try {
    await seedSecrets(server.target, n);
    console.log(`${n} single-object watches; bytes per watch after GC (node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    const columns = ['heap', 'external', 'v8', 'new', 'native', 'rss', 'peak', 'ready ms', ...(values.malloc ? ['malloc', 'm-in-use', 'rss-trim'] : [])];
    console.log(`  ${'layer'.padEnd(26)}${columns.map((c) => c.padStart(9)).join('')}`);
    for (const run of runs) {
      const [layer = '', variant] = run.split('@');
      const settings = (variant?.split('+') ?? []).map((v) => variants[v] ?? {});
      const execArgv = ['--expose-gc', ...settings.flatMap((v) => v.execArgv ?? [])];
      const env = Object.assign({ ...process.env }, ...settings.map((v) => v.env ?? {})) as NodeJS.ProcessEnv;
      const args = ['--layer', layer, '--n', String(n), '--kubeconfig', server.target.kubeconfigPath];
      if (values['heap-snapshots'] !== undefined) args.push('--heap-snapshots', values['heap-snapshots']);
      if (probeDir !== undefined) {
        args.push('--malloc');
        Object.assign(env, { LD_PRELOAD: `${probeDir}/malloc-probe.so`, MALLOC_PROBE_DIR: probeDir });
      }
      const proc = fork(import.meta.filename, args, { execArgv, env, stdio: ['inherit', 'inherit', 'pipe', 'ipc'] });
      let stderr = '';
      proc.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`${run} exited with ${String(code)}: ${stderr.slice(-2000)}`))));
      const message = (): Promise<Record<string, unknown>> => Promise.race([new Promise<Record<string, unknown>>((resolve) => proc.once('message', (msg) => resolve(msg as Record<string, unknown>))), exited]);
      let mallocBefore: { system: number; inUse: number } | undefined;
      let mallocAfter: { system: number; inUse: number } | undefined;
      if (probeDir !== undefined) {
        await message();
        mallocBefore = await probeMalloc(probeDir ?? '', proc.pid ?? 0, false);
        proc.send('go');
        await message();
        mallocAfter = await probeMalloc(probeDir ?? '', proc.pid ?? 0, true);
        proc.send('go');
      }
      const m = (await message()) as unknown as { before: Sample; after: Sample; trimmed?: Sample; readyMs: number };
      const per = (after: number, before: number): string => String(Math.round((after - before) / n)).padStart(9);
      const d = (k: keyof Sample): string => per(m.after[k], m.before[k]);
      const native = per(m.after.anon - m.after.v8, m.before.anon - m.before.v8);
      let line = `  ${run.padEnd(26)}${d('heapUsed')}${d('external')}${d('v8')}${d('newSpace')}${native}${d('rss')}${per(m.after.peak, m.before.rss)}${String(Math.round(m.readyMs)).padStart(9)}`;
      if (mallocBefore !== undefined && mallocAfter !== undefined && m.trimmed !== undefined) {
        line += `${per(mallocAfter.system, mallocBefore.system)}${per(mallocAfter.inUse, mallocBefore.inUse)}${per(m.trimmed.rss, m.before.rss)}`;
      }
      console.log(line);
    }
  } finally {
    await server.stop();
    if (probeDir !== undefined) rmSync(probeDir, { recursive: true, force: true });
  }
}

await main();
