/**
 * Freezes an object graph in place and returns it. Cached objects are shared
 * by every caller of get(); freezing them means a caller that mutates one
 * gets a TypeError instead of silently corrupting what everyone else reads.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value as object)) deepFreeze(child);
  return value;
}
