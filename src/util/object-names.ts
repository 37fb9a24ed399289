/** Longest name any Kubernetes object can have (a DNS-1123 subdomain). */
export const maxObjectNameLength = 253;

/**
 * Why no object can have this name, or undefined when one might: names of
 * every kind are at most 253 characters and valid path segments (not "." or
 * "..", no "/" or "%"), so such a name is never sent to the server, where its
 * path would reach another object. Other names the server may refuse for a
 * kind (upper case, "_") are sent as they are, escaped, and answer NotFound.
 */
export function unreachableName(name: string): string | undefined {
  if (name.length > maxObjectNameLength) return `name ${describeValue(name)} is longer than ${maxObjectNameLength} characters`;
  if (name === '.' || name === '..' || name.includes('/') || name.includes('%')) {
    return `name ${describeValue(name)} is not a valid path segment ("." and ".." and names with "/" or "%" cannot exist)`;
  }
  return undefined;
}

/** A field selector value escaped so that it is one value: `\`, `,` and `=` get a backslash. */
export function escapeFieldSelectorValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

const maxDescribed = 64;

/** A value for an error message: quoted, and truncated when long. */
export function describeValue(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  if (value.length <= maxDescribed) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, maxDescribed))}... (${value.length} characters)`;
}
