import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { ReflectorError } from '../reflector/reflector.ts';
import type { Clock } from '../util/clock.ts';
import { checkDurationMs, maxTimerDelayMs } from '../util/duration.ts';
import type { GroupResource } from '../api/status-error.ts';
import { newCacheBasedManager } from './cache-based-manager.ts';
import { newObjectCache } from './object-cache.ts';
import type { ListObjectFunc, WatchObjectFunc } from '../api/types.ts';
import type { Manager } from './types.ts';

export interface WatchBasedManagerOptions {
  listObject: ListObjectFunc;
  watchObject: WatchObjectFunc;
  isImmutable: (object: KubernetesObject) => boolean;
  groupResource: GroupResource;
  /** Watches idle for 5 x this stop (at least a minute). */
  resyncIntervalMs: number;
  getReferencedObjects: (pod: V1Pod) => Set<string>;
  clock?: Clock;
  signal?: AbortSignal;
  /** How long getObject() waits for an object's first sync. @default 1_000 */
  syncTimeoutMs?: number;
  onError?: (error: ReflectorError, object: { namespace: string; name: string }) => void;
}

/**
 * Creates a Manager that keeps one watch per object referenced by registered
 * pods, started by the first referencing pod and stopped by the last (or
 * when the object is immutable, or idle for 5 x resyncIntervalMs);
 * getObject() answers from what the watches delivered.
 */
export function newWatchBasedManager(options: WatchBasedManagerOptions): Manager {
  // maxIdleTime is 5 x resyncInterval, and must itself be a valid duration.
  const resyncIntervalMs = checkDurationMs('newWatchBasedManager: resyncIntervalMs', options.resyncIntervalMs, { max: Math.floor(maxTimerDelayMs / 5) });
  const store = newObjectCache({
    listObject: options.listObject,
    watchObject: options.watchObject,
    isImmutable: options.isImmutable,
    groupResource: options.groupResource,
    maxIdleTimeMs: 5 * resyncIntervalMs,
    ...(options.clock !== undefined && { clock: options.clock }),
    ...(options.signal !== undefined && { signal: options.signal }),
    ...(options.syncTimeoutMs !== undefined && { syncTimeoutMs: options.syncTimeoutMs }),
    ...(options.onError !== undefined && { onError: options.onError }),
  });
  return newCacheBasedManager(store, options.getReferencedObjects);
}
