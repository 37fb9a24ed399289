import type { Clock } from './clock.ts';

interface FakeTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * A Clock whose time moves only when a test says so. `step(ms)` advances the
 * time and runs every timer that falls due, in order of due time (ties in
 * order of creation), each with `now()` set to its due time; timers created by
 * a running timer fire in the same step when they fall due within it.
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers = new Map<number, FakeTimer>();

  constructor(nowMs = 0) {
    if (!Number.isFinite(nowMs)) throw new TypeError(`FakeClock: nowMs must be a finite number, got ${String(nowMs)}`);
    this.#now = nowMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.#timers.set(id, { id, due: this.#now + delay, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#timers.delete(handle);
  }

  /** Advances the time by `ms` and runs the timers that fall due. */
  step(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new TypeError(`FakeClock.step: ms must be a finite number >= 0, got ${String(ms)}`);
    this.setTime(this.#now + ms);
  }

  /** Sets the time (never backwards) and runs the timers that fall due. */
  setTime(ms: number): void {
    if (!Number.isFinite(ms)) throw new TypeError(`FakeClock.setTime: ms must be a finite number, got ${String(ms)}`);
    if (ms < this.#now) throw new RangeError(`FakeClock.setTime: time cannot go backwards (now ${this.#now}, asked ${ms})`);
    for (;;) {
      const next = this.#nextDue(ms);
      if (next === undefined) break;
      this.#timers.delete(next.id);
      this.#now = next.due;
      next.fn();
    }
    this.#now = ms;
  }

  /** Number of timers that have not fired or been cleared (for leak checks). */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Due time of the earliest pending timer, or undefined when none is pending. */
  nextTimerDue(): number | undefined {
    return this.#nextDue(Infinity)?.due;
  }

  #nextDue(limit: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.due > limit) continue;
      if (best === undefined || timer.due < best.due || (timer.due === best.due && timer.id < best.id)) best = timer;
    }
    return best;
  }
}
