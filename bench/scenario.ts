// One (strategy, N) scenario in a process of its own (fresh heap, started by
// run.ts with --expose-gc): register pods referencing N secrets, wait until
// every secret is readable, then measure memory, connections, requests,
// cached reads, update propagation and register/unregister throughput. The
// result so far is sent to the parent after every phase, so a scenario that
// dies or times out still tells where.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { writeHeapSnapshot } from 'node:v8';
import type { V1Secret } from '@kubernetes/client-node';
import { createAlternative } from './alternatives/index.ts';
import { alternativeNames, type Alternative, type AlternativeName } from './alternatives/types.ts';
import { memoryAfterGc, openFds, summarize, tcpConnectionsTo, type Memory } from './measure.ts';
import { benchPods, refsPerPod } from './pods.ts';
import { benchNamespace, connectH2, encodeMarker, h2Request, readTarget, secretName, type Target } from './target.ts';
import type { ScenarioResult, ScenarioSettings } from './results.ts';

type Counts = Record<string, number>;

function diff(after: Counts, before: Counts): Counts {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  const ac = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, 'timeout' as const, { signal: ac.signal })]);
  } finally {
    ac.abort();
  }
}

function report(result: ScenarioResult): void {
  process.send?.({ type: 'progress', result });
}

/** Reads `name` as the strategy serves it now. */
function reader(alt: Alternative): (name: string) => Promise<V1Secret | undefined> | V1Secret | undefined {
  const sync = alt.getSync;
  return sync !== undefined ? (name) => sync(benchNamespace, name) : (name) => alt.get(benchNamespace, name);
}

async function phaseReady(alt: Alternative, result: ScenarioResult, settings: ScenarioSettings, start: number): Promise<string[]> {
  const pods = benchPods(result.n, 'pod');
  for (const pod of pods) alt.registerPod(pod);
  const names = Array.from({ length: result.n }, (_, i) => secretName(i));
  const readable: string[] = [];
  const failures: Counts = {};
  const all = Promise.all(
    names.map((name) =>
      alt.waitReadable(benchNamespace, name).then(
        () => void readable.push(name),
        (err: unknown) => void (failures[describe(err)] = (failures[describe(err)] ?? 0) + 1),
      ),
    ),
  );
  const outcome = await withDeadline(all, settings.readyTimeoutMs);
  const ms = performance.now() - start;
  result.ready = { pods: pods.length, ms: readable.length === result.n ? ms : null, readable: readable.length, timedOut: outcome === 'timeout', failures };
  if (readable.length < result.n) {
    result.failures.push(
      `ready: ${readable.length} of ${result.n} readable after ${(ms / 1000).toFixed(1)} s` +
        (outcome === 'timeout' ? ` (gave up at the ${settings.readyTimeoutMs / 1000} s bound)` : '') +
        (Object.keys(failures).length > 0 ? `; errors: ${JSON.stringify(failures)}` : ''),
    );
  }
  return readable.sort();
}

/** Waits (bounded) until the strategy holds a watch open for every readable object. */
async function phaseWatching(alt: Alternative, result: ScenarioResult, expected: number, startedAt: number, boundMs: number): Promise<void> {
  if (alt.watchesOpen() === null) return;
  for (;;) {
    const open = alt.watchesOpen() ?? 0;
    const elapsed = performance.now() - startedAt;
    if (open >= expected) {
      result.watching = { ms: elapsed, open };
      return;
    }
    if (elapsed > boundMs) {
      result.watching = { ms: null, open };
      result.failures.push(`watching: ${open} of ${expected} watches open after ${(elapsed / 1000).toFixed(1)} s`);
      return;
    }
    await sleep(5);
  }
}

async function phaseGets(alt: Alternative, names: string[], result: ScenarioResult, budgetMs: number): Promise<void> {
  if (names.length === 0) return;
  const read = reader(alt);
  const pick = (i: number): string => names[(i * 7919) % names.length] as string;
  const latencies: number[] = [];
  let end = performance.now() + budgetMs;
  for (let i = 0; i < 1_000_000 && performance.now() < end; i++) {
    const name = pick(i);
    const t = performance.now();
    const s = await read(name);
    latencies.push(performance.now() - t);
    if (s === undefined) throw new Error(`get ${name}: nothing cached`);
  }
  let calls = 0;
  const t0 = performance.now();
  end = t0 + budgetMs;
  while (performance.now() < end) {
    for (let j = 0; j < 100; j++) await read(pick(calls++));
  }
  const opsPerSec = calls / ((performance.now() - t0) / 1000);
  const s = summarize(latencies.map((ms) => ms * 1000));
  result.get = { timedCalls: s.count, p50Us: s.p50, p99Us: s.p99, maxUs: s.max, opsPerSec };
}

async function phaseUpdates(alt: Alternative, names: string[], target: Target, result: ScenarioResult, settings: ScenarioSettings): Promise<number> {
  const rate = Math.max(1, result.n / 100);
  const total = Math.min(names.length, Math.round(rate * settings.updateSeconds));
  const read = reader(alt);
  const writer = await connectH2(target);
  const writerPort = writer.socket.localPort ?? -1;
  const latencies: number[] = [];
  let missed = 0;
  let writerErrors = 0;
  const giveUpMs = settings.propagationTimeoutMs;
  const probes: Promise<void>[] = [];
  const order = names.map((n, i) => ({ n, k: (i * 2654435761) % 4294967296 })).sort((a, b) => a.k - b.k).map((x) => x.n);
  const update = async (i: number): Promise<void> => {
    const name = order[i % order.length] as string;
    // Unique per scenario: every strategy runs against the same server and objects.
    const marker = encodeMarker(`${result.alternative}-${process.pid}-u${i}`);
    const res = await h2Request(writer, target, 'PATCH', `/api/v1/namespaces/${benchNamespace}/secrets/${name}`, { data: { v: marker } }, 'application/merge-patch+json', giveUpMs).catch(() => ({ status: 0 }));
    if (res.status !== 200) {
      writerErrors++;
      return;
    }
    const t0 = performance.now();
    for (;;) {
      const holds = alt.holds !== undefined ? await alt.holds(name, marker) : (await read(name))?.data?.v === marker;
      const now = performance.now();
      if (holds) {
        latencies.push(now - t0);
        return;
      }
      if (now - t0 > giveUpMs) {
        missed++;
        return;
      }
      await nextTurn();
    }
  };
  const before = alt.requests();
  const start = performance.now();
  const intervalMs = 1000 / rate;
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    probes.push(update(i));
  }
  const windowMs = Math.max(performance.now() - start, intervalMs * total);
  await Promise.all(probes);
  const requests = diff(alt.requests(), before);
  const s = summarize(latencies);
  result.propagation = { rate, updates: total, windowS: windowMs / 1000, seen: s.count, missed, writerErrors, giveUpMs, p50Ms: s.p50, p99Ms: s.p99, maxMs: s.max };
  result.requests.duringUpdates = requests;
  result.requests.perSecondDuringUpdates = Object.values(requests).reduce((a, b) => a + b, 0) / (windowMs / 1000);
  if (missed > 0) result.failures.push(`updates: ${missed} of ${total} not seen within ${giveUpMs / 1000} s`);
  result.connections.afterUpdates = tcpConnectionsTo(target.port, new Set([writerPort]), alt.pid ?? 'self');
  writer.close();
  return writerPort;
}

/** Waits (bounded) until the strategy has no request in flight or open; answers what is left. */
async function waitSettled(alt: Alternative, boundMs: number): Promise<{ ms: number; left: number | null }> {
  const start = performance.now();
  for (;;) {
    const left = alt.busy();
    const elapsed = performance.now() - start;
    if ((left ?? 0) === 0 || elapsed > boundMs) return { ms: elapsed, left };
    await sleep(20);
  }
}

async function phaseRegister(alt: Alternative, target: Target, result: ScenarioResult, settings: ScenarioSettings, excluded: Set<number>): Promise<void> {
  for (const pod of benchPods(result.n, 'pod')) alt.unregisterPod(pod);
  await waitSettled(alt, 5_000);
  const pods = benchPods(Math.min(result.n, 100 * refsPerPod), 'reg');
  const before = alt.requests();
  let rounds = 0;
  const start = performance.now();
  do {
    for (const pod of pods) alt.registerPod(pod);
    await nextTurn();
    for (const pod of pods) alt.unregisterPod(pod);
    await nextTurn();
    rounds++;
  } while (performance.now() - start < settings.registerBudgetMs);
  const elapsed = performance.now() - start;
  const settled = await waitSettled(alt, 5_000);
  const requests = diff(alt.requests(), before);
  result.register = {
    podsPerRound: pods.length,
    refsPerPod,
    rounds,
    podOpsPerSec: (pods.length * rounds) / (elapsed / 1000),
    requests,
    settleMs: settled.ms,
    left: settled.left,
    connectionsLeft: tcpConnectionsTo(target.port, excluded, alt.pid ?? 'self'),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      alternative: { type: 'string' }, n: { type: 'string' }, kubeconfig: { type: 'string' }, settings: { type: 'string' }, 'heap-snapshot': { type: 'string' },
      server: { type: 'string' }, crowd: { type: 'string' },
    },
  });
  const name = values.alternative as AlternativeName;
  if (!alternativeNames.includes(name)) throw new TypeError(`--alternative must be one of ${alternativeNames.join(', ')}`);
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 1) throw new TypeError('--n must be a positive integer');
  const settings = JSON.parse(values.settings ?? '') as ScenarioSettings;
  const target = readTarget(values.kubeconfig ?? '');
  const started = performance.now();
  const server = values.server === 'kube' ? 'kube' : 'embedded';
  const crowd = Number(values.crowd ?? '1');
  const result: ScenarioResult = {
    alternative: name, n, server, crowd, phase: 'setup', failures: [], ready: null, watching: null, memory: null, connections: { atReady: null, afterUpdates: null, client: null, fds: null },
    requests: { toReady: null, duringUpdates: null, perSecondDuringUpdates: null, total: null }, get: null, propagation: null, register: null, errors: {}, durationMs: 0,
  };
  try {
    const commit = execFileSync('git', ['log', '-1', '--format=%h', '--', 'src'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !== '';
    result.source = `${commit}${dirty ? '+dirty' : ''}`;
  } catch {
    // not a git checkout
  }
  const alt = await createAlternative(name, target.kubeconfigPath, { ttlMs: settings.ttlMs, syncTimeoutMs: settings.readyTimeoutMs });
  const memory = (): Promise<Memory> => alt.memory?.() ?? memoryAfterGc();
  const pid = alt.pid ?? 'self';
  const baseline = await memory();
  const phase = (p: string): void => {
    result.phase = p;
    result.errors = alt.errors();
    result.durationMs = performance.now() - started;
    report(result);
  };
  phase('ready');
  const registeredAt = performance.now();
  const names = await phaseReady(alt, result, settings, registeredAt);
  phase('watching');
  await phaseWatching(alt, result, alt.expectedWatches?.(names.length) ?? names.length, registeredAt, settings.readyTimeoutMs);
  const atReady = await memory();
  result.memory = {
    baseline, atReady,
    heapPerObject: (atReady.heapUsed - baseline.heapUsed) / n,
    rssPerObject: (atReady.rss - baseline.rss) / n,
    externalPerObject: (atReady.external - baseline.external) / n,
  };
  result.connections.atReady = tcpConnectionsTo(target.port, new Set(), pid);
  result.connections.client = alt.clientStats();
  result.connections.fds = openFds(pid);
  result.requests.toReady = alt.requests();
  if (values['heap-snapshot'] !== undefined) writeHeapSnapshot(values['heap-snapshot']);
  phase('get');
  if (alt.untimedGets === undefined) await phaseGets(alt, names, result, settings.getBudgetMs);
  else result.untimedGets = alt.untimedGets;
  phase('updates');
  const writerPort = await phaseUpdates(alt, names, target, result, settings);
  phase('register');
  await phaseRegister(alt, target, result, settings, new Set([writerPort]));
  result.requests.total = alt.requests();
  phase('close');
  await withDeadline(alt.close(), 5_000);
  phase('done');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.send?.({ type: 'crash', message: describe(err) });
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100);
  },
);
