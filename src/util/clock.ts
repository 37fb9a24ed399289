import { maxTimerDelayMs } from './duration.ts';

/**
 * The one source of time for the library. Every part that reads the time or
 * schedules work takes a Clock, so that tests can drive time with FakeClock
 * (entry point `kube-object-manager/testing`) instead of sleeping.
 */
export interface Clock {
  /** Milliseconds on a clock that never goes backwards within a process. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds; returns a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer from setTimeout; unknown or fired handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/**
 * The process clock: milliseconds since the epoch read from the monotonic
 * `performance` clock (sub-millisecond, never jumps back with NTP), and
 * Node's timers. Timers keep the process alive like any Node timer: a
 * reflector backing off, or a get() waiting for a sync, is work in progress;
 * stop it with the abort signal or close().
 */
export class RealClock implements Clock {
  now(): number {
    return performance.timeOrigin + performance.now();
  }

  /** Delays beyond what a Node timer can wait (about 24.8 days) wait that long instead of 1 ms. */
  setTimeout(fn: () => void, ms: number): unknown {
    return setTimeout(fn, Number.isNaN(ms) ? 0 : Math.min(Math.max(0, ms), maxTimerDelayMs));
  }

  clearTimeout(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  }
}

/** The clock used where none is given. */
export const realClock: Clock = new RealClock();

/** The option of everything that reads the time or schedules work. */
export interface ClockOptions {
  /** Where time is read and timers are set; tests pass a FakeClock. @default realClock */
  clock?: Clock;
}
