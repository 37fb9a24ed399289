import type { KubernetesObject } from '@kubernetes/client-node';
import type { GetOptions, ListObjectFunc, WatchObjectFunc } from '../api/types.ts';
import type { GroupResource } from '../api/status-error.ts';
import type { ResourceRef } from './resource-ref.ts';

/**
 * Requests for one resource of the API server (for example `secrets` in the
 * core group, `deployments` in `apps`), in the shapes the seed's managers
 * take. For a cluster-scoped resource the namespace argument must be ""
 * (a TypeError naming the resource otherwise); for a namespaced one, ""
 * lists and watches across all namespaces.
 */
export interface ResourceClient<T extends KubernetesObject = KubernetesObject> {
  /** The group and plural of the resource: `{ group: 'apps', resource: 'deployments' }`. */
  readonly groupResource: GroupResource;
  /** Assignable to GetObjectFunc. */
  readonly getObject: (namespace: string, name: string, options: GetOptions) => Promise<T>;
  readonly listObject: ListObjectFunc;
  readonly watchObject: WatchObjectFunc;
}

/** A connection to one API server, built by createClient(kubeConfig). */
export interface Client {
  /**
   * A client for one resource: a core/v1 namespaced resource by its plural
   * name ('secrets', 'configmaps', 'pods', ...), or any resource by its
   * ResourceRef (`{ group: 'apps', version: 'v1', resource: 'deployments' }`,
   * `{ version: 'v1', resource: 'namespaces', namespaced: false }`). Throws a
   * TypeError naming the field when the ref is not a valid group, version
   * or plural, before any request.
   */
  resource<T extends KubernetesObject = KubernetesObject>(ref: string | ResourceRef): ResourceClient<T>;
  /** Closes every connection and ends every watch. Idempotent. */
  close(): Promise<void>;
}
