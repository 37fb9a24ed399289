import { parseArgs } from 'node:util';
import { CoreV1Api, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { startApiServer } from '../apiserver/index.ts';
import { createClient, type KubeClient } from '../client/index.ts';
import {
  newCachingConfigMapManager,
  newCachingSecretManager,
  newSimpleConfigMapManager,
  newSimpleSecretManager,
  newWatchingConfigMapManager,
  newWatchingSecretManager,
} from '../kubelet/managers.ts';
import { getConfigMapNames, getSecretNames } from '../kubelet/pod-references.ts';
import { getObjectTTLFromNodeFunc } from '../manager/node-ttl.ts';
import { realClock } from '../util/clock.ts';
import { sleep } from '../util/sleep.ts';
import { countingClient, type RequestCounts } from './counting-client.ts';
import { demoNamespace, demoNode, demoObjects } from './demo-fixtures.ts';
import { CliError, type Io } from './io.ts';
import { heapUsedAfterGc } from './heap.ts';
import { numberOption } from './options.ts';
import { describeStrategy, type StrategyName } from './strategy.ts';
import { Samples, formatBytes, formatMs, renderTable } from './stats.ts';

const usage = `Usage: kom demo [options]

Starts the embedded API server, creates a node and pods that reference
secrets and configmaps in every way a pod can, and runs the three strategies
side by side while secrets and configmaps change: simple (a GET per access),
caching (a TTL cache) and watching (a watch per object).

Options:
  --pods N          pods to create (default 200)
  --duration S      seconds of updates (default 15)
  --rate N          updates per second (default 10)
  --ttl S           the node's TTL annotation for the caching strategy (default 5)
  --output FORMAT   table (default) or json
  -h, --help        this help`;

type Kind = 'secret' | 'configmap';
type Read = (kind: Kind, namespace: string, name: string) => Promise<KubernetesObject>;

interface Strategy {
  name: StrategyName;
  kube: KubeClient;
  counts: RequestCounts;
  read: Read;
  register(pod: V1Pod): void;
  latency: Samples;
  missed: number;
  reads: number;
  stop(): void;
}


/** `kom demo`: the three strategies side by side on the embedded API server. */
export async function runDemo(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      pods: { type: 'string' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      ttl: { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    io.out(usage);
    return 0;
  }
  const podCount = numberOption(values.pods, 'pods', 200, 1, 5_000, 'integer');
  const durationS = numberOption(values.duration, 'duration', 15, 1, 3_600, 'integer');
  const rate = numberOption(values.rate, 'rate', 10, 1, 1_000, 'integer');
  const ttlS = numberOption(values.ttl, 'ttl', 5, 0, 3_600, 'integer');
  const output = values.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw new CliError(`--output must be table or json, got ${JSON.stringify(output)}`);

  const server = await startApiServer();
  const strategies: Strategy[] = [];
  try {
    const kc = server.kubeConfig();
    const writer = kc.makeApiClient(CoreV1Api);
    const fixtures = demoObjects(podCount);
    io.err(`kom demo: embedded API server at ${server.url}; creating ${fixtures.secrets.length} secrets, ${fixtures.configMaps.length} configmaps, ${podCount} pods`);
    await writer.createNamespace({ body: { metadata: { name: demoNamespace } } });
    const node = await writer.createNode({ body: { metadata: { name: demoNode, annotations: { 'node.alpha.kubernetes.io/ttl': String(ttlS) } } } });
    await inBatches(fixtures.secrets, (body) => writer.createNamespacedSecret({ namespace: demoNamespace, body }));
    await inBatches(fixtures.configMaps, (body) => writer.createNamespacedConfigMap({ namespace: demoNamespace, body }));
    await inBatches(fixtures.pods, (body) => writer.createNamespacedPod({ namespace: demoNamespace, body }));
    // What a node agent does: the pods bound to its node.
    const pods = (await writer.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${demoNode}` })).items;

    const getTTL = getObjectTTLFromNodeFunc(() => node);
    for (const name of ['simple', 'caching', 'watching'] as const) {
      const kube = createClient(kc);
      const { client, counts } = countingClient(kube);
      const controller = new AbortController();
      const watchOptions = { signal: controller.signal };
      const [secrets, configMaps] =
        name === 'simple'
          ? [newSimpleSecretManager(client), newSimpleConfigMapManager(client)]
          : name === 'caching'
            ? [newCachingSecretManager(client, getTTL), newCachingConfigMapManager(client, getTTL)]
            : [newWatchingSecretManager(client, 60_000, watchOptions), newWatchingConfigMapManager(client, 60_000, watchOptions)];
      strategies.push({
        name,
        kube,
        counts,
        read: (kind, ns, n) => (kind === 'secret' ? secrets.getSecret(ns, n) : configMaps.getConfigMap(ns, n)),
        register: (pod) => {
          secrets.registerPod(pod);
          configMaps.registerPod(pod);
        },
        latency: new Samples(),
        missed: 0,
        reads: 0,
        stop: () => controller.abort(),
      });
    }

    const refs = pods.flatMap((pod) => [
      ...[...getSecretNames(pod)].map((name) => ({ kind: 'secret' as const, name })),
      ...[...getConfigMapNames(pod)].map((name) => ({ kind: 'configmap' as const, name })),
    ]);
    const syncPods = (s: Strategy): Promise<unknown> =>
      Promise.all(
        refs.map((ref) => {
          s.reads++;
          return s.read(ref.kind, demoNamespace, ref.name).catch(() => undefined);
        }),
      );
    const readyMs: Record<string, number> = {};
    const heapBytes: Record<string, number> = {};
    for (const s of strategies) {
      const heapBefore = heapUsedAfterGc();
      const start = realClock.now();
      for (const pod of pods) s.register(pod);
      await syncPods(s);
      readyMs[s.name] = realClock.now() - start;
      // What the strategy holds once every object was read: caches, watches, connections.
      heapBytes[s.name] = Math.max(0, heapUsedAfterGc() - heapBefore);
    }
    io.err(`kom demo: ${pods.length} pods registered with each strategy (${refs.length} references); ${durationS} s of updates at ${rate}/s`);

    const mutable = [
      ...fixtures.secrets.filter((o) => o.immutable !== true).map((o) => ({ kind: 'secret' as const, name: o.metadata?.name ?? '' })),
      ...fixtures.configMaps.map((o) => ({ kind: 'configmap' as const, name: o.metadata?.name ?? '' })),
    ];
    const versions = new Map<string, number>();
    const probes: Promise<void>[] = [];
    const giveUpMs = ttlS * 1_000 + 5_000;
    let updates = 0;
    const started = realClock.now();
    const end = started + durationS * 1_000;
    let nextSync = started + 5_000;
    let nextProgress = started + 1_000;
    const interrupted = new AbortController();
    const onSignal = (): void => interrupted.abort();
    process.once('SIGINT', onSignal);
    try {
      while (realClock.now() < end && !interrupted.signal.aborted) {
        const target = mutable[Math.floor(Math.random() * mutable.length)];
        if (target !== undefined) {
          const version = (versions.get(target.name) ?? 0) + 1;
          versions.set(target.name, version);
          await write(writer, target.kind, target.name, version);
          updates++;
          const seenAt = realClock.now();
          for (const s of strategies) probes.push(probe(s, target.kind, target.name, version, seenAt, giveUpMs));
        }
        if (realClock.now() >= nextSync) {
          nextSync += 5_000;
          for (const s of strategies) probes.push(syncPods(s).then(() => undefined));
        }
        if (realClock.now() >= nextProgress) {
          nextProgress += 1_000;
          const t = Math.round((realClock.now() - started) / 1_000);
          io.err(`[${String(t).padStart(3)} s] updates ${updates} | ${strategies.map((s) => `${s.name} p50 ${formatMs(s.latency.percentile(50))}, ${s.counts.get + s.counts.list + s.counts.watch} req`).join(' | ')}`);
        }
        await sleep(realClock, 1_000 / rate, interrupted.signal);
      }
    } finally {
      process.removeListener('SIGINT', onSignal);
    }
    io.err('kom demo: waiting for the caches to see the last updates');
    await Promise.all(probes);

    const memory = process.memoryUsage();
    const rows = strategies.map((s) => {
      const stats = s.kube.stats();
      return {
        strategy: s.name,
        reads: s.reads,
        requests: { ...s.counts },
        openStreams: stats.streams,
        connections: stats.connections,
        readyMs: readyMs[s.name] ?? 0,
        heapBytes: heapBytes[s.name] ?? 0,
        updateToCacheMs: s.latency.summary(),
        missed: s.missed,
      };
    });
    const summary = {
      pods: pods.length,
      references: refs.length,
      objects: fixtures.secrets.length + fixtures.configMaps.length,
      updates,
      durationS: (realClock.now() - started) / 1_000,
      nodeTtlS: ttlS,
      strategies: rows,
      process: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
      server: server.metrics(),
    };
    if (output === 'json') {
      io.out(JSON.stringify(summary, null, 2));
    } else {
      io.out(
        renderTable(
          ['strategy', 'reads', 'GET', 'LIST', 'WATCH', 'open streams', 'connections', 'heap growth', 'ready', 'update->cache p50', 'p99', 'max', 'missed'],
          rows.map((r) => [
            r.strategy,
            String(r.reads),
            String(r.requests.get),
            String(r.requests.list),
            String(r.requests.watch),
            String(r.openStreams),
            String(r.connections),
            formatBytes(r.heapBytes),
            formatMs(r.readyMs),
            formatMs(r.updateToCacheMs.p50),
            formatMs(r.updateToCacheMs.p99),
            formatMs(r.updateToCacheMs.max),
            String(r.missed),
          ]),
        ),
      );
      io.out(
        `\n${summary.updates} updates to ${summary.objects} objects referenced ${summary.references} times by ${summary.pods} pods.` +
          `\nStrategies: ${rows.map((r) => describeStrategy(r.strategy)).join(', ')}; caching with the node's ${ttlS} s TTL.` +
          `\nheap growth: V8 heap after GC, from before a strategy's pods were registered to when each object was read once;` +
          `\n  it includes the embedded server's side of the strategy's watches (the server runs in this process).` +
          `\nProcess memory (all three strategies and the server): RSS ${formatBytes(memory.rss)}, heap ${formatBytes(memory.heapUsed)}.`,
      );
    }
    return 0;
  } finally {
    for (const s of strategies) s.stop();
    await Promise.all(strategies.map((s) => s.kube.close()));
    await server.close();
  }
}

async function inBatches<T>(items: T[], create: (item: T) => Promise<unknown>, size = 25): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(create));
}

function write(writer: CoreV1Api, kind: Kind, name: string, version: number): Promise<unknown> {
  const patch = [{ op: 'add', path: '/data/version', value: kind === 'secret' ? Buffer.from(String(version)).toString('base64') : String(version) }];
  return kind === 'secret'
    ? writer.patchNamespacedSecret({ namespace: demoNamespace, name, body: patch })
    : writer.patchNamespacedConfigMap({ namespace: demoNamespace, name, body: patch });
}

function versionOf(kind: Kind, object: KubernetesObject): number {
  const raw = (object as { data?: Record<string, string> }).data?.version ?? '0';
  return Number(kind === 'secret' ? Buffer.from(raw, 'base64').toString() : raw);
}

/** Reads until the strategy serves `version` (or a newer one); records how long after the write that was. */
async function probe(s: Strategy, kind: Kind, name: string, version: number, writtenAt: number, giveUpMs: number): Promise<void> {
  for (;;) {
    let seen = 0;
    try {
      seen = versionOf(kind, await s.read(kind, demoNamespace, name));
    } catch {
      // A failed read counts as not seen yet.
    }
    const now = realClock.now();
    if (seen >= version) {
      s.latency.add(now - writtenAt);
      return;
    }
    if (now - writtenAt > giveUpMs) {
      s.missed++;
      return;
    }
    await sleep(realClock, 1);
  }
}
