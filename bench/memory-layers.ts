// Where the watching manager's memory per watched object goes: the same
// 10,000 single-object watches opened layer by layer, each layer in a fresh
// process (--expose-gc), heap and RSS measured after full GCs.
//
//   node bench/memory-layers.ts [--n 10000] [--heap-snapshots DIR]
//
// Layers: h2-data (node:http2 streams read with 'data' listeners: the floor),
// h2-iterator (the same streams read through their async iterator, as our
// client reads a watch body), client (createClient().watchObject, events
// iterated), manager (newWatchingSecretManager, what the bench measures),
// manager-shared-ca (the same, with a KubeConfig that hands out one CA Buffer
// for every request instead of a new one per credential read).
import { fork } from 'node:child_process';
import type { ClientHttp2Session } from 'node:http2';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { KubeConfig } from '@kubernetes/client-node';
import { createClient, newWatchingSecretManager } from '../src/index.ts';
import { memoryAfterGc, type Memory } from './measure.ts';
import { benchPods } from './pods.ts';
import { startServerProcess } from './server.ts';
import { benchNamespace, connectH2, readTarget, secretName, seedSecrets } from './target.ts';

const layers = ['h2-data', 'h2-iterator', 'client', 'manager', 'manager-shared-ca'] as const;
type Layer = (typeof layers)[number];

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
  if (layer === 'h2-data' || layer === 'h2-iterator') {
    const sessions: ClientHttp2Session[] = [];
    for (let i = 0; i < Math.ceil(n / 100); i++) sessions.push(await connectH2(target));
    let answered = 0;
    for (let i = 0; i < n; i++) {
      const stream = (sessions[Math.floor(i / 100)] as ClientHttp2Session).request({ ':path': query(secretName(i)), authorization: `Bearer ${target.token}`, accept: 'application/json' }, { endStream: true });
      stream.once('response', () => answered++);
      if (layer === 'h2-data') stream.on('data', () => undefined);
      else void (async () => { for await (const chunk of stream) void chunk; })().catch(() => undefined);
    }
    return () => answered === n;
  }
  const kc = layer === 'manager-shared-ca' ? new SharedCaKubeConfig() : new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const client = createClient(kc);
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

async function child(layer: Layer, n: number, kubeconfigPath: string, snapshotDir: string | undefined): Promise<void> {
  const before = await memoryAfterGc();
  const ready = await openLayer(layer, n, kubeconfigPath);
  const start = performance.now();
  while (!ready()) {
    if (performance.now() - start > 60_000) throw new Error(`${layer}: watches not open after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const after = await memoryAfterGc();
  if (snapshotDir !== undefined) writeHeapSnapshot(`${snapshotDir}/${layer}.heapsnapshot`);
  process.send?.({ before, after });
  process.exit(0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '10000' }, layer: { type: 'string' }, kubeconfig: { type: 'string' }, 'heap-snapshots': { type: 'string' } } });
  const n = Number(values.n);
  if (values.layer !== undefined) return child(values.layer as Layer, n, values.kubeconfig ?? '', values['heap-snapshots']);
  const server = await startServerProcess();
  try {
    await seedSecrets(server.target, n);
    console.log(`${n} single-object watches; bytes per watch after GC (heapUsed, external, rss)`);
    for (const layer of layers) {
      const proc = fork(import.meta.filename, ['--layer', layer, '--n', String(n), '--kubeconfig', server.target.kubeconfigPath, ...(values['heap-snapshots'] === undefined ? [] : ['--heap-snapshots', values['heap-snapshots']])], { execArgv: ['--expose-gc'] });
      const m = await new Promise<{ before: Memory; after: Memory }>((resolve, reject) => {
        proc.once('message', (msg) => resolve(msg as { before: Memory; after: Memory }));
        proc.once('exit', (code) => reject(new Error(`${layer} exited with ${String(code)}`)));
      });
      const per = (k: keyof Memory): string => String(Math.round((m.after[k] - m.before[k]) / n)).padStart(7);
      console.log(`  ${layer.padEnd(18)} heap ${per('heapUsed')} B   external ${per('external')} B   rss ${per('rss')} B`);
    }
  } finally {
    await server.stop();
  }
}

await main();
