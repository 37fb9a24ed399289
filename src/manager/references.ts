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
