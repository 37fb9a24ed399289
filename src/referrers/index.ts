// The generic reference manager: any type of referrer, any resource, three strategies.
export { newSimpleReferenceManager } from './simple.ts';
export { newCachingReferenceManager, defaultCacheTTLMs } from './caching.ts';
export { newWatchingReferenceManager, isImmutable, defaultMaxIdleTimeMs } from './watching.ts';
export type { ReferenceManager, ReferrerType, ObjectReference } from './types.ts';
export type {
  TtlOptions,
  SimpleReferenceManagerOptions,
  CachingReferenceManagerOptions,
  WatchingReferenceManagerOptions,
  CachingManagerOptions,
  WatchingManagerOptions,
  StrategyOptions,
  StrategyOptionName,
} from './options.ts';
