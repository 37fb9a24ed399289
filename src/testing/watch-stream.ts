import type { WatchEvent } from '../api/types.ts';

/**
 * An async iterable of watch events fed by push(): what a fake watch returns.
 * It ends on end() or when the signal aborts, and throws what fail() gives.
 */
export class WatchStream implements AsyncIterable<WatchEvent> {
  readonly #queue: WatchEvent[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #error: { error: unknown } | undefined;
  readonly #onClose: () => void;
  #closed = false;

  constructor(signal: AbortSignal, onClose: () => void) {
    this.#onClose = onClose;
    if (signal.aborted) this.end();
    else signal.addEventListener('abort', () => this.end(), { once: true });
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(event: WatchEvent): void {
    if (this.#ended) return;
    this.#queue.push(event);
    this.#notify();
  }

  /** Ends the stream cleanly after the queued events (a server closing it). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#notify();
  }

  /** Breaks the stream: the iterator throws `error` after the queued events. */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#error = { error };
    this.end();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ended = true;
    this.#onClose();
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return {
      next: async (): Promise<IteratorResult<WatchEvent>> => {
        for (;;) {
          const event = this.#queue.shift();
          if (event !== undefined) return { value: event, done: false };
          if (this.#ended) {
            this.#close();
            if (this.#error !== undefined) throw this.#error.error;
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => (this.#wake = resolve));
        }
      },
      return: (): Promise<IteratorResult<WatchEvent>> => {
        this.#close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
