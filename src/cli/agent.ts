import { parseArgs } from 'node:util';
import { ApiException, CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { Reflector } from '../reflector/reflector.ts';
import { createClient } from '../client/index.ts';
import {
  newCachingConfigMapManager,
  newCachingSecretManager,
  newSimpleConfigMapManager,
  newSimpleSecretManager,
  newWatchingConfigMapManager,
  newWatchingSecretManager,
  type ConfigMapManager,
  type SecretManager,
} from '../kubelet/managers.ts';
import { getObjectTTLFromNodeFunc } from '../manager/node-ttl.ts';
import type { Client } from '../client/types.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { sleep } from '../util/sleep.ts';
import { parseListen, startAgentHttp, type AgentHttpServer } from './agent-http.ts';
import { loadKubeConfig, serverOf } from './kubeconfig.ts';
import { meteredClient, newAgentMetrics, type AgentMetrics } from './agent-metrics.ts';
import { nodePodSource } from './agent-pods.ts';
import { numberOption } from './options.ts';
import { AgentState } from './agent-state.ts';
import { describeStrategy, parseStrategy, type StrategyName } from './strategy.ts';
import { CliError, type Io } from './io.ts';

const usage = `Usage: kom agent --node NAME [options]

Does for one node what the kubelet's secret and configmap managers do: watches
the pods bound to the node (all namespaces, fieldSelector spec.nodeName=NAME),
registers each running pod with a secret manager and a configmap manager,
reads every object a pod references when the pod arrives and every --resync
seconds, and unregisters pods that are deleted or have Succeeded or Failed.

Options:
  --node NAME             the node whose pods to follow (required)
  --kubeconfig PATH       kubeconfig to use (default: $KUBECONFIG, ~/.kube/config,
                          then the in-cluster service account, as kubectl)
  --strategy S            how referenced objects are kept:
                            watching  a watch per object (the default); reads from memory
                            caching   a TTL cache: the node's node.alpha.kubernetes.io/ttl
                                      annotation (re-read every 60 s), else 60 s
                            simple    a GET per access
                          (kom 0.1's names watch, ttl and get are accepted too)
  --listen HOST:PORT      HTTP address (default 127.0.0.1:9464; port 0 = any free port)
  --resync S              seconds between re-reads of every referenced object
                          (default 60); also the watching managers' resync interval
                          (a watch not read for 5 x S stops until the next read)
  --startup-timeout S     give up when the first pod list fails for S seconds (default 10)
  -h, --help              this help

HTTP endpoints:
  /healthz   200 while the agent runs
  /readyz    200 once the first pod list is applied and every object it
             references has been read once (found, missing or failed); 503 before
  /metrics   Prometheus text: kom_agent_objects{kind,state}, kom_agent_pods,
             kom_agent_api_requests_total{resource,verb}, kom_agent_watch_errors_total,
             kom_agent_client_connections, kom_agent_client_streams, process metrics
  /objects   JSON: each referenced secret and configmap, its referring pods and its
             state (pending, synced, missing, immutable, idle, error); never its data

Progress goes to stderr. Once running, the agent retries failed lists and
watches with backoff until it gets SIGINT or SIGTERM, then closes everything.

Exit codes: 0 stopped by SIGINT/SIGTERM; 1 failed (kubeconfig unreadable, address
in use, first pod list failed for --startup-timeout); 2 bad usage.`;

const nodeNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;


interface AgentOptions {
  node: string;
  strategy: StrategyName;
  kubeconfig: string | undefined;
  listen: { host: string; port: number };
  resyncMs: number;
  startupTimeoutMs: number;
}

function parseOptions(args: string[]): AgentOptions | undefined {
  const { values } = parseArgs({
    args,
    options: {
      node: { type: 'string' },
      kubeconfig: { type: 'string' },
      strategy: { type: 'string' },
      listen: { type: 'string' },
      resync: { type: 'string' },
      'startup-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return undefined;
  const node = values.node;
  if (node === undefined) throw new CliError('--node NAME is required');
  if (node.length > 253 || !nodeNamePattern.test(node)) throw new CliError(`--node must be a node name (a DNS-1123 subdomain such as node-1), got ${JSON.stringify(node)}`);
  const strategy = parseStrategy(values.strategy ?? 'watching');
  const listen = parseListen(values.listen ?? '127.0.0.1:9464');
  if (typeof listen === 'string') throw new CliError(listen);
  if (values.kubeconfig === '') throw new CliError('--kubeconfig must be a path, got ""');
  return {
    node,
    strategy,
    kubeconfig: values.kubeconfig,
    listen,
    resyncMs: numberOption(values.resync, 'resync', 60, 1, 86_400, 'seconds') * 1_000,
    startupTimeoutMs: numberOption(values['startup-timeout'], 'startup-timeout', 10, 1, 3_600, 'seconds') * 1_000,
  };
}

/** The node, read at start and every minute, for the caching strategy; a failed read keeps the last one. */
function nodeReader(kc: KubeConfig, name: string, clock: Clock, signal: AbortSignal, metrics: AgentMetrics, io: Io): () => Promise<V1Node | undefined> {
  const api = kc.makeApiClient(CoreV1Api);
  let node: V1Node | undefined;
  let failing = false;
  const read = async (): Promise<void> => {
    metrics.request('nodes', 'get');
    try {
      node = await api.readNode({ name });
      failing = false;
    } catch (err) {
      if (!failing) io.err(`kom agent: cannot read node "${name}" (${err instanceof ApiException ? `HTTP ${err.code}` : err instanceof Error ? err.message : String(err)}); the TTL stays ${node === undefined ? 'the default 60 s' : 'as last read'}`);
      failing = true;
    }
  };
  const first = read();
  void (async () => {
    await first;
    while (await sleep(clock, 60_000, signal)) await read();
  })();
  return async () => {
    await first;
    return node;
  };
}

function newManagers(strategy: StrategyName, client: Client, kc: KubeConfig, options: AgentOptions, signal: AbortSignal, metrics: AgentMetrics, io: Io): { secrets: SecretManager; configMaps: ConfigMapManager } {
  switch (strategy) {
    case 'simple':
      return { secrets: newSimpleSecretManager(client), configMaps: newSimpleConfigMapManager(client) };
    case 'caching': {
      const getTTL = getObjectTTLFromNodeFunc(nodeReader(kc, options.node, realClock, signal, metrics, io));
      // The agent re-registers a pod on every update of it (status changes
      // included): only newly referenced objects are fetched, as the kubelet
      // does since v1.29.
      const ttlOptions = { refreshOnReRegister: false };
      return { secrets: newCachingSecretManager(client, getTTL, ttlOptions), configMaps: newCachingConfigMapManager(client, getTTL, ttlOptions) };
    }
    case 'watching':
      return {
        secrets: newWatchingSecretManager(client, options.resyncMs, { signal, onError: () => metrics.watchError('secrets') }),
        configMaps: newWatchingConfigMapManager(client, options.resyncMs, { signal, onError: () => metrics.watchError('configmaps') }),
      };
  }
}

/** Aborts `stop` on the first SIGINT or SIGTERM; answers a function that removes the listeners (a second signal then ends the process as usual). */
function onStopSignal(stop: AbortController): () => void {
  const handler = (): void => stop.abort();
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** `kom agent --node NAME ...`: the managers of one node, observable over HTTP, until SIGINT/SIGTERM. */
export async function runAgent(args: string[], io: Io): Promise<number> {
  const options = parseOptions(args);
  if (options === undefined) {
    io.out(usage);
    return 0;
  }
  const kc = loadKubeConfig(options.kubeconfig);
  const stop = new AbortController();
  const disposeSignals = onStopSignal(stop);
  const kube = createClient(kc);
  let state: AgentState | undefined;
  const metrics = newAgentMetrics(() => state, () => kube.stats());
  const client = meteredClient(kube, metrics);
  let http: AgentHttpServer | undefined;
  let reflecting: Promise<void> | undefined;
  try {
    const { secrets, configMaps } = newManagers(options.strategy, client, kc, options, stop.signal, metrics, io);
    const agentState = new AgentState(secrets, configMaps, {
      podAdded: (pod, s, c) => io.err(`kom agent: pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} registered (${s} secret${s === 1 ? '' : 's'}, ${c} configmap${c === 1 ? '' : 's'})`),
      podRemoved: (pod, why) => io.err(`kom agent: pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} unregistered (${why})`),
      podRejected: (pod, err) =>
        io.err(`kom agent: pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} not registered: ${err instanceof Error ? err.message : String(err)}`),
      read: (kind, result) => metrics.read(kind, result),
    });
    state = agentState;
    try {
      http = await startAgentHttp(options.listen, {
        readiness: () => agentState.readiness(),
        objects: () => ({ node: options.node, strategy: options.strategy, ready: agentState.readiness().ready, pods: agentState.podCount, objects: agentState.objects() }),
        metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
      });
    } catch (err) {
      io.err(`kom agent: cannot listen on ${options.listen.host}:${options.listen.port}: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
    io.err(`kom agent: serving on ${http.url} (/healthz /readyz /metrics /objects)`);
    io.err(`kom agent: node "${options.node}", strategy ${describeStrategy(options.strategy)}, API server ${serverOf(kc)}`);

    let lastError = '';
    const reflector = new Reflector({
      name: `pods on node "${options.node}"`,
      ...nodePodSource(client, options.node),
      store: agentState,
      onError: (error) => {
        lastError = error.cause instanceof Error ? error.cause.message : error.message;
        metrics.watchError('pods');
        io.err(`kom agent: ${error.message}; retrying`);
      },
    });
    reflecting = reflector.run(stop.signal);

    // A bounded wait for the first list: a wrong server or credentials end here.
    const listed = new AbortController();
    const timedOut = await Promise.race([
      agentState.listed.then(() => false),
      sleep(realClock, options.startupTimeoutMs, AbortSignal.any([stop.signal, listed.signal])),
    ]);
    listed.abort();
    if (timedOut) {
      io.err(`kom agent: cannot list the pods of node "${options.node}" from ${serverOf(kc)} within ${options.startupTimeoutMs / 1_000} s: ${lastError || 'no answer'}`);
      return 1;
    }
    if (!stop.signal.aborted) {
      io.err(`kom agent: ${agentState.podCount} pod${agentState.podCount === 1 ? '' : 's'} on node "${options.node}"; watching`);
      const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
      while (await sleep(realClock, options.resyncMs, stop.signal)) await Promise.race([agentState.resync(), stopped]);
    }
    io.err('kom agent: stopping');
    await shutdown();
    io.err('kom agent: stopped');
    return 0;
  } finally {
    await shutdown();
  }

  async function shutdown(): Promise<void> {
    disposeSignals();
    stop.abort();
    await reflecting;
    await http?.close();
    await kube.close();
  }
}
