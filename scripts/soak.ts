// Soak run: a watching secret manager under churn and periodic faults
// against the embedded API server (in this process), on the real clock.
//
//   npm run soak -- --minutes 60 [--objects 150] [--pods 60] [--max-heap-growth-mib 24]
//
// For --minutes M: pods are registered, re-registered with other references
// and unregistered; secrets are updated, deleted and re-created; referenced
// secrets are read (every read checked: an object's resourceVersion never
// goes back); every --fault-seconds the server drops watches, expires
// resumes (410), sheds load (429, 500, 503), delays answers or restarts.
// Every --sample-seconds a line shows memory (after a full GC), handles and
// traffic (sockets: every TCP socket of the process: the manager's HTTP/2
// connections, the server's side of them, and the client-node writer's). Then churn and faults stop and the run fails (exit 1) on:
// - a lost update: some referenced secret still differs from the server's
//   state 75 s after the faults stopped (2 x the 30 s backoff cap + a list);
// - a read that went back in time, or an unhandled rejection;
// - heap growth from the end of warm-up (a quarter of the run, at least
//   15 s) to the end of churn above --max-heap-growth-mib;
// - a socket, server or timer still open after everything is closed.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CoreV1Api } from '@kubernetes/client-node';
import { startApiServer } from '../src/apiserver/index.ts';
import { createClient, isNotFound, newWatchingSecretManager } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    objects: { type: 'string', default: '150' },
    pods: { type: 'string', default: '60' },
    'sample-seconds': { type: 'string' },
    'fault-seconds': { type: 'string', default: '5' },
    'max-heap-growth-mib': { type: 'string', default: '10' },
  },
  strict: true,
});

function number(name: keyof typeof values, min: number): number {
  const raw = values[name];
  const n = Number(raw);
  if (raw === undefined || !Number.isFinite(n) || n < min) {
    console.error(`soak: --${name} must be a number >= ${min}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

const durationMs = number('minutes', 0.1) * 60_000;
const objectCount = Math.floor(number('objects', 1));
const podLimit = Math.floor(number('pods', 1));
const faultEveryMs = number('fault-seconds', 1) * 1000;
const maxHeapGrowthMiB = number('max-heap-growth-mib', 1);
const sampleEveryMs = values['sample-seconds'] === undefined ? Math.max(5_000, Math.min(60_000, durationMs / 12)) : number('sample-seconds', 1) * 1000;
const warmUpMs = Math.max(15_000, durationMs / 4);
const convergeDeadlineMs = 75_000;
const ns = 'soak';
const MiB = 2 ** 20;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const failures: string[] = [];
let unhandled = 0;
process.on('unhandledRejection', (reason) => {
  unhandled++;
  if (unhandled <= 3) console.error('soak: unhandled rejection:', reason instanceof Error ? reason.message : String(reason));
});

const random = (n: number): number => Math.floor(Math.random() * n);
const pick = <T>(items: readonly T[]): T | undefined => items[random(items.length)];
const secretName = (i: number): string => `s-${String(i).padStart(4, '0')}`;
const resourceCounts = (): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
};

const server = await startApiServer({ historySize: 2_000 });
const kc = server.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
await core.createNamespace({ body: { metadata: { name: ns } } });
for (let i = 0; i < objectCount; i++) await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: secretName(i) }, stringData: { v: '0' } } });

const client = createClient(kc);
const controller = new AbortController();
let watchErrors = 0;
const secrets = newWatchingSecretManager(client, 60_000, { signal: controller.signal, onError: () => watchErrors++ });

/** Registered pods: name to referenced secret names (some never exist). */
const pods = new Map<string, string[]>();
let podSeq = 0;
const highestRv = new Map<string, bigint>();
const stats = { writes: 0, reads: 0, readErrors: 0, registrations: 0, wentBack: 0 };
let fault = '-';

function podObject(name: string, refs: string[]): Parameters<typeof secrets.registerPod>[0] {
  return { metadata: { namespace: ns, name, uid: `uid-${name}` }, spec: { containers: [], volumes: refs.map((r, i) => ({ name: `v${i}`, secret: { secretName: r } })) } };
}

function randomRefs(): string[] {
  const refs = Array.from({ length: 2 + random(5) }, () => secretName(random(objectCount)));
  if (random(5) === 0) refs.push(`missing-${random(10)}`);
  return refs;
}

async function podWorker(until: number): Promise<void> {
  while (Date.now() < until) {
    const names = [...pods.keys()];
    const roll = random(10);
    if (names.length < podLimit && roll < 4) {
      const name = `pod-${podSeq++}`;
      const refs = randomRefs();
      secrets.registerPod(podObject(name, refs));
      pods.set(name, refs);
    } else if (roll < 7 && names.length > 0) {
      const name = pick(names) ?? '';
      const refs = randomRefs();
      secrets.registerPod(podObject(name, refs));
      pods.set(name, refs);
    } else if (names.length > 0) {
      const name = pick(names) ?? '';
      secrets.unregisterPod(podObject(name, []));
      pods.delete(name);
    }
    stats.registrations++;
    await sleep(50);
  }
}

async function writeWorker(until: number): Promise<void> {
  while (Date.now() < until) {
    const name = secretName(random(objectCount));
    try {
      if (random(20) === 0) {
        await core.deleteNamespacedSecret({ namespace: ns, name });
        await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name }, stringData: { v: 'recreated' } } });
      } else {
        await core.replaceNamespacedSecret({ namespace: ns, name, body: { metadata: { name }, stringData: { v: String(stats.writes) } } });
      }
      stats.writes++;
    } catch {
      // Injected faults may hit writes too; the next write goes on.
    }
    await sleep(40);
  }
}

async function read(name: string): Promise<{ rv: string }> {
  const secret = await secrets.getSecret(ns, name);
  const rv = BigInt(secret.metadata?.resourceVersion ?? '-1');
  const prev = highestRv.get(name);
  if (prev !== undefined && rv < prev) {
    stats.wentBack++;
    if (stats.wentBack <= 3) console.error(`soak: get("${name}") went back from resourceVersion ${prev} to ${rv}`);
  }
  if (prev === undefined || rv > prev) highestRv.set(name, rv);
  return { rv: String(rv) };
}

async function readWorker(until: number): Promise<void> {
  while (Date.now() < until) {
    const name = pick(pick([...pods.values()]) ?? []);
    if (name !== undefined) {
      try {
        await read(name);
        stats.reads++;
      } catch {
        stats.readErrors++; // NotFound, or no first sync yet while the server fails
      }
    }
    await sleep(10);
  }
}

const faults: [string, () => Promise<void> | void][] = [
  ['drop', () => void server.faults.dropWatches()],
  ['reset', () => void server.faults.dropWatches({ abort: true })],
  ['410', () => {
    server.faults.compactHistory();
    server.faults.dropWatches({ abort: true });
  }],
  ['429', () => {
    server.faults.failNext(30, 429, { verb: 'list', resource: 'secrets', retryAfterSeconds: 1 });
    server.faults.failNext(30, 429, { verb: 'watch', resource: 'secrets', retryAfterSeconds: 1 });
    server.faults.dropWatches({ abort: true });
  }],
  ['5xx', () => {
    server.faults.failNext(20, 503, { verb: 'list', resource: 'secrets' });
    server.faults.failNext(20, 500, { verb: 'watch', resource: 'secrets' });
    server.faults.dropWatches({ abort: true });
  }],
  ['restart', () => server.faults.restart({ compactHistory: random(2) === 0 })],
  ['delay', async () => {
    server.faults.setDelay(300);
    await sleep(2_000);
    server.faults.setDelay(0);
  }],
];

async function faultWorker(until: number): Promise<void> {
  for (let i = 0; Date.now() + faultEveryMs < until; i++) {
    await sleep(faultEveryMs);
    const [name, inject] = faults[i % faults.length] ?? ['-', () => undefined];
    fault = name;
    await inject();
  }
  server.faults.clear();
}

interface Sample { t: number; heapMiB: number }
const samples: Sample[] = [];
const start = Date.now();
let lastRequests = 0;
let lastSampleAt = start;

function sample(): Sample {
  gc();
  const mem = process.memoryUsage();
  const m = server.metrics();
  const requests = Object.values(m.requests).reduce((a, b) => a + b, 0);
  const now = Date.now();
  const rate = (requests - lastRequests) / ((now - lastSampleAt) / 1000 || 1);
  lastRequests = requests;
  lastSampleAt = now;
  const res = resourceCounts();
  const s = { t: (now - start) / 1000, heapMiB: mem.heapUsed / MiB };
  const row = [
    s.t.toFixed(0).padStart(6),
    s.heapMiB.toFixed(1).padStart(7),
    (mem.rss / MiB).toFixed(0).padStart(5),
    String((res['TCPSocketWrap'] ?? 0) + (res['TLSWrap'] ?? 0)).padStart(7),
    String(res['Timeout'] ?? 0).padStart(6),
    String(pods.size).padStart(5),
    String(secrets.entries().length).padStart(5),
    String(m.activeWatches).padStart(7),
    String(client.stats().connections).padStart(5),
    rate.toFixed(0).padStart(6),
    String(stats.writes).padStart(7),
    String(stats.reads).padStart(7),
    String(watchErrors).padStart(6),
    fault.padStart(7),
  ];
  console.log(row.join(' '));
  fault = '-';
  samples.push(s);
  return s;
}

console.log(`soak: ${(durationMs / 60_000).toFixed(2)} min of churn on ${objectCount} secrets, up to ${podLimit} pods, a fault every ${faultEveryMs / 1000} s; warm-up ${(warmUpMs / 1000).toFixed(0)} s; heap growth bound ${maxHeapGrowthMiB} MiB`);
console.log('     t  heapMiB rssMiB sockets timers  pods objs watches conns  req/s  writes   reads  errs   fault');
const baseline = sample();
const until = start + durationMs;
const sampler = setInterval(sample, sampleEveryMs);
let warmSample: Sample | undefined;
const warmTimer = setTimeout(() => {
  fault = 'warm';
  warmSample = sample();
}, warmUpMs);
await Promise.all([podWorker(until), writeWorker(until), readWorker(until), faultWorker(until)]);
clearInterval(sampler);
clearTimeout(warmTimer);
server.faults.clear();
const endSample = sample();

// No lost update: every referenced secret converges to the server's state.
const convergeStart = Date.now();
let lost: string[];
for (;;) {
  lost = [];
  const referenced = new Set([...pods.values()].flat());
  for (const name of referenced) {
    const truth = await core.readNamespacedSecret({ namespace: ns, name }).then(
      (s) => s.metadata?.resourceVersion,
      () => undefined,
    );
    const held = await read(name).then(
      (r) => r.rv,
      (err: unknown) => (isNotFound(err) ? undefined : 'error'),
    );
    if (held !== truth) lost.push(`${name}: held ${held ?? 'none'}, server ${truth ?? 'none'}`);
  }
  if (lost.length === 0 || Date.now() - convergeStart > convergeDeadlineMs) break;
  await sleep(500);
}
const convergedMs = Date.now() - convergeStart;
if (lost.length > 0) failures.push(`lost updates: ${lost.length} secrets differ from the server ${convergeDeadlineMs / 1000} s after the faults stopped, e.g. ${lost.slice(0, 5).join('; ')}`);
else console.log(`soak: every referenced secret (${new Set([...pods.values()].flat()).size}) matches the server ${(convergedMs / 1000).toFixed(1)} s after the faults stopped`);

if (stats.wentBack > 0) failures.push(`${stats.wentBack} reads went back to an older resourceVersion`);
if (warmSample !== undefined) {
  const growth = endSample.heapMiB - warmSample.heapMiB;
  console.log(`soak: heap ${baseline.heapMiB.toFixed(1)} MiB at start, ${warmSample.heapMiB.toFixed(1)} after warm-up, ${endSample.heapMiB.toFixed(1)} at the end (growth ${growth.toFixed(1)} MiB, bound ${maxHeapGrowthMiB})`);
  if (growth > maxHeapGrowthMiB) failures.push(`heap grew ${growth.toFixed(1)} MiB after warm-up (bound ${maxHeapGrowthMiB} MiB)`);
}

// Everything closed: no watch, socket, server or timer left.
for (const name of [...pods.keys()]) secrets.unregisterPod(podObject(name, []));
pods.clear();
if (secrets.entries().length > 0) failures.push(`${secrets.entries().length} entries left after unregistering every pod`);
const closeBy = Date.now() + 10_000;
while (server.metrics().activeWatches > 0 && Date.now() < closeBy) await sleep(50);
if (server.metrics().activeWatches > 0) failures.push(`${server.metrics().activeWatches} watches still open on the server after unregistering every pod`);
controller.abort();
await client.close();
await server.close();
await sleep(100);
await new Promise<void>((resolve) => setImmediate(resolve));
const left = resourceCounts();
const leftOver = ['TCPSocketWrap', 'TCPServerWrap', 'TLSWrap', 'Timeout', 'Http2Session'].filter((type) => (left[type] ?? 0) > 0);
console.log(`soak: after closing: ${JSON.stringify(left)}; stats ${JSON.stringify({ ...stats, watchErrors, unhandled })}`);
if (leftOver.length > 0) failures.push(`handles left after closing everything: ${leftOver.map((t) => `${t} x${left[t] ?? 0}`).join(', ')}`);
if (unhandled > 0) failures.push(`${unhandled} unhandled rejections`);
if (stats.reads === 0 || stats.writes === 0) failures.push('no churn happened');

if (failures.length > 0) {
  for (const failure of failures) console.error(`soak: FAIL ${failure}`);
  process.exit(1);
}
console.log('soak: OK');
