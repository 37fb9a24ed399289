// The Kubernetes API as this library speaks it: the query of a get, list and
// watch, a watch event, and the functions that fetch, list and watch one
// resource. The bottom layer: every other folder may import it; it imports
// nothing of ours but the WatchList state beside it.
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { WatchListSupport } from './watch-list-support.ts';

export interface GetOptions {
  /** "0" asks the API server to answer from its cache (any version, cheap). */
  resourceVersion?: string;
}

/** Fetches one object; rejects with a StatusError (404 NotFound, ...) on API errors. */
export type GetObjectFunc = (namespace: string, name: string, options: GetOptions) => Promise<KubernetesObject>;

/** Query parameters of a list or watch request, as the API server names them. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  limit?: number;
  continue?: string;
  sendInitialEvents?: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  /** The object; a V1Status for ERROR. */
  object: KubernetesObject;
}

/** Lists objects of one resource in a namespace. */
export type ListObjectFunc = (
  namespace: string,
  options: ListOptions,
  signal?: AbortSignal,
) => Promise<KubernetesListObject<KubernetesObject>>;

/**
 * Watches objects of one resource in a namespace. The watch ends when the
 * iterable ends (the server closed it) or the signal aborts; a connection
 * failure is thrown from the iterator.
 */
export type WatchObjectFunc = ((
  namespace: string,
  options: ListOptions,
  signal: AbortSignal,
) => AsyncIterable<WatchEvent> | Promise<AsyncIterable<WatchEvent>>) & {
  /**
   * Set on watch functions that can send WatchList requests
   * (`sendInitialEvents`): what their server answered to them, shared by
   * every watch of one client. Watching managers then sync each object with
   * one request. A function wrapping another keeps WatchList by copying it.
   */
  readonly watchList?: WatchListSupport;
};
