import type { KubernetesObject } from '@kubernetes/client-node';
import type { Client, ResourceClient } from '../client/types.ts';
import type { WatchObjectFunc } from '../api/types.ts';

/** API requests a client issued, by verb. */
export type RequestCounts = Record<'get' | 'list' | 'watch', number>;

/** Wraps a Client so that every get, list and watch it issues is counted. */
export function countingClient(client: Client): { client: Client; counts: RequestCounts } {
  const counts: RequestCounts = { get: 0, list: 0, watch: 0 };
  const wrapped: Client = {
    resource<T extends KubernetesObject = KubernetesObject>(resource: string): ResourceClient<T> {
      const inner = client.resource<T>(resource);
      return {
        groupResource: inner.groupResource,
        getObject: (namespace, name, options) => {
          counts.get++;
          return inner.getObject(namespace, name, options);
        },
        listObject: (namespace, options, signal) => {
          counts.list++;
          return inner.listObject(namespace, options, signal);
        },
        watchObject: keepWatchList(inner.watchObject, (namespace, options, signal) => {
          counts.watch++;
          return inner.watchObject(namespace, options, signal);
        }),
      };
    },
    close: () => client.close(),
  };
  return { client: wrapped, counts };
}

/**
 * `wrapper` with the WatchList support of the watch function it wraps, so
 * that a watching manager over a wrapped client still syncs each object with
 * one request (a wrapper without it falls back to list + watch).
 */
export function keepWatchList(inner: WatchObjectFunc, wrapper: WatchObjectFunc): WatchObjectFunc {
  return inner.watchList === undefined ? wrapper : Object.assign(wrapper, { watchList: inner.watchList });
}
