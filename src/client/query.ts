import type { ListOptions } from '../api/types.ts';

const STRING_OPTIONS = ['labelSelector', 'fieldSelector', 'resourceVersion', 'resourceVersionMatch', 'continue'] as const;
const BOOLEAN_OPTIONS = ['allowWatchBookmarks', 'sendInitialEvents'] as const;
const INTEGER_OPTIONS = ['timeoutSeconds', 'limit'] as const;

/**
 * The query string (with its leading `?`, or empty) for a list or watch
 * request: `watch=1` first when `watch` is set, then every defined ListOption
 * under its API name, URL-encoded. Options of the wrong type throw a TypeError
 * naming the option.
 */
export function listQuery(options: ListOptions, watch: boolean): string {
  const params = new URLSearchParams();
  if (watch) params.set('watch', '1');
  for (const key of STRING_OPTIONS) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new TypeError(`ListOptions.${key} must be a string, got ${typeof value}`);
    params.set(key, value);
  }
  for (const key of BOOLEAN_OPTIONS) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new TypeError(`ListOptions.${key} must be a boolean, got ${typeof value}`);
    params.set(key, String(value));
  }
  for (const key of INTEGER_OPTIONS) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`ListOptions.${key} must be an integer >= 0, got ${String(value)}`);
    params.set(key, String(value));
  }
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

/** The query string for a get: only `resourceVersion` when given. */
export function getQuery(options: { resourceVersion?: string } | undefined): string {
  const rv = options?.resourceVersion;
  if (rv === undefined) return '';
  if (typeof rv !== 'string') throw new TypeError(`GetOptions.resourceVersion must be a string, got ${typeof rv}`);
  return `?${new URLSearchParams({ resourceVersion: rv }).toString()}`;
}
