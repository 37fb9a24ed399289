import type { Readable } from 'node:stream';
import type { WatchEvent } from '../manager/types.ts';
import type { Clock } from '../util/clock.ts';
import { ClientClosedError, ConnectionError, WatchDecodeError, WatchStalledError } from './errors.ts';
import type { TransportResponse } from './transport.ts';
import { WatchDecoder } from './watch-decoder.ts';

export interface WatchStreamOptions {
  clock: Clock;
  signal: AbortSignal;
  /** No byte for this long while waiting on the server ends the watch with WatchStalledError. */
  stallTimeoutMs: number;
  maxEventBytes: number;
  /** Names the watch in error messages, e.g. `watch secrets in "ns"`. */
  what: string;
}

type Result = IteratorResult<WatchEvent, undefined>;

const DONE: Result = Object.freeze({ done: true, value: undefined });

/** The watch a body stream feeds, so that its listeners are shared functions rather than closures per watch. */
const kWatch = Symbol('watch');
type Body = Readable & { [kWatch]?: WatchEvents };

function watchOf(body: Readable): WatchEvents | undefined {
  return (body as Body)[kWatch];
}
function onData(this: Readable, chunk: Buffer): void {
  watchOf(this)?.onData(chunk);
}
function onEnd(this: Readable): void {
  watchOf(this)?.onEnd();
}
function onError(this: Readable, err: Error): void {
  watchOf(this)?.onError(err);
}
function onClose(this: Readable): void {
  watchOf(this)?.onClose();
}

/**
 * The events of a 200 watch response. The iteration ends when the server
 * ends the stream or `signal` aborts; it throws WatchDecodeError for a
 * malformed line, WatchStalledError when the server sent nothing for the
 * stall timeout (measured only while waiting on the server, never while the
 * consumer holds an event), ConnectionError when the stream breaks, and
 * ClientClosedError when the client is closed. The body is read only while
 * the consumer waits for an event: it is paused (HTTP/2 flow control then
 * holds the server back) while decoded events wait to be pulled. The stream
 * is freed whenever the iteration stops, `break` included.
 */
export function watchStream(response: TransportResponse, options: WatchStreamOptions): AsyncIterableIterator<WatchEvent, undefined, undefined> {
  return new WatchEvents(response, options);
}

class WatchEvents implements AsyncIterableIterator<WatchEvent, undefined, undefined> {
  readonly #response: TransportResponse;
  readonly #options: WatchStreamOptions;
  readonly #decoder: WatchDecoder;
  /** Decoded events the consumer has not pulled yet. */
  #queue: WatchEvent[] = [];
  /** The consumer's pending next(). */
  #waiter: { resolve: (result: Result) => void; reject: (err: unknown) => void } | undefined;
  /** Delivered once the queue is empty. */
  #failure: Error | undefined;
  #stalled: WatchStalledError | undefined;
  #started = false;
  /** The server ended the body. */
  #ended = false;
  /** The iteration is over and the stream freed. */
  #done = false;
  #timer: unknown;

  constructor(response: TransportResponse, options: WatchStreamOptions) {
    this.#response = response;
    this.#options = options;
    this.#decoder = new WatchDecoder(options.maxEventBytes);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<Result> {
    if (this.#waiter !== undefined) return Promise.reject(new TypeError(`${this.#options.what}: next() called while the previous next() is pending`));
    const result = this.#poll();
    if (result instanceof Error) return Promise.reject(result);
    if (result !== undefined) return Promise.resolve(result);
    return new Promise<Result>((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#read();
    });
  }

  return(): Promise<Result> {
    this.#finish();
    return Promise.resolve(DONE);
  }

  onData(chunk: Buffer): void {
    if (this.#done) return;
    this.#disarm();
    let events: WatchEvent[];
    try {
      events = this.#decoder.push(chunk);
    } catch (err) {
      this.#failure = err as Error;
      this.#response.destroy();
      this.#settle();
      return;
    }
    if (events.length > 0) {
      if (this.#queue.length === 0) this.#queue = events;
      else this.#queue.push(...events);
    }
    this.#settle();
    if (this.#waiter !== undefined) this.#arm();
  }

  onEnd(): void {
    if (this.#done) return;
    this.#disarm();
    this.#ended = true;
    try {
      const last = this.#decoder.end();
      if (last !== undefined) this.#queue.push(last);
    } catch (err) {
      this.#failure = err as Error;
    }
    this.#settle();
  }

  onError(err: Error): void {
    if (this.#done) return;
    this.#disarm();
    this.#failure ??= this.#describe(err);
    this.#settle();
  }

  onClose(): void {
    if (this.#done || this.#ended) return;
    this.#disarm();
    this.#failure ??= new ConnectionError(`${this.#options.what}: the watch stream failed: the stream closed before the end of the response`);
    this.#settle();
  }

  /** The next result, an Error to throw, or undefined when the server must be waited on. */
  #poll(): Result | Error | undefined {
    if (this.#done) return DONE;
    if (this.#options.signal.aborted) {
      this.#finish();
      return DONE;
    }
    const event = this.#queue.shift();
    if (event !== undefined) return { done: false, value: event };
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

  /** Answers the waiting consumer when there is something to answer; pauses the body while nobody waits. */
  #settle(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) {
      if (!this.#done) this.#response.body.pause();
      return;
    }
    this.#waiter = undefined;
    const result = this.#poll();
    if (result === undefined) {
      this.#waiter = waiter;
      return;
    }
    if (!this.#done) this.#response.body.pause();
    if (result instanceof Error) waiter.reject(result);
    else waiter.resolve(result);
  }

  /** Waits on the server: starts or resumes the body and arms the stall timer. */
  #read(): void {
    const body = this.#response.body as Body;
    if (!this.#started) {
      this.#started = true;
      body[kWatch] = this;
      body.on('end', onEnd);
      body.on('error', onError);
      body.on('close', onClose);
      body.on('data', onData);
    }
    body.resume();
    this.#arm();
  }

  #arm(): void {
    const { clock, stallTimeoutMs, what } = this.#options;
    this.#timer = clock.setTimeout(() => {
      this.#stalled = new WatchStalledError(`${what}: no data from the server for ${stallTimeoutMs} ms; the watch was stopped`);
      this.#failure = this.#stalled;
      this.#response.destroy(this.#stalled);
      this.#settle();
    }, stallTimeoutMs);
  }

  #disarm(): void {
    this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #describe(err: Error): Error {
    if (err === this.#stalled || err instanceof WatchDecodeError || err instanceof ClientClosedError) return err;
    return new ConnectionError(`${this.#options.what}: the watch stream failed: ${err.message}`, { cause: err });
  }

  /** Ends the iteration and frees the stream (idempotent). */
  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#disarm();
    this.#queue = [];
    this.#response.destroy();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(DONE);
  }
}
