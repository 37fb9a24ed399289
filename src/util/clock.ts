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
 * Node's timers. Timers are unref'd: a cache's background timers (backoff, idle
 * checks) never keep a process alive on their own; open connections do.
 */
export class RealClock implements Clock {
  now(): number {
    return performance.timeOrigin + performance.now();
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return handle;
  }

  clearTimeout(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  }
}

/** The clock used where none is given. */
export const realClock: Clock = new RealClock();
