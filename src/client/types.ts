import type { KubernetesObject } from '@kubernetes/client-node';
import type { GetOptions, ListObjectFunc, WatchObjectFunc } from '../api/types.ts';
import type { GroupResource } from '../api/status-error.ts';

/**
 * Requests for one namespaced resource of the API server (for example
 * `secrets` in the core group), in the shapes the seed's managers take.
 */
export interface ResourceClient<T extends KubernetesObject = KubernetesObject> {
  readonly groupResource: GroupResource;
  /** Assignable to GetObjectFunc. */
  readonly getObject: (namespace: string, name: string, options: GetOptions) => Promise<T>;
  readonly listObject: ListObjectFunc;
  readonly watchObject: WatchObjectFunc;
}

/** A connection to one API server, built by createClient(kubeConfig). */
export interface Client {
  /** A client for a core/v1 namespaced resource, by its plural name: 'secrets', 'configmaps', 'pods', ... */
  resource<T extends KubernetesObject = KubernetesObject>(resource: string): ResourceClient<T>;
  /** Closes every connection and ends every watch. Idempotent. */
  close(): Promise<void>;
}
