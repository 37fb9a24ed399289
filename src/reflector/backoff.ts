import type { Clock } from '../util/clock.ts';
import { checkDurationMs } from '../util/duration.ts';

/**
 * Exponential backoff with jitter and reset, as client-go's reflector uses it.
 * Defaults: 800 ms doubling to a 30 s cap, each wait stretched by a random
 * factor in [1, 2) (jitter 1.0), and back to 800 ms once 2 minutes pass
 * without a backoff. With thousands of reflectors against one API server the
 * steady state is one attempt per 30-60 s each (about 0.02 QPS per watch
 * after a long outage), and jitter keeps them from retrying in lock-step.
 */
export interface BackoffOptions {
  /** @default 800 */
  initialMs?: number;
  /** @default 30_000 */
  capMs?: number;
  /** @default 2 */
  factor?: number;
  /** Each delay d becomes d * (1 + jitter * random()). @default 1 */
  jitter?: number;
  /** Healthy time after which the next delay starts again from initialMs. @default 120_000 */
  resetAfterMs?: number;
}

export const defaultBackoff: Readonly<Required<BackoffOptions>> = Object.freeze({
  initialMs: 800,
  capMs: 30_000,
  factor: 2,
  jitter: 1,
  resetAfterMs: 120_000,
});

/** The un-jittered delay of the n-th consecutive backoff (n from 0). Pure. */
export function backoffBaseDelay(attempt: number, options: Readonly<Required<BackoffOptions>> = defaultBackoff): number {
  return Math.min(options.capMs, options.initialMs * options.factor ** Math.max(0, attempt));
}

/** Stretches a delay by jitter: uniform in [d, d * (1 + jitter)). Pure. */
export function withJitter(delayMs: number, jitter: number, random: number): number {
  return delayMs * (1 + jitter * random);
}

/**
 * The options with defaults filled in, checked: the three durations within
 * what a timer can wait, factor and jitter finite and >= 0. Throws a
 * TypeError naming the bad option.
 */
export function resolveBackoffOptions(options: BackoffOptions | undefined): Readonly<Required<BackoffOptions>> {
  if (options === undefined) return defaultBackoff;
  const resolved = { ...defaultBackoff, ...options };
  for (const key of ['initialMs', 'capMs', 'resetAfterMs'] as const) checkDurationMs(`backoff option ${key}`, resolved[key]);
  for (const key of ['factor', 'jitter'] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`backoff option ${key} must be a finite number >= 0, got ${String(value)}`);
  }
  return resolved;
}

/** Stateful backoff: each next() is one step; steps reset after a healthy stretch. */
export class Backoff {
  readonly #options: Readonly<Required<BackoffOptions>>;
  readonly #clock: Clock;
  readonly #random: () => number;
  #attempt = 0;
  #lastAt: number | undefined;

  constructor(clock: Clock, options?: BackoffOptions, random: () => number = Math.random) {
    this.#options = resolveBackoffOptions(options);
    this.#clock = clock;
    this.#random = random;
  }

  /** The delay to wait now, in ms; advances the step. */
  next(): number {
    const now = this.#clock.now();
    if (this.#lastAt !== undefined && now - this.#lastAt >= this.#options.resetAfterMs) this.#attempt = 0;
    this.#lastAt = now;
    const base = backoffBaseDelay(this.#attempt, this.#options);
    this.#attempt++;
    return withJitter(base, this.#options.jitter, this.#random());
  }
}
