/** The key of an object in a namespace. */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Rejects what cannot name a namespaced object, naming the bad argument: the
 * namespace must be a DNS-1123 label (at most 63 lowercase alphanumerics or
 * '-'), the name a DNS-1123 subdomain (at most 253, '.' allowed), as the API
 * server requires of Secrets and ConfigMaps. Long values are truncated in
 * the message.
 */
export function checkObjectName(namespace: unknown, name: unknown): void {
  if (typeof namespace !== 'string' || namespace === '') {
    throw new TypeError(`namespace must be a non-empty string, got ${describe(namespace)}`);
  }
  if (namespace.length > 63 || !dnsLabel.test(namespace)) {
    throw new TypeError(`namespace ${describe(namespace)} is not a valid DNS label (at most 63 lowercase alphanumerics or '-', starting and ending alphanumeric)`);
  }
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`name must be a non-empty string, got ${describe(name)}`);
  }
  if (name.length > 253 || !dnsSubdomain.test(name)) {
    throw new TypeError(`name ${describe(name)} is not a valid DNS subdomain (at most 253 lowercase alphanumerics, '-' or '.', starting and ending alphanumeric)`);
  }
}

const maxDescribed = 64;

function describe(value: unknown): string {
  if (typeof value !== 'string') return String(value);
  if (value.length <= maxDescribed) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, maxDescribed))}... (${value.length} characters)`;
}

/** Where a reference comes from when the caller does not say. */
export const anonymousReferrer = '';

/**
 * Reference counts of one object, kept per referrer (the UID of the pod that
 * holds them), so that a referrer can only drop references it added.
 */
export class ReferenceCounts {
  readonly #counts = new Map<string, number>();

  add(referrer: string): void {
    this.#counts.set(referrer, (this.#counts.get(referrer) ?? 0) + 1);
  }

  /** Drops one reference of `referrer`; a referrer holding none is a no-op. */
  delete(referrer: string): void {
    const count = this.#counts.get(referrer);
    if (count === undefined) return;
    if (count <= 1) this.#counts.delete(referrer);
    else this.#counts.set(referrer, count - 1);
  }

  get empty(): boolean {
    return this.#counts.size === 0;
  }

  /** The referrers holding at least one reference. */
  referrers(): string[] {
    return [...this.#counts.keys()];
  }
}
