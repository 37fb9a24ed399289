import type { Clock } from '../util/clock.ts';

/** A watch the watchdog looks after while it waits on the server. */
export interface Stallable {
  /** clock.now() when the watch started waiting or last received a byte. */
  readonly waitingSince: number;
  /** Called once when the watch waited stallTimeoutMs without a byte; it is no longer watched then. */
  stall(): void;
}

/**
 * Stall detection for every watch of a client with one timer: a watch that
 * waits on the server is added with its `waitingSince`, updates it when
 * bytes arrive, and is removed when it stops waiting (the consumer holds an
 * event, or the watch ended). The timer is due when the watch that waited
 * longest reaches `timeoutMs` without a byte; it then stalls every watch
 * that did and is set again for the next one. No timer runs while no watch
 * waits. All watches share the timeout, so a watch that starts waiting is
 * never due before the ones already waiting. Sweeps are at least
 * timeoutMs / 128 apart (watches falling due within that are stopped
 * together), so a watch is stopped between timeoutMs and
 * timeoutMs × (1 + 1/128) after its last byte, and thousands of watches
 * stalling one after another cost a bounded number of sweeps.
 */
export class StallWatchdog {
  readonly #clock: Clock;
  readonly timeoutMs: number;
  readonly #waiting = new Set<Stallable>();
  #timer: unknown;

  constructor(clock: Clock, timeoutMs: number) {
    this.#clock = clock;
    this.timeoutMs = timeoutMs;
  }

  /** `watch` waits on the server (its waitingSince is now). Adding a watched watch does nothing. */
  add(watch: Stallable): void {
    this.#waiting.add(watch);
    if (this.#timer === undefined) this.#schedule(watch.waitingSince);
  }

  /** `watch` no longer waits (unknown watches are ignored). */
  remove(watch: Stallable): void {
    if (!this.#waiting.delete(watch) || this.#waiting.size > 0) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The clock's time, for `waitingSince`. */
  now(): number {
    return this.#clock.now();
  }

  /** Watches waiting on their server, for tests and stats. */
  get size(): number {
    return this.#waiting.size;
  }

  #schedule(earliest: number, minDelay = 0): void {
    const delay = earliest + this.timeoutMs - this.#clock.now();
    this.#timer = this.#clock.setTimeout(() => this.#sweep(), Math.max(minDelay, delay));
  }

  #sweep(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    const stalled: Stallable[] = [];
    for (const watch of this.#waiting) if (now - watch.waitingSince >= this.timeoutMs) stalled.push(watch);
    for (const watch of stalled) {
      this.#waiting.delete(watch);
      watch.stall();
    }
    if (this.#waiting.size === 0) return;
    let earliest = Infinity;
    for (const watch of this.#waiting) earliest = Math.min(earliest, watch.waitingSince);
    this.#clock.clearTimeout(this.#timer);
    this.#schedule(earliest, this.timeoutMs / 128);
  }
}
