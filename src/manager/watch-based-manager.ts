import type { V1Pod } from '@kubernetes/client-node';
import type { ClockOptions } from '../util/clock.ts';
import { checkDurationMs, maxTimerDelayMs } from '../util/duration.ts';
import { newCacheBasedManager } from './cache-based-manager.ts';
import { newObjectCache, type ObjectWatchOptions, type WatchedResource } from './object-cache.ts';
import type { Manager } from './types.ts';

export interface WatchBasedManagerOptions extends WatchedResource, ClockOptions, ObjectWatchOptions {
  /** The kubelet's resync interval: watches idle for 5 x this stop (at least a minute). */
  resyncIntervalMs: number;
  getReferencedObjects: (pod: V1Pod) => Set<string>;
}

/**
 * Creates a Manager that keeps one watch per object referenced by registered
 * pods, started by the first referencing pod and stopped by the last (or
 * when the object is immutable, or idle for 5 x resyncIntervalMs);
 * getObject() answers from what the watches delivered: newObjectCache under
 * newCacheBasedManager.
 */
export function newWatchBasedManager(options: WatchBasedManagerOptions): Manager {
  const { resyncIntervalMs, getReferencedObjects, ...cacheOptions } = options;
  // maxIdleTime is 5 x resyncInterval, and must itself be a valid duration.
  checkDurationMs('newWatchBasedManager: resyncIntervalMs', resyncIntervalMs, { max: Math.floor(maxTimerDelayMs / 5) });
  return newCacheBasedManager(newObjectCache({ ...cacheOptions, maxIdleTimeMs: 5 * resyncIntervalMs }), getReferencedObjects);
}
