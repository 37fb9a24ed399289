/** The smallest buffer a GrowingBuffer allocates: a small get answer fits. */
const MIN_CAPACITY = 16 * 1024;

/**
 * Bytes that may be reserved against a shared limit (the unfinished watch
 * lines of one client). `reserve` answers false, reserving nothing, when
 * the bytes would take the total past the limit.
 */
export class ByteBudget {
  readonly limit: number;
  #used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Bytes reserved now. */
  get used(): number {
    return this.#used;
  }

  reserve(bytes: number): boolean {
    if (this.#used + bytes > this.limit) return false;
    this.#used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}

/**
 * Bytes that arrive chunk by chunk, copied into one Buffer that doubles when
 * full and never grows past `limit`. Memory is what `capacity` says: a
 * stream of one-byte chunks costs no Buffer object per chunk and keeps no
 * chunk (or the larger buffer it is a slice of) alive. With a budget, every
 * allocation is reserved against it and `dispose()` gives it back; a budget
 * too short for the doubling makes the buffer grow just enough.
 */
export class GrowingBuffer {
  readonly #limit: number;
  readonly #budget: ByteBudget | undefined;
  #bytes: Buffer | undefined;
  #length = 0;

  constructor(limit: number, budget?: ByteBudget) {
    this.#limit = limit;
    this.#budget = budget;
  }

  get length(): number {
    return this.#length;
  }

  /** Bytes allocated (reserved against the budget). */
  get capacity(): number {
    return this.#bytes?.length ?? 0;
  }

  /**
   * Appends `chunk`. Returns 'limit' when the bytes would be more than the
   * limit and 'budget' when the budget cannot pay for them; nothing is
   * appended then.
   */
  append(chunk: Uint8Array): 'ok' | 'limit' | 'budget' {
    const needed = this.#length + chunk.length;
    if (needed > this.#limit) return 'limit';
    if (needed > this.capacity && !this.#grow(needed)) return 'budget';
    (this.#bytes as Buffer).set(chunk, this.#length);
    this.#length = needed;
    return 'ok';
  }

  /** The bytes appended, without a copy (valid until the next append). */
  bytes(): Buffer {
    return this.#bytes === undefined ? Buffer.alloc(0) : this.#bytes.subarray(0, this.#length);
  }

  /** Drops the bytes and gives their memory back to the budget (idempotent). */
  dispose(): void {
    this.#budget?.release(this.capacity);
    this.#bytes = undefined;
    this.#length = 0;
  }

  #grow(needed: number): boolean {
    const old = this.capacity;
    let capacity = Math.min(this.#limit, Math.max(needed, old * 2, MIN_CAPACITY));
    const budget = this.#budget;
    if (budget !== undefined && !budget.reserve(capacity - old)) {
      capacity = needed;
      if (!budget.reserve(capacity - old)) return false;
    }
    const bytes = Buffer.allocUnsafe(capacity);
    if (this.#bytes !== undefined) this.#bytes.copy(bytes, 0, 0, this.#length);
    this.#bytes = bytes;
    return true;
  }
}
