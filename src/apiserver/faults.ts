import type { StatusError } from '../api/status-error.ts';
import { statusError } from './status.ts';

/** Which requests an injected failure applies to; unset fields match anything. */
export interface FailureFilter {
  /** `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`. */
  verb?: string;
  /** Plural resource, e.g. `secrets` (subresources as `pods/status`). */
  resource?: string;
}

export interface FailureOptions extends FailureFilter {
  /** Sent as `Retry-After` and `details.retryAfterSeconds`; default 1 for 429 and none otherwise. */
  retryAfterSeconds?: number;
}

interface PendingFailure {
  remaining: number;
  code: number;
  options: FailureOptions;
}

const reasons: Record<number, [string, string]> = {
  429: ['TooManyRequests', 'Too many requests, please try again later.'],
  500: ['InternalError', 'Internal error occurred: injected fault'],
  503: ['ServiceUnavailable', 'The server is currently unable to handle the request (injected fault)'],
  504: ['Timeout', 'Timeout: request did not complete within the allowed duration (injected fault)'],
  403: ['Forbidden', 'forbidden: injected fault'],
};

/** Injected request failures and delays, consulted by the server for every API request. */
export class FaultState {
  #pending: PendingFailure[] = [];
  /** Milliseconds every API request waits before it is handled. */
  delayMs = 0;

  /** Queues `count` failures with HTTP status `code` for matching requests. */
  failNext(count: number, code: number, options: FailureOptions = {}): void {
    if (!Number.isInteger(count) || count < 1) throw new TypeError(`faults.failNext: count must be a positive integer, got ${String(count)}`);
    if (!Number.isInteger(code) || code < 400 || code > 599) throw new TypeError(`faults.failNext: code must be an HTTP error status (400-599), got ${String(code)}`);
    this.#pending.push({ remaining: count, code, options });
  }

  /** The failure the next request must answer, if one is queued for it (consumes it). */
  take(verb: string, resource: string): StatusError | undefined {
    const f = this.#pending.find((p) => (p.options.verb === undefined || p.options.verb === verb) && (p.options.resource === undefined || p.options.resource === resource));
    if (f === undefined) return undefined;
    f.remaining--;
    if (f.remaining === 0) this.#pending.splice(this.#pending.indexOf(f), 1);
    const [reason, message] = reasons[f.code] ?? ['Unknown', `injected fault (${f.code})`];
    const retry = f.options.retryAfterSeconds ?? (f.code === 429 ? 1 : undefined);
    return statusError(f.code, reason, message, retry === undefined ? {} : { retryAfterSeconds: retry });
  }

  /** Failures still queued. */
  get pendingFailures(): number {
    return this.#pending.reduce((n, p) => n + p.remaining, 0);
  }

  clear(): void {
    this.#pending = [];
    this.delayMs = 0;
  }
}
