import type { V1Pod, V1Secret } from '@kubernetes/client-node';

/** The strategies compared, ours first. */
export const alternativeNames = ['watch', 'informer', 'simple', 'ttl'] as const;
export type AlternativeName = (typeof alternativeNames)[number];

export const alternativeLabels: Record<AlternativeName, string> = {
  watch: 'watch (ours)',
  informer: 'client-node informer/object',
  simple: 'GET per access (ours, simple)',
  ttl: 'TTL cache (ours, caching)',
};

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
  /** Requests in flight or open (lists, watches), for waiting until unregistering has settled; null: none kept. */
  busy(): number | null;
  /** Errors the strategy reported on its own (informer 'error' events), by message. */
  errors(): Record<string, number>;
  close(): Promise<void>;
}
