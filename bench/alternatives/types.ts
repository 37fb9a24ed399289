import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Memory } from '../measure.ts';

/** The strategies compared, ours first, the peers next, our other two strategies and the floor last. */
export const alternativeNames = ['watch', 'kubelet', 'ns-informer', 'informer', 'fluent', 'simple', 'ttl', 'floor'] as const;
export type AlternativeName = (typeof alternativeNames)[number];

export const alternativeLabels: Record<AlternativeName, string> = {
  watch: 'watch (ours)',
  kubelet: "kubelet's Go watching manager",
  'ns-informer': 'client-node informer/namespace',
  informer: 'client-node informer/object',
  fluent: 'kubernetes-fluent-client Watch/object',
  simple: 'GET per access (ours, simple)',
  ttl: 'TTL cache (ours, caching)',
  floor: 'floor: bare node:http2 stream/watch',
};

/** The peers the watching manager is divided by in the `ours / X` columns. */
export const comparedWith: readonly AlternativeName[] = ['kubelet', 'ns-informer', 'informer', 'fluent', 'floor'];

/** What every strategy offers the scenario: pod registration, reads, and what it costs. */
export interface Alternative {
  readonly name: AlternativeName;
  registerPod(pod: V1Pod): void;
  unregisterPod(pod: V1Pod): void;
  /** The secret as the strategy serves it now (informer: undefined until its cache holds it). */
  get(namespace: string, name: string): Promise<V1Secret | undefined>;
  /** A synchronous read where the strategy's API has one (client-node's ObjectCache.get). */
  readonly getSync?: (namespace: string, name: string) => V1Secret | undefined;
  /** Resolves when get() serves the object; rejects on failure. */
  waitReadable(namespace: string, name: string): Promise<void>;
  /** API requests issued so far, by verb. */
  requests(): Record<string, number>;
  /** The client's own connection counts, when it keeps any. */
  clientStats(): { http2Connections: number; http1Sockets: number; streams: number } | null;
  /** Watch requests answered and still open (null: the strategy does not watch). */
  watchesOpen(): number | null;
  /** How many watches serve `objects` objects once all are open (default: one per object). */
  expectedWatches?(objects: number): number;
  /** Requests in flight or open (lists, watches), for waiting until unregistering has settled; null: none kept. */
  busy(): number | null;
  /** Errors the strategy reported on its own (informer 'error' events), by message. */
  errors(): Record<string, number>;
  close(): Promise<void>;
  /** Memory of the process that holds the cache, when that is not this one (the Go peer); else this process's after GC. */
  memory?(): Promise<Memory>;
  /** The pid holding the connections to the server, when not this process. */
  readonly pid?: number;
  /** Whether the strategy serves `marker` (the base64 `data.v`) for `name` now; by default read through get(). */
  holds?(name: string, marker: string): Promise<boolean>;
  /** Why get() latency is not timed (a read that crosses a process boundary is not a cached read). */
  readonly untimedGets?: string;
}
