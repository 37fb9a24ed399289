// kube-object-manager: the Kubernetes objects pods reference, cached and fresh.
// Every export is listed by name; nothing here exists only for tests.

import './util/node-version.ts'; // first: refuses an unsupported Node.js before any dependency loads
export type { Manager, Store, StoreEntry, GetObjectTTLFunc } from './manager/types.ts';
export type { GetOptions, GetObjectFunc, ListOptions, WatchEvent, WatchEventType, ListObjectFunc, WatchObjectFunc } from './api/types.ts';
export { newCacheBasedManager, type CacheBasedManagerOptions } from './manager/cache-based-manager.ts';
export { NotRegisteredError, CacheStoppedError, SyncTimeoutError, UnexpectedObjectError } from './manager/errors.ts';
export { newObjectStore } from './manager/object-store.ts';
export { getObjectTTLFromNodeFunc, objectTTLAnnotationKey } from './manager/node-ttl.ts';
export { newObjectCache, type ObjectCacheOptions, type ObjectWatchOptions, type WatchedResource } from './manager/object-cache.ts';
export { newWatchBasedManager, type WatchBasedManagerOptions } from './manager/watch-based-manager.ts';

export { Reflector, ReflectorError, isRetriableWatchError, type ReflectorOptions, type ReflectorPhase, type ReflectorStore } from './reflector/reflector.ts';
export { WatchEndedError } from './reflector/reflector.ts';
export { WatchListSupport } from './api/watch-list-support.ts';
export { Backoff, backoffBaseDelay, defaultBackoff, withJitter, type BackoffOptions } from './reflector/backoff.ts';

export { KomError, MalformedResponseError } from './api/errors.ts';
export {
  StatusError,
  findStatusError,
  hasErrorCode,
  isSourceClosed,
  formatGroupResource,
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
export { RealClock, realClock, type Clock, type ClockOptions } from './util/clock.ts';

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
  defaultCacheTTLMs,
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
