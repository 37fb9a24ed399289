import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { WatchListSupport } from '../api/watch-list-support.ts';
import type { ListOptions, WatchEvent } from '../api/types.ts';
import { realClock, type Clock, type ClockOptions } from '../util/clock.ts';
import { checkDurationMs } from '../util/duration.ts';
import { sleep } from '../util/sleep.ts';
import { KomError, MalformedResponseError } from '../api/errors.ts';
import {
  StatusError,
  findStatusError,
  hasErrorCode,
  isBadRequest,
  isInvalid,
  isResourceExpired,
  isResourceVersionTooLarge,
  isSourceClosed,
  isTooManyRequests,
} from '../api/status-error.ts';
import { Backoff, resolveBackoffOptions, type BackoffOptions } from './backoff.ts';

/** What a reflector writes into: the write half of a store. */
export interface ReflectorStore {
  /** The full state after a list; `resourceVersion` is the list's. */
  replace(objects: KubernetesObject[], resourceVersion: string): void;
  add(object: KubernetesObject): void;
  update(object: KubernetesObject): void;
  /** `object` is the last state of the deleted object. */
  delete(object: KubernetesObject): void;
}

export type ReflectorListFunc = (options: ListOptions, signal: AbortSignal) => Promise<KubernetesListObject<KubernetesObject>>;
export type ReflectorWatchFunc = (
  options: ListOptions,
  signal: AbortSignal,
) => AsyncIterable<WatchEvent> | Promise<AsyncIterable<WatchEvent>>;

/**
 * The reflector keeps the options object it is given and reads it when it
 * needs a value: `list`, `watch` and `onError` are called as its methods
 * (`this` is the options object), and `name` is read only to build an error.
 * So a class instance with methods and getters can be the options of many
 * reflectors without a closure or a name string per reflector.
 */
export interface ReflectorOptions extends ClockOptions {
  /** Names what is reflected, for error messages: `secrets "ns"/"name"`. */
  name: string;
  list: ReflectorListFunc;
  watch: ReflectorWatchFunc;
  store: ReflectorStore;
  backoff?: BackoffOptions;
  /** Source of randomness for jitter and watch timeouts. @default Math.random */
  random?: () => number;
  /** Watches ask for a server timeout uniform in [min, 2 x min), in [1 s, 12 days]. @default 300_000 (5 min) */
  minWatchTimeoutMs?: number;
  /** Page size of lists served from the watch cache (resourceVersion "" or "0"). @default 500 */
  pageSize?: number;
  /**
   * Sync with a WatchList request (one watch with `sendInitialEvents=true`
   * whose initial events replace the store, then go on as the watch) instead
   * of a list and a watch, falling back to list and watch when the server
   * refuses it; what the server answered is kept here, shared by every
   * reflector given the same object. Our client's watch functions carry one
   * (`WatchObjectFunc.watchList`, unless the client was created with
   * `watchList: false`). @default undefined: list, then watch
   */
  watchList?: WatchListSupport;
  /**
   * A WatchList stream that sends nothing for this long before its
   * initial-events-end bookmark is given up: the server (or a proxy) does not
   * honour sendInitialEvents, and `watchList` is marked refused. In [1 s,
   * 2^31-1 ms]. @default 10_000
   */
  initialEventsTimeoutMs?: number;
  /** Hears every error the loop recovers from (it always goes on). */
  onError?: (error: ReflectorError) => void;
}

/** Where a reflector's error happened: the list, the WatchList request (up to its initial-events-end bookmark), or a watch. */
export type ReflectorPhase = 'list' | 'watch-list' | 'watch';

/**
 * An error the reflector recovered from, with where it happened; `cause` is
 * what failed (a StatusError, a client error, a WatchEndedError, ...).
 */
export class ReflectorError extends KomError {
  override readonly name = 'ReflectorError';
  readonly code = 'KOM_REFLECTOR';
  readonly phase: ReflectorPhase;
  constructor(reflectorName: string, phase: ReflectorPhase, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${reflectorName}: ${phase} failed: ${reason}`, { cause });
    this.phase = phase;
  }
}

/**
 * A watch that ended before it was of use: the server closed it at once
 * without any event (a very short watch, backed off like a failure), or a
 * WatchList stream ended, or sent nothing for initialEventsTimeoutMs, before
 * its initial-events-end bookmark.
 */
export class WatchEndedError extends KomError {
  override readonly name: string = 'WatchEndedError';
  readonly code = 'KOM_WATCH_ENDED';
}

/**
 * The longest Retry-After honoured: kube-apiserver asks for a second or a few;
 * a server asking for hours (or 10^9 s) must not park a watch that long.
 */
export const maxRetryAfterMs = 60_000;

/** A watch that ended within a second without any event: treated as a failure, so a flapping server is backed off. */
const veryShortWatchMs = 1_000;

/** The annotation of the BOOKMARK that ends a WatchList's initial events. */
export const initialEventsEndAnnotation = 'k8s.io/initial-events-end';

/** A watch already open (the rest of a WatchList request), and when it was asked for. */
interface OpenWatch {
  readonly iterator: AsyncIterator<WatchEvent>;
  readonly startedAt: number;
  readonly events: number;
}

/**
 * Keeps a store equal to the server's state of what `list`/`watch` select:
 * list, then watch from the list's resourceVersion with bookmarks; re-watch
 * when a watch ends; relist after a 410 Expired or any other failure. Restarts
 * of the list-and-watch cycle are paced by exponential backoff with jitter.
 * The loop ends only when the abort signal aborts, or when the source is
 * closed for good (an error with code KOM_CLIENT_CLOSED: the client was
 * closed), which is reported and kept as lastError. A list without a
 * resourceVersion is accepted: the watch then starts from the server's
 * current state ("").
 *
 * With `watchList`, each cycle starts with one WatchList request instead of
 * the list (see syncWithWatchList); the store is replaced when its
 * initial-events-end bookmark arrives, and the same stream goes on as the
 * watch. A refusal (422 or 400) is remembered in `watchList` and the cycle
 * lists instead; any other failure before the bookmark makes this cycle list
 * too (client-go's fallback), so a get never waits on WatchList.
 */
export class Reflector {
  readonly #o: ReflectorOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  /** Made on the first failure: most reflectors never back off. */
  #backoff: Backoff | undefined;
  #lastSyncResourceVersion = '';
  #resourceVersionUnavailable = false;
  #lastError: ReflectorError | undefined;
  readonly #initialEventsTimeoutMs: number;

  constructor(options: ReflectorOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
    // The server timeout is at most twice this, in whole seconds of an int32.
    checkDurationMs('Reflector: minWatchTimeoutMs', options.minWatchTimeoutMs ?? 300_000, { min: 1_000, max: 2 ** 30 });
    this.#initialEventsTimeoutMs = checkDurationMs('Reflector: initialEventsTimeoutMs', options.initialEventsTimeoutMs ?? 10_000, { min: 1_000 });
    resolveBackoffOptions(options.backoff);
  }

  /** The resourceVersion of the last list or event applied; "" before the first list. */
  get lastSyncResourceVersion(): string {
    return this.#lastSyncResourceVersion;
  }

  /** The last error recovered from, cleared by the next successful list. */
  get lastError(): ReflectorError | undefined {
    return this.#lastError;
  }

  /**
   * Runs until `signal` aborts; never rejects. The watch loop is inlined
   * here rather than awaited as a method of its own: a watch waits for
   * minutes in one suspended frame instead of two.
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        // The stream of the WatchList request that synced, watched first.
        let iterator: AsyncIterator<WatchEvent> | undefined;
        let startedAt = 0;
        let events = 0;
        if (this.#o.watchList === undefined) await this.#list(signal);
        else {
          let open = await this.#syncWatchingList(signal, this.#o.watchList);
          if (open !== undefined) ({ iterator, startedAt, events } = open);
          // Not kept in this frame for the life of the watch.
          open = undefined;
        }
        // Watches until a failure (thrown: the cycle relists) or an abort.
        while (!signal.aborted) {
          try {
            if (iterator === undefined) {
              const options: ListOptions = {
                resourceVersion: this.#lastSyncResourceVersion,
                allowWatchBookmarks: true,
                timeoutSeconds: this.#watchTimeoutSeconds(),
              };
              startedAt = this.#clock.now();
              events = 0;
              iterator = (await this.#o.watch(options, signal))[Symbol.asyncIterator]();
            }
            // Pulled by hand rather than by for-await over a wrapper: no
            // object and closure per watch for the life of the watch. Left
            // early (an abort, a bad event), the iterator is returned, as
            // for-await does.
            for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
              if (signal.aborted) {
                await iterator.return?.();
                return;
              }
              try {
                this.#apply(next.value);
              } catch (err) {
                await returnQuietly(iterator);
                throw err;
              }
              events++;
            }
          } catch (err) {
            if (signal.aborted) return;
            if (isRetriableWatchError(err)) {
              // Overloaded or not listening: wait, then watch again from where we were.
              iterator = undefined;
              this.#report(new ReflectorError(this.#o.name, 'watch', err));
              const retryAfterMs = Math.min((findStatusError(err)?.retryAfterSeconds ?? 0) * 1000, maxRetryAfterMs);
              if (!(await sleep(this.#clock, Math.max(this.#nextDelay(), retryAfterMs), signal))) return;
              continue;
            }
            // 410 Expired or anything else: the cycle backs off, then relists.
            throw new ReflectorError(this.#o.name, 'watch', err);
          }
          iterator = undefined;
          if (signal.aborted) return;
          if (events === 0 && this.#clock.now() - startedAt < veryShortWatchMs) {
            throw new ReflectorError(this.#o.name, 'watch', new WatchEndedError('very short watch: the server closed it at once without events'));
          }
          // A clean end (server timeout): watch again at once from the last version.
        }
      } catch (err) {
        if (signal.aborted) break;
        this.#report(err);
        // Nothing can succeed any more: stop instead of retrying forever.
        if (isSourceClosed(err)) break;
      }
      if (!(await sleep(this.#clock, this.#nextDelay(), signal))) break;
    }
  }

  #nextDelay(): number {
    this.#backoff ??= new Backoff(this.#clock, this.#o.backoff, this.#random);
    return this.#backoff.next();
  }

  #report(err: unknown): void {
    const error = err instanceof ReflectorError ? err : new ReflectorError(this.#o.name, 'watch', err);
    this.#lastError = error;
    try {
      this.#o.onError?.(error);
    } catch {
      // A throwing error hook must not stop the loop.
    }
  }

  #relistResourceVersion(): string {
    if (this.#resourceVersionUnavailable) return '';
    return this.#lastSyncResourceVersion === '' ? '0' : this.#lastSyncResourceVersion;
  }

  /** Fills the store by WatchList (answering the open stream) while the server serves it, else by a list. */
  async #syncWatchingList(signal: AbortSignal, support: WatchListSupport): Promise<OpenWatch | undefined> {
    const mode = await support.begin(signal);
    if (signal.aborted) return undefined;
    if (mode !== 'list') {
      const open = await this.#syncWithWatchList(signal, support, mode === 'probe');
      if (open !== undefined || signal.aborted) return open;
    }
    await this.#list(signal);
    return undefined;
  }

  /**
   * One WatchList request, as client-go sends it: sendInitialEvents=true,
   * resourceVersionMatch=NotOlderThan, bookmarks, from the last synced
   * version ("" at first and after a 410: the server's current state, read
   * consistently). kube-apiserver sends an ADDED event per object, in key
   * order (their resourceVersions are not increasing), then a BOOKMARK
   * annotated k8s.io/initial-events-end whose resourceVersion is the
   * state's; the objects replace the store at that version, like a list.
   * Answers the open stream, or undefined when this cycle must list instead
   * (refused, or failed before the bookmark; reported unless refused). A
   * 410 or a too-large resourceVersion retries once at once from "", as
   * client-go does; 429 and a refused connection are thrown to the run
   * loop, which backs off and tries WatchList again.
   */
  async #syncWithWatchList(signal: AbortSignal, support: WatchListSupport, probe: boolean): Promise<OpenWatch | undefined> {
    for (let attempt = 1; ; attempt++) {
      const options: ListOptions = {
        resourceVersion: this.#resourceVersionUnavailable ? '' : this.#lastSyncResourceVersion,
        resourceVersionMatch: 'NotOlderThan',
        sendInitialEvents: true,
        allowWatchBookmarks: true,
        timeoutSeconds: this.#watchTimeoutSeconds(),
      };
      const startedAt = this.#clock.now();
      let iterator: AsyncIterator<WatchEvent> | undefined;
      try {
        try {
          iterator = (await this.#o.watch(options, signal))[Symbol.asyncIterator]();
        } finally {
          // A refusal and a 200 end the probe with their verdict (below); anything else without one.
          if (probe && signal.aborted) support.endProbe('abandoned');
        }
        probe = false;
        if (signal.aborted) return undefined;
        support.served();
        return await this.#readInitialEvents(iterator, startedAt);
      } catch (err) {
        if (iterator !== undefined) void iterator.return?.().catch(ignore);
        if (signal.aborted) return undefined;
        if (isInvalid(err) || isBadRequest(err)) {
          // The server does not serve WatchList: this client lists from now on.
          support.refused(findStatusError(err)?.message ?? String(err));
          return undefined;
        }
        if (err instanceof InitialEventsTimeoutError) {
          support.refused(err.message);
          this.#report(new ReflectorError(this.#o.name, 'watch-list', err));
          return undefined;
        }
        if (probe) support.endProbe('failed');
        probe = false;
        if (isRetriableWatchError(err)) throw new ReflectorError(this.#o.name, 'watch-list', err);
        if ((isResourceExpired(err) || isResourceVersionTooLarge(err)) && attempt === 1) {
          this.#resourceVersionUnavailable = true;
          continue;
        }
        this.#report(new ReflectorError(this.#o.name, 'watch-list', err));
        return undefined;
      }
    }
  }

  /** Reads the initial events up to the initial-events-end bookmark, then replaces the store; throws when the stream ends first. */
  async #readInitialEvents(iterator: AsyncIterator<WatchEvent>, startedAt: number): Promise<OpenWatch> {
    const objects = new Map<string, KubernetesObject>();
    let unnamed = 0;
    let events = 0;
    for (;;) {
      const next = await this.#nextWithin(iterator);
      if (next.done === true) throw new WatchEndedError(`the watch ended after ${events} events, before the ${initialEventsEndAnnotation} bookmark`);
      const event = next.value;
      events++;
      if (event === null || typeof event !== 'object' || event.object === null || typeof event.object !== 'object') {
        throw new MalformedResponseError('watch event without an object');
      }
      if (event.type === 'ERROR') throw new StatusError(event.object);
      const meta = event.object.metadata;
      // Objects without a name cannot be told apart: each is kept (the store ignores what it cannot place).
      const key = typeof meta?.name === 'string' ? `${String(meta.namespace)}/${meta.name}` : `\0${unnamed++}`;
      switch (event.type) {
        case 'ADDED':
        case 'MODIFIED':
          objects.set(key, event.object);
          break;
        case 'DELETED':
          objects.delete(key);
          break;
        case 'BOOKMARK': {
          if (meta?.annotations?.[initialEventsEndAnnotation] !== 'true') break;
          const rv = meta.resourceVersion ?? '';
          if (typeof rv !== 'string') throw new MalformedResponseError(`the ${initialEventsEndAnnotation} bookmark has a ${typeof rv} resourceVersion, not a string`);
          this.#resourceVersionUnavailable = false;
          this.#lastError = undefined;
          this.#o.store.replace([...objects.values()], rv);
          this.#lastSyncResourceVersion = rv;
          return { iterator, startedAt, events };
        }
        default:
          // Unknown event types are skipped, as client-go does.
          break;
      }
    }
  }

  /** The next event, or an InitialEventsTimeoutError when none comes within initialEventsTimeoutMs. */
  #nextWithin(iterator: AsyncIterator<WatchEvent>): Promise<IteratorResult<WatchEvent>> {
    const ms = this.#initialEventsTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        reject(new InitialEventsTimeoutError(`no initial-events-end bookmark and no event for ${ms} ms: the server does not honour sendInitialEvents`));
      }, ms);
      iterator.next().then(
        (next) => {
          this.#clock.clearTimeout(timer);
          resolve(next);
        },
        (err: unknown) => {
          this.#clock.clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  #watchTimeoutSeconds(): number {
    return Math.floor(((this.#o.minWatchTimeoutMs ?? 300_000) * (1 + this.#random())) / 1000);
  }

  async #list(signal: AbortSignal): Promise<void> {
    let list: { items: KubernetesObject[]; resourceVersion: string };
    try {
      list = await this.#listAll(this.#relistResourceVersion(), signal);
    } catch (err) {
      if (signal.aborted) return;
      if (!(isResourceExpired(err) || isResourceVersionTooLarge(err))) throw new ReflectorError(this.#o.name, 'list', err);
      // The version we asked for is gone (or ahead of this server): read the
      // current state at once, consistently.
      this.#resourceVersionUnavailable = true;
      try {
        list = await this.#listAll('', signal);
      } catch (retryErr) {
        if (signal.aborted) return;
        throw new ReflectorError(this.#o.name, 'list', retryErr);
      }
    }
    if (signal.aborted) return;
    this.#resourceVersionUnavailable = false;
    this.#lastError = undefined;
    this.#o.store.replace(list.items, list.resourceVersion);
    this.#lastSyncResourceVersion = list.resourceVersion;
  }

  async #listAll(resourceVersion: string, signal: AbortSignal): Promise<{ items: KubernetesObject[]; resourceVersion: string }> {
    const paged = resourceVersion === '' || resourceVersion === '0';
    const first: ListOptions = { resourceVersion };
    if (paged) first.limit = this.#o.pageSize ?? 500;
    const items: KubernetesObject[] = [];
    let page = await this.#o.list(first, signal);
    for (;;) {
      if (!Array.isArray(page.items)) throw new MalformedResponseError('list response has no items array');
      items.push(...page.items);
      // Wire JSON says `continue`; client-node's deserialised models say `_continue`.
      const meta: { continue?: string; _continue?: string } | undefined = page.metadata;
      const next = meta?.continue ?? meta?._continue;
      if (next === undefined || next === '') break;
      try {
        page = await this.#o.list({ continue: next, limit: first.limit ?? 500 }, signal);
      } catch (err) {
        if (!isResourceExpired(err)) throw err;
        // The continue token expired: one full list without a limit instead.
        items.length = 0;
        page = await this.#o.list({ resourceVersion }, signal);
      }
    }
    const rv = page.metadata?.resourceVersion ?? '';
    if (typeof rv !== 'string') throw new MalformedResponseError(`list response has a ${typeof rv} metadata.resourceVersion, not a string`);
    return { items, resourceVersion: rv };
  }

  #apply(event: WatchEvent): void {
    if (event === null || typeof event !== 'object' || event.object === null || typeof event.object !== 'object') {
      throw new MalformedResponseError('watch event without an object');
    }
    if (event.type === 'ERROR') throw new StatusError(event.object);
    const rv = event.object.metadata?.resourceVersion;
    switch (event.type) {
      case 'ADDED':
        this.#o.store.add(event.object);
        break;
      case 'MODIFIED':
        this.#o.store.update(event.object);
        break;
      case 'DELETED':
        this.#o.store.delete(event.object);
        break;
      case 'BOOKMARK':
        break;
      default:
        // Unknown event types are skipped, as client-go does.
        return;
    }
    if (typeof rv === 'string' && rv !== '') this.#lastSyncResourceVersion = rv;
  }
}

function ignore(): void {}

/** Returns `iterator`, ignoring how its return() ends (the error that left the loop is the one thrown). */
async function returnQuietly(iterator: AsyncIterator<unknown>): Promise<void> {
  try {
    await iterator.return?.();
  } catch {
    // The error that ended the loop wins.
  }
}

/** A WatchList stream went silent before its initial-events-end bookmark: a WatchEndedError (same code) the reflector tells apart. */
class InitialEventsTimeoutError extends WatchEndedError {
  override readonly name = 'InitialEventsTimeoutError';
}

/** Errors after which a watch is retried from the same version: 429 and a refused connection. */
export function isRetriableWatchError(err: unknown): boolean {
  return isTooManyRequests(err) || hasErrorCode(err, 'ECONNREFUSED');
}
