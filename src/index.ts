// kube-object-manager: the Kubernetes objects pods reference, cached and fresh.
// Every export is listed by name, and each is something a user of the
// package calls, catches or names in a type. Nothing here exists only for
// tests (they import src/ paths) or for one file's own use;
// test/api/exports.test.ts pins the list, so a change to it is deliberate.

import './util/node-version.ts'; // first: refuses an unsupported Node.js before any dependency loads

// The seed's building blocks (pkg/kubelet/util/manager) and the function types they take.
export type { Manager, Store, StoreEntry, GetObjectTTLFunc } from './manager/types.ts';
export type { GetOptions, GetObjectFunc, ListOptions, WatchEvent, WatchEventType, ListObjectFunc, WatchObjectFunc } from './api/types.ts';
export type { WatchListSupport } from './api/watch-list-support.ts';
export { newCacheBasedManager, type CacheBasedManagerOptions } from './manager/cache-based-manager.ts';
export { NotRegisteredError, CacheStoppedError, SyncTimeoutError, UnexpectedObjectError } from './manager/errors.ts';
export { newObjectStore } from './manager/object-store.ts';
export { getObjectTTLFromNodeFunc } from './manager/node-ttl.ts';
export { newObjectCache, type ObjectCacheOptions, type ObjectWatchOptions, type WatchedResource } from './manager/object-cache.ts';
export { newWatchBasedManager, type WatchBasedManagerOptions } from './manager/watch-based-manager.ts';

// The list + watch loop behind the watching strategy, for watching referrers (see README, "Any referrer").
export { Reflector, ReflectorError, WatchEndedError, type ReflectorOptions, type ReflectorPhase, type ReflectorStore } from './reflector/reflector.ts';

export { KomError, MalformedResponseError } from './api/errors.ts';
export {
  StatusError,
  findStatusError,
  hasErrorCode,
  isSourceClosed,
  newNotFound,
  isNotFound,
  isAlreadyExists,
  isConflict,
  isGone,
  isResourceExpired,
  isInvalid,
  isBadRequest,
  isUnauthorized,
  isForbidden,
  isTooManyRequests,
  isInternalError,
  isServiceUnavailable,
  isTimeout,
  isServerTimeout,
  isResourceVersionTooLarge,
  type GroupResource,
} from './api/status-error.ts';
export { RealClock, type Clock, type ClockOptions } from './util/clock.ts';

// The kubelet layer: which secrets and configmaps a pod references, and the
// typed managers in the kubelet's three strategies: simple (a GET per
// access), caching (a TTL cache) and watching (a watch per object).
export {
  visitPodSecretNames,
  visitPodConfigmapNames,
  visitPodSecretReferences,
  visitPodConfigmapReferences,
  getSecretNames,
  getConfigMapNames,
  type PodReference,
  type PodReferenceVisitor,
  type PodNameVisitor,
} from './kubelet/pod-references.ts';
export {
  newSimpleSecretManager,
  newCachingSecretManager,
  newWatchingSecretManager,
  newSimpleConfigMapManager,
  newCachingConfigMapManager,
  newWatchingConfigMapManager,
  isImmutable,
  type SecretManager,
  type ConfigMapManager,
  type CachingManagerOptions,
  type WatchingManagerOptions,
} from './kubelet/managers.ts';
export {
  newSimpleReferenceManager,
  newCachingReferenceManager,
  newWatchingReferenceManager,
  type ReferenceManager,
  type ReferrerType,
  type ObjectReference,
  type SimpleReferenceManagerOptions,
  type CachingReferenceManagerOptions,
  type WatchingReferenceManagerOptions,
} from './referrers/index.ts';

// The client: a KubeConfig (from @kubernetes/client-node, a peer dependency)
// to get/list/watch functions over multiplexed HTTP/2.
export {
  createClient,
  loadKubeConfig,
  ClientClosedError,
  ConnectionError,
  CredentialsError,
  KubeConfigError,
  RequestTimeoutError,
  ResponseTooLargeError,
  WatchDecodeError,
  WatchStalledError,
} from './client/index.ts';
export type { Client, ResourceClient, ClientOptions, ClientStats, KubeClient } from './client/index.ts';
export type { ResourceRef } from './client/index.ts';
