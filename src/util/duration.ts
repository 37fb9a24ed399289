/**
 * The longest delay a Node.js timer honours: 2^31 - 1 ms (about 24.8 days).
 * Longer delays, and Infinity, are silently turned into 1 ms by Node, which
 * makes a timeout fire at once or a periodic check spin.
 */
export const maxTimerDelayMs = 2 ** 31 - 1;

export interface DurationBounds {
  /** Smallest accepted value. @default 0 */
  min?: number;
  /** Largest accepted value. @default maxTimerDelayMs */
  max?: number;
}

/**
 * Checks a duration option in milliseconds and returns it: a finite number in
 * [min, max] (max defaults to what a timer can wait). Anything else throws a
 * TypeError naming the option (`what`, for example
 * `createClient: options.requestTimeoutMs`) and the accepted range.
 */
export function checkDurationMs(what: string, value: unknown, bounds: DurationBounds = {}): number {
  const min = bounds.min ?? 0;
  const max = bounds.max ?? maxTimerDelayMs;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`${what} must be a finite number of milliseconds in [${min}, ${max}], got ${describeValue(value)}`);
  }
  return value;
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 32)) : String(value);
}
