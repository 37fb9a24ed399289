// The generic reference manager: any type of referrer, any resource, three strategies.
export { newSimpleReferenceManager } from './simple.ts';
export { newCachingReferenceManager } from './caching.ts';
export { newWatchingReferenceManager } from './watching.ts';
export type { ReferenceManager, ReferrerType, ObjectReference } from './types.ts';
export type { SimpleReferenceManagerOptions, CachingReferenceManagerOptions, WatchingReferenceManagerOptions } from './options.ts';
