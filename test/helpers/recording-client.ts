import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClientStats, KubeClient, ListOptions, ResourceClient, WatchEvent } from '../../src/index.ts';

/** One watch event as it crossed the client: never the object's data. */
export interface SeenEvent {
  resource: string;
  type: WatchEvent['type'];
  name: string | undefined;
  resourceVersion: string | undefined;
  annotations: Record<string, string> | undefined;
}

/** A request the client was asked to send. */
export interface SeenRequest {
  verb: 'get' | 'list' | 'watch';
  resource: string;
  namespace: string;
  /** The object's name, for a get. */
  name?: string;
  options: ListOptions;
}

/**
 * A KubeClient that passes every request to a real one and records it: the
 * requests by verb, the watch events that arrived, and the options each list
 * and watch asked for. `holdWatches()` makes new watches wait (before any
 * request is sent) until the returned release function is called, so a test
 * can change the server while no watch is open.
 */
export class RecordingClient implements KubeClient {
  readonly requests: SeenRequest[] = [];
  readonly events: SeenEvent[] = [];
  /** Watches waiting for holdWatches() to be released. */
  waitingWatches = 0;
  readonly #inner: KubeClient;
  #gate: Promise<void> | undefined;

  constructor(inner: KubeClient) {
    this.#inner = inner;
  }

  /** Requests of one verb (and resource, when given). */
  count(verb: SeenRequest['verb'], resource?: string): number {
    return this.requests.filter((r) => r.verb === verb && (resource === undefined || r.resource === resource)).length;
  }

  holdWatches(): () => void {
    let release = (): void => undefined;
    this.#gate = new Promise<void>((resolve) => {
      release = () => {
        this.#gate = undefined;
        resolve();
      };
    });
    return release;
  }

  resource<T extends KubernetesObject = KubernetesObject>(resource: string): ResourceClient<T> {
    const inner = this.#inner.resource<T>(resource);
    const seen = (verb: SeenRequest['verb'], namespace: string, options: ListOptions, name?: string): void => {
      this.requests.push({ verb, resource, namespace, ...(name !== undefined && { name }), options: { ...options } });
    };
    const record = (event: WatchEvent): void => {
      const meta = event.object.metadata;
      this.events.push({ resource, type: event.type, name: meta?.name, resourceVersion: meta?.resourceVersion, annotations: meta?.annotations });
    };
    return {
      groupResource: inner.groupResource,
      getObject: (namespace, name, options) => {
        seen('get', namespace, {}, name);
        return inner.getObject(namespace, name, options);
      },
      listObject: (namespace, options, signal) => {
        seen('list', namespace, options);
        return inner.listObject(namespace, options, signal);
      },
      watchObject: async (namespace, options, signal) => {
        const gate = this.#gate;
        if (gate !== undefined) {
          this.waitingWatches++;
          await untilAborted(gate, signal);
          this.waitingWatches--;
        }
        seen('watch', namespace, options);
        const stream = await inner.watchObject(namespace, options, signal);
        return (async function* () {
          for await (const event of stream) {
            record(event);
            yield event;
          }
        })();
      },
    };
  }

  stats(): ClientStats {
    return this.#inner.stats();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** `promise`, or an earlier resolve when `signal` aborts. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void promise.then(done);
  });
}
