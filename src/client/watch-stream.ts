import type { WatchEvent } from '../api/types.ts';
import { ClientClosedError, ConnectionError, ResponseTooLargeError, WatchDecodeError, WatchStalledError } from './errors.ts';
import type { ByteBudget } from './growing-buffer.ts';
import type { Stallable, StallWatchdog } from './stall-watchdog.ts';
import type { BodyReader, TransportResponse } from './transport.ts';
import { WatchDecoder } from './watch-decoder.ts';

/** What every watch of a client shares. */
export interface WatchSettings {
  /** Stops a watch that gets no byte for its timeout while waiting on the server (WatchStalledError). */
  watchdog: StallWatchdog;
  maxEventBytes: number;
  /** The client's bound on the bytes of unfinished event lines, across its watches. */
  lineBudget: ByteBudget;
  /** Aborted by Client.close(): every watch then ends with ClientClosedError. */
  closed: AbortSignal;
  /** ClientOptions.keepManagedFields. */
  keepManagedFields: boolean;
}

type Result = IteratorResult<WatchEvent, undefined>;

const DONE: Result = Object.freeze({ done: true, value: undefined });

/**
 * The events of a 200 watch response. The iteration ends when the server
 * ends the stream or `signal` aborts; it throws WatchDecodeError for a
 * malformed line, ResponseTooLargeError for a line longer than
 * maxEventBytes or one the client's budget of unfinished lines cannot hold,
 * WatchStalledError when the server sent nothing for the stall timeout
 * (measured only while waiting on the server, never while the consumer
 * holds an event), ConnectionError when the stream breaks, and
 * ClientClosedError once the client is closed (events still queued are
 * dropped: a clean end would have a reflector watch again); error messages
 * name the watch (`watch secrets in "ns"`). The body is read only while the
 * consumer waits for an event: it is paused (HTTP/2 flow control then holds
 * the server back) while decoded events wait to be pulled. The stream is
 * freed whenever the iteration stops, `break` included. Call next() again
 * only once the previous call has settled (as `for await` does): a call
 * while one is pending is rejected with a TypeError.
 */
export function watchStream(
  response: TransportResponse,
  settings: WatchSettings,
  signal: AbortSignal,
  what: string,
): AsyncIterableIterator<WatchEvent, undefined, undefined> {
  return new WatchEvents(response, settings, signal, what);
}

// Extends the decoder rather than holding one: one object per watch instead of two.
class WatchEvents extends WatchDecoder implements AsyncIterableIterator<WatchEvent, undefined, undefined>, Stallable, BodyReader {
  readonly #response: TransportResponse;
  readonly #settings: WatchSettings;
  readonly #signal: AbortSignal;
  /** The watch as error messages name it: `watch secrets in "ns"`. */
  readonly #what: string;
  /** Decoded events the consumer has not pulled yet. */
  #queue: WatchEvent[] | undefined;
  /** The consumer's pending next(), when it waits. */
  #resolve: ((result: Result) => void) | undefined;
  #reject: ((err: unknown) => void) | undefined;
  /** Delivered once the queue is empty. */
  #failure: Error | undefined;
  #started = false;
  /** The server ended the body. */
  #ended = false;
  /** The iteration is over and the stream freed. */
  #done = false;
  waitingSince = 0;

  constructor(response: TransportResponse, settings: WatchSettings, signal: AbortSignal, what: string) {
    super(settings.maxEventBytes, settings.lineBudget, settings.keepManagedFields);
    this.#response = response;
    this.#settings = settings;
    this.#signal = signal;
    this.#what = what;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<Result> {
    if (this.#resolve !== undefined) return Promise.reject(new TypeError(`${this.#what}: next() called while the previous next() is pending`));
    const result = this.#poll();
    if (result instanceof Error) return Promise.reject(result);
    if (result !== undefined) return Promise.resolve(result);
    return new Promise<Result>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      this.#read();
    });
  }

  return(): Promise<Result> {
    this.#finish();
    return Promise.resolve(DONE);
  }

  /** The watchdog found no byte for its timeout while the consumer waited. */
  stall(): void {
    if (this.#done) return;
    const stalled = new WatchStalledError(`${this.#what}: no data from the server for ${this.#settings.watchdog.timeoutMs} ms; the watch was stopped`);
    this.#failure = stalled;
    this.discard();
    this.#response.destroy(stalled);
    this.#settle();
  }

  onData(chunk: Buffer): void {
    if (this.#done) return;
    this.waitingSince = this.#settings.watchdog.now();
    let events: WatchEvent[];
    try {
      events = this.push(chunk);
    } catch (err) {
      this.#failure = err as Error;
      this.#response.destroy();
      this.#settle();
      return;
    }
    if (events.length > 0) {
      if (this.#queue === undefined) this.#queue = events;
      else this.#queue.push(...events);
    }
    this.#settle();
  }

  onEnd(): void {
    if (this.#done) return;
    this.#ended = true;
    try {
      const last = this.end();
      if (last !== undefined) (this.#queue ??= []).push(last);
    } catch (err) {
      this.#failure = err as Error;
    }
    this.#settle();
  }

  onError(err: Error): void {
    if (this.#done) return;
    this.discard();
    this.#failure ??= this.#describe(err);
    this.#settle();
  }

  onClose(): void {
    if (this.#done || this.#ended) return;
    this.discard();
    this.#failure ??= new ConnectionError(`${this.#what}: the watch stream failed: the stream closed before the end of the response`);
    this.#settle();
  }

  /** The next result, an Error to throw, or undefined when the server must be waited on. */
  #poll(): Result | Error | undefined {
    if (this.#done) return DONE;
    if (this.#signal.aborted) {
      this.#finish();
      return DONE;
    }
    if (this.#settings.closed.aborted) {
      this.#finish();
      return this.#closedError();
    }
    const queue = this.#queue;
    if (queue !== undefined) {
      const event = queue.shift();
      if (queue.length === 0) this.#queue = undefined;
      if (event !== undefined) return { done: false, value: event };
    }
    const failure = this.#failure;
    if (failure !== undefined) {
      this.#finish();
      return failure;
    }
    if (this.#ended) {
      this.#finish();
      return DONE;
    }
    return undefined;
  }

  /** Answers the waiting consumer when there is something to answer, then stops reading until it pulls again. */
  #settle(): void {
    const resolve = this.#resolve;
    const reject = this.#reject;
    if (resolve === undefined || reject === undefined) {
      this.#pause();
      return;
    }
    this.#resolve = undefined;
    this.#reject = undefined;
    const result = this.#poll();
    if (result === undefined) {
      this.#resolve = resolve;
      this.#reject = reject;
      return;
    }
    this.#pause();
    if (result instanceof Error) reject(result);
    else resolve(result);
  }

  /** Waits on the server: starts or resumes the body, under the watchdog. */
  #read(): void {
    const body = this.#response.body;
    this.waitingSince = this.#settings.watchdog.now();
    this.#settings.watchdog.add(this);
    if (!this.#started) {
      this.#started = true;
      this.#response.observe(this);
    }
    body.resume();
  }

  #pause(): void {
    this.#settings.watchdog.remove(this);
    if (!this.#done) this.#response.body.pause();
  }

  #closedError(): ClientClosedError {
    return new ClientClosedError(`${this.#what}: the client was closed`);
  }

  #describe(err: Error): Error {
    if (this.#settings.closed.aborted) return this.#closedError();
    if (err instanceof WatchStalledError || err instanceof WatchDecodeError || err instanceof ClientClosedError || err instanceof ResponseTooLargeError) return err;
    return new ConnectionError(`${this.#what}: the watch stream failed: ${err.message}`, { cause: err });
  }

  /** Ends the iteration and frees the stream (idempotent). */
  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#settings.watchdog.remove(this);
    this.#queue = undefined;
    this.discard();
    this.#response.destroy();
    const resolve = this.#resolve;
    this.#resolve = undefined;
    this.#reject = undefined;
    resolve?.(DONE);
  }
}
