// /metrics of kom agent, with prom-client: the Prometheus client library for
// Node.js (text exposition format, label handling, process metrics) rather
// than a hand-written formatter.
import type { KubernetesObject } from '@kubernetes/client-node';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Client, ResourceClient } from '../client/types.ts';
import type { ClientStats } from '../client/index.ts';
import type { AgentState, ObjectKind } from './agent-state.ts';
import { keepWatchList } from './counting-client.ts';

const states = ['pending', 'synced', 'missing', 'immutable', 'idle', 'error'] as const;
const kinds: readonly ObjectKind[] = ['Secret', 'ConfigMap'];

/** The agent's metrics; counters are fed by the agent as things happen, gauges are read at scrape time. */
export interface AgentMetrics {
  readonly registry: Registry;
  /** API requests sent, by resource (secrets, configmaps, pods, nodes) and verb (get, list, watch). */
  request(resource: string, verb: string): void;
  /** A watch (or list) that failed and is retried, by resource. */
  watchError(resource: string): void;
  /** The outcome of one read of a referenced object through its manager. */
  read(kind: ObjectKind, result: 'ok' | 'missing' | 'error'): void;
}

/** Builds the registry; `state` and `stats` are read on every scrape. */
export function newAgentMetrics(state: () => AgentState | undefined, stats: () => ClientStats): AgentMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'kom_agent_api_requests_total',
    help: 'API requests sent to the API server, by resource and verb.',
    labelNames: ['resource', 'verb'] as const,
    registers: [registry],
  });
  const watchErrors = new Counter({
    name: 'kom_agent_watch_errors_total',
    help: 'Lists and watches that failed and were retried, by resource.',
    labelNames: ['resource'] as const,
    registers: [registry],
  });
  const reads = new Counter({
    name: 'kom_agent_object_reads_total',
    help: 'Reads of referenced objects through the managers, by kind and result (ok, missing, error).',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'kom_agent_objects',
    help: 'Objects the registered pods reference, by kind and state.',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    collect() {
      const counts = new Map<string, number>();
      for (const object of state()?.objects() ?? []) counts.set(`${object.kind}/${object.state}`, (counts.get(`${object.kind}/${object.state}`) ?? 0) + 1);
      for (const kind of kinds) for (const s of states) this.set({ kind, state: s }, counts.get(`${kind}/${s}`) ?? 0);
    },
  });
  new Gauge({
    name: 'kom_agent_ignored_objects',
    help: 'Answers for referenced objects that were another object (another name or namespace) and were ignored: a broken or hostile server or proxy.',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const counts = new Map<string, number>();
      for (const object of state()?.objects() ?? []) counts.set(object.kind, (counts.get(object.kind) ?? 0) + (object.ignoredObjects ?? 0));
      for (const kind of kinds) this.set({ kind }, counts.get(kind) ?? 0);
    },
  });
  new Gauge({
    name: 'kom_agent_pods',
    help: 'Pods bound to the node and registered with the managers.',
    registers: [registry],
    collect() {
      this.set(state()?.podCount ?? 0);
    },
  });
  new Gauge({
    name: 'kom_agent_ready',
    help: '1 once the first pod list was applied and every object it references was read once.',
    registers: [registry],
    collect() {
      this.set(state()?.readiness().ready === true ? 1 : 0);
    },
  });
  new Gauge({
    name: 'kom_agent_client_connections',
    help: 'Open connections of the secrets and configmaps client (HTTP/2 connections and HTTP/1.1 sockets).',
    registers: [registry],
    collect() {
      this.set(stats().connections);
    },
  });
  new Gauge({
    name: 'kom_agent_client_streams',
    help: 'Requests and watches in flight on the secrets and configmaps client.',
    registers: [registry],
    collect() {
      this.set(stats().streams);
    },
  });
  return {
    registry,
    request: (resource, verb) => requests.inc({ resource, verb }),
    watchError: (resource) => watchErrors.inc({ resource }),
    read: (kind, result) => reads.inc({ kind, result }),
  };
}

/** Wraps a Client so that each get, list and watch it sends is counted in `metrics`. */
export function meteredClient(client: Client, metrics: AgentMetrics): Client {
  return {
    resource<T extends KubernetesObject = KubernetesObject>(resource: string): ResourceClient<T> {
      const inner = client.resource<T>(resource);
      return {
        groupResource: inner.groupResource,
        getObject: (namespace, name, options) => {
          metrics.request(resource, 'get');
          return inner.getObject(namespace, name, options);
        },
        listObject: (namespace, options, signal) => {
          metrics.request(resource, 'list');
          return inner.listObject(namespace, options, signal);
        },
        watchObject: keepWatchList(inner.watchObject, (namespace, options, signal) => {
          metrics.request(resource, 'watch');
          return inner.watchObject(namespace, options, signal);
        }),
      };
    },
    close: () => client.close(),
  };
}
