import type { V1Status } from '@kubernetes/client-node';
import type { Clock } from '../util/clock.ts';
import { maxTimerDelayMs } from '../util/duration.ts';
import { groupVersion, objectKey } from './resources.ts';
import { toTable } from './table.ts';
import { storageName, toServed } from './views.ts';
import type { KObject, ResourceInfo } from './resources.ts';
import type { FieldSelector, Selector } from './selectors.ts';
import type { StoredEvent, Storage } from './storage.ts';

/** Where a watch writes its newline-delimited JSON events. */
export interface WatchSink {
  /** Writes one line; false when the transport's buffer is full: write more only after onDrain. */
  write(line: string): boolean;
  /** Calls `fn` once when the transport can take more after a write answered false. */
  onDrain(fn: () => void): void;
  /** Ends the response cleanly (chunked terminator / END_STREAM). */
  end(): void;
  /** Resets the stream or connection (a dropped watch as a client sees a network failure). */
  destroy(): void;
}

/**
 * Bytes of live events a watch may hold for a client that does not keep up
 * (beyond what the transport itself buffers) before it is cut off with a
 * stream reset, as kube-apiserver's watch cache drops a watcher whose buffer
 * stays full. Initial and replayed events are not held: they are produced
 * from the store as the client reads them.
 */
export const MAX_WATCH_BACKLOG_BYTES = 8 * 1024 * 1024;

/** What one watch asks for, already validated. */
export interface WatchSpec {
  info: ResourceInfo;
  namespace: string | undefined;
  labels: Selector;
  fields: FieldSelector;
  bookmarks: boolean;
  /** undefined, '' or '0': start with ADDED for current objects; else replay history after it. */
  resourceVersion: string | undefined;
  /**
   * true: the current objects as ADDED, then (with bookmarks) a bookmark
   * annotated `k8s.io/initial-events-end`; false: no initial events, only
   * changes after resourceVersion (or from now for '' and '0'); undefined:
   * the legacy rule, ADDED for current objects when resourceVersion is
   * undefined, '' or '0'.
   */
  sendInitialEvents: boolean | undefined;
  timeoutMs: number;
  /** Event objects as one-row meta.k8s.io/v1 Tables (kubectl get -w) instead of the objects. */
  table: boolean;
}

function line(type: string, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}

function bookmarkLine(info: ResourceInfo, rv: number, initialEventsEnd: boolean): string {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (initialEventsEnd) metadata['annotations'] = { 'k8s.io/initial-events-end': 'true' };
  return line('BOOKMARK', { kind: info.kind, apiVersion: groupVersion(info), metadata });
}

/**
 * One open watch stream. Lines go out as fast as the client reads them
 * (following the transport's drain): first the initial or replayed events,
 * produced lazily, then live events, which wait in a queue bounded by
 * MAX_WATCH_BACKLOG_BYTES while the client is behind.
 */
export class Watcher {
  readonly spec: WatchSpec;
  /** Table watches: whether an event carrying the column definitions was rendered (later ones carry null). */
  tableColumnsSent = false;
  readonly #sink: WatchSink;
  #hub: WatchHub;
  #timer: unknown;
  #closed = false;
  /** Initial or replayed lines still to write (undefined items are skipped). */
  #initial: Iterator<string | undefined> | undefined;
  /** Live lines waiting for the client, oldest first from #head. */
  #queue: string[] = [];
  #head = 0;
  #queuedBytes = 0;
  /** A write answered false: nothing more is written until drain. */
  #waiting = false;
  /** Index key (`ns/name`) when the watch selects one object by name. */
  readonly indexKey: string | undefined;

  constructor(hub: WatchHub, spec: WatchSpec, sink: WatchSink) {
    this.#hub = hub;
    this.spec = spec;
    this.#sink = sink;
    const name = spec.fields.name;
    this.indexKey = name !== undefined && (!spec.info.namespaced || spec.namespace !== undefined) ? objectKey(spec.namespace, name) : undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  matches(obj: KObject): boolean {
    if (this.spec.namespace !== undefined && obj.metadata.namespace !== this.spec.namespace) return false;
    return this.spec.fields.matches(obj) && this.spec.labels.matches(obj);
  }

  /** True while lines wait to be written (initial ones, queued ones, or a full transport). */
  get #behind(): boolean {
    return this.#waiting || this.#initial !== undefined || this.#head < this.#queue.length;
  }

  /** Starts writing the initial lines; live lines sent meanwhile wait behind them. */
  sendInitial(lines: Iterator<string | undefined>): void {
    this.#initial = lines;
    this.#flush();
  }

  /** Writes a pre-serialised live line, or queues it while the client is behind. */
  sendLine(text: string): void {
    if (this.#closed) return;
    if (!this.#behind) {
      if (!this.#sink.write(text)) this.#wait();
      return;
    }
    this.#queue.push(text);
    this.#queuedBytes += text.length;
    // A client this far behind is not reading: cut it off with an error (never a clean end with events missing).
    if (this.#queuedBytes > MAX_WATCH_BACKLOG_BYTES) this.close(true);
  }

  #wait(): void {
    this.#waiting = true;
    this.#sink.onDrain(() => {
      this.#waiting = false;
      this.#flush();
    });
  }

  /** Writes waiting lines until the transport is full or none is left. */
  #flush(): void {
    while (!this.#closed && !this.#waiting) {
      let text: string | undefined;
      if (this.#initial !== undefined) {
        const next = this.#initial.next();
        if (next.done === true) {
          this.#initial = undefined;
          continue;
        }
        text = next.value;
        if (text === undefined) continue;
      } else if (this.#head < this.#queue.length) {
        text = this.#queue[this.#head] ?? '';
        this.#queue[this.#head++] = '';
        this.#queuedBytes -= text.length;
        if (this.#head === this.#queue.length) {
          this.#queue = [];
          this.#head = 0;
        }
      } else return;
      if (!this.#sink.write(text)) this.#wait();
    }
  }

  sendBookmark(rv: number): void {
    this.sendLine(bookmarkLine(this.spec.info, rv, false));
  }

  /** Sends an ERROR event with the Status, then ends the stream. */
  fail(status: V1Status): void {
    this.sendLine(line('ERROR', status));
    this.close();
  }

  /**
   * Ends the watch after spec.timeoutMs, which may be far beyond what one
   * timer can wait (2^31-1 ms): it waits in steps no longer than that.
   */
  armTimeout(clock: Clock): void {
    const deadline = clock.now() + this.spec.timeoutMs;
    const arm = (): void => {
      const left = deadline - clock.now();
      if (left > 0) {
        this.#timer = clock.setTimeout(arm, Math.min(left, maxTimerDelayMs));
        return;
      }
      if (this.spec.bookmarks) this.sendBookmark(this.#hub.storage.resourceVersion);
      this.close();
    };
    arm();
  }

  /**
   * Ends the stream cleanly, or resets it when `abort` or when events still
   * wait to be written (a clean end would tell the client it saw them all); idempotent.
   */
  close(abort = false): void {
    if (this.#closed) return;
    const behind = this.#initial !== undefined || this.#head < this.#queue.length;
    this.#closed = true;
    this.#initial = undefined;
    this.#queue = [];
    this.#hub.clock.clearTimeout(this.#timer);
    this.#hub.remove(this);
    if (abort || behind) this.#sink.destroy();
    else this.#sink.end();
  }

  /** The client went away: forget the watch without writing. */
  detach(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#initial = undefined;
    this.#queue = [];
    this.#hub.clock.clearTimeout(this.#timer);
    this.#hub.remove(this);
  }
}

interface ResourceWatchers {
  byKey: Map<string, Set<Watcher>>;
  others: Set<Watcher>;
}

/**
 * Every open watch, indexed by resource and (for single-object watches) by
 * key, fed synchronously by Storage: an event is serialised at most once per
 * shape and the same line is written to every watcher that matches. An object
 * that starts matching a selector arrives as ADDED; one that stops matching
 * arrives as DELETED with its previous state and the new RV.
 */
export class WatchHub {
  readonly storage: Storage;
  readonly clock: Clock;
  #byResource = new Map<string, ResourceWatchers>();
  #all = new Set<Watcher>();
  #unsubscribe: () => void;
  #bookmarkTimer: unknown;
  #bookmarkIntervalMs: number;

  constructor(storage: Storage, clock: Clock, options: { bookmarkIntervalMs: number }) {
    this.storage = storage;
    this.clock = clock;
    this.#bookmarkIntervalMs = options.bookmarkIntervalMs;
    this.#unsubscribe = storage.subscribe((ev) => this.#dispatch(ev));
    this.#armBookmarks();
  }

  /** Number of open watches. */
  get size(): number {
    return this.#all.size;
  }

  #armBookmarks(): void {
    this.#bookmarkTimer = this.clock.setTimeout(() => {
      const rv = this.storage.resourceVersion;
      for (const w of this.#all) if (w.spec.bookmarks) w.sendBookmark(rv);
      this.#armBookmarks();
    }, this.#bookmarkIntervalMs);
  }

  /**
   * Opens a watch: writes the initial events the spec asks for (ADDED for
   * current objects, a replay of history after a resourceVersion, or an ERROR
   * 410 when that history is gone), then registers it for live events.
   */
  start(spec: WatchSpec, sink: WatchSink): Watcher {
    const w = new Watcher(this, spec, sink);
    const rv = spec.resourceVersion;
    const storage = this.storage;
    let initial: Iterator<string | undefined>;
    const fromNow = rv === undefined || rv === '' || rv === '0';
    if (spec.sendInitialEvents ?? fromNow) {
      // A single-object watch looks its object up instead of scanning the resource.
      const current = w.indexKey === undefined ? storage.list(storageName(spec.info), spec.namespace) : [storage.get(storageName(spec.info), w.indexKey)];
      const endRv = spec.sendInitialEvents === true && spec.bookmarks ? storage.resourceVersion : undefined;
      initial = this.#addedLines(w, current, endRv);
    } else if (fromNow) {
      // sendInitialEvents=false from "" or "0": from now on, nothing before.
      initial = [][Symbol.iterator]();
    } else {
      let events: StoredEvent[];
      try {
        events = storage.eventsSince(storageName(spec.info), Number(rv));
      } catch (err) {
        w.fail((err as { status: V1Status }).status);
        return w;
      }
      initial = this.#replayLines(w, events);
    }
    // Registered before the first write: changes from now on queue behind the initial lines.
    this.#add(w);
    w.armTimeout(this.clock);
    w.sendInitial(initial);
    return w;
  }

  /** The lines of past events a watch matches, rendered as they are written. */
  *#replayLines(w: Watcher, events: StoredEvent[]): Generator<string | undefined> {
    for (const ev of events) yield this.#lineFor(w, ev, new Map());
  }

  /** ADDED lines for the current objects a watch matches, rendered as they are written; then the initial-events-end BOOKMARK at `endRv`. */
  *#addedLines(w: Watcher, objects: (KObject | undefined)[], endRv: number | undefined): Generator<string | undefined> {
    for (const obj of objects) if (obj !== undefined && w.matches(obj)) yield line('ADDED', this.#render(w, obj));
    if (endRv !== undefined) yield bookmarkLine(w.spec.info, endRv, true);
  }

  #add(w: Watcher): void {
    this.#all.add(w);
    let rw = this.#byResource.get(storageName(w.spec.info));
    if (rw === undefined) {
      rw = { byKey: new Map(), others: new Set() };
      this.#byResource.set(storageName(w.spec.info), rw);
    }
    if (w.indexKey === undefined) rw.others.add(w);
    else {
      let set = rw.byKey.get(w.indexKey);
      if (set === undefined) {
        set = new Set();
        rw.byKey.set(w.indexKey, set);
      }
      set.add(w);
    }
  }

  remove(w: Watcher): void {
    if (!this.#all.delete(w)) return;
    const rw = this.#byResource.get(storageName(w.spec.info));
    if (rw === undefined) return;
    if (w.indexKey === undefined) rw.others.delete(w);
    else {
      const set = rw.byKey.get(w.indexKey);
      set?.delete(w);
      if (set?.size === 0) rw.byKey.delete(w.indexKey);
    }
  }

  /** The line a watcher gets for an event, or undefined; `cache` shares serialisations. */
  #lineFor(w: Watcher, ev: StoredEvent, cache: Map<string, string>): string | undefined {
    const now = ev.type !== 'DELETED' && w.matches(ev.object);
    const before = ev.prev !== undefined && w.matches(ev.prev);
    let type: string;
    let variant: string;
    if (ev.type === 'DELETED') {
      if (!w.matches(ev.object)) return undefined;
      type = 'DELETED';
      variant = 'DELETED';
    } else if (now) {
      type = before ? 'MODIFIED' : 'ADDED';
      variant = type;
    } else if (before) {
      type = 'DELETED';
      variant = 'DELETED-prev';
    } else return undefined;
    // Watchers of a view (events.k8s.io/v1) share the stored resource's events but not their rendering;
    // a table's column definitions go with each watcher's first event only.
    const cacheKey = w.spec.table ? `${variant}/table/${w.spec.info.group}/${w.tableColumnsSent ? 'later' : 'first'}` : `${variant}/${w.spec.info.group}`;
    let text = cache.get(cacheKey);
    if (text === undefined) {
      let object = ev.object;
      if (variant === 'DELETED-prev' && ev.prev !== undefined) {
        object = { ...ev.prev, metadata: { ...ev.prev.metadata, resourceVersion: String(ev.rv) } };
      }
      text = line(type, this.#render(w, object));
      cache.set(cacheKey, text);
    }
    if (w.spec.table) w.tableColumnsSent = true;
    return text;
  }

  #render(w: Watcher, obj: KObject): unknown {
    if (!w.spec.table) return toServed(w.spec.info, obj);
    const first = !w.tableColumnsSent;
    w.tableColumnsSent = true;
    return toTable(w.spec.info, [obj], { resourceVersion: obj.metadata.resourceVersion }, this.clock.now(), first);
  }

  #dispatch(ev: StoredEvent): void {
    const rw = this.#byResource.get(ev.resource);
    if (rw === undefined) return;
    const cache = new Map<string, string>();
    const targets = [rw.others, rw.byKey.get(ev.key)];
    for (const set of targets) {
      if (set === undefined) continue;
      for (const w of set) {
        const text = this.#lineFor(w, ev, cache);
        if (text !== undefined) w.sendLine(text);
      }
    }
  }

  /** Ends every open watch (cleanly, or with a reset when `abort`); answers how many. */
  closeAll(abort = false): number {
    const all = [...this.#all];
    for (const w of all) w.close(abort);
    return all.length;
  }

  /** Closes every watch and stops the bookmark timer. */
  shutdown(): void {
    this.closeAll();
    this.clock.clearTimeout(this.#bookmarkTimer);
    this.#unsubscribe();
  }
}
