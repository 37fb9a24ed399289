import type { Clock } from '../util/clock.ts';

/** A connection as the idle rule sees it: something with work in flight or not, that can be closed. */
interface Tracked {
  busy: number;
  timer: unknown;
  close: () => void;
}

/**
 * Closes connections that stay idle for `idleTimeoutMs` on the clock, as
 * kube-apiserver's IdleTimeout (90 s) does: an HTTP/2 session with no open
 * stream is sent GOAWAY and closed; an HTTP/1.1 connection with no request in
 * flight (one that never sent a request included) is ended. A watch is a
 * stream in flight, so a connection carrying one is never idle.
 */
export class IdleConnections {
  readonly #clock: Clock;
  readonly #idleTimeoutMs: number;
  readonly #tracked = new WeakMap<object, Tracked>();

  constructor(clock: Clock, idleTimeoutMs: number) {
    this.#clock = clock;
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  /** Starts tracking a connection (idle from now); `close` is called once it stays idle for the timeout. */
  add(conn: { once(event: 'close', fn: () => void): unknown }, close: () => void): void {
    const entry: Tracked = { busy: 0, timer: undefined, close };
    this.#tracked.set(conn, entry);
    conn.once('close', () => {
      this.#clock.clearTimeout(entry.timer);
      entry.busy = -Infinity; // never armed again
    });
    this.#arm(entry);
  }

  /** Marks one request or stream in flight on `conn` until `done` emits 'close'. */
  busy(conn: object, done: { once(event: 'close', fn: () => void): unknown }): void {
    const entry = this.#tracked.get(conn);
    if (entry === undefined || entry.busy < 0) return;
    if (entry.busy++ === 0) this.#clock.clearTimeout(entry.timer);
    done.once('close', () => {
      if (entry.busy > 0 && --entry.busy === 0) this.#arm(entry);
    });
  }

  #arm(entry: Tracked): void {
    this.#clock.clearTimeout(entry.timer);
    entry.timer = this.#clock.setTimeout(() => {
      if (entry.busy === 0) entry.close();
    }, this.#idleTimeoutMs);
  }
}
