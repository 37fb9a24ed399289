import type { V1Status } from '@kubernetes/client-node';
import type { Clock } from '../util/clock.ts';
import { objectKey } from './resources.ts';
import { toTable } from './table.ts';
import type { KObject, ResourceInfo } from './resources.ts';
import type { FieldSelector, Selector } from './selectors.ts';
import type { StoredEvent, Storage } from './storage.ts';

/** Where a watch writes its newline-delimited JSON events. */
export interface WatchSink {
  /** Writes one line and flushes it. */
  write(line: string): void;
  /** Ends the response cleanly (chunked terminator / END_STREAM). */
  end(): void;
  /** Resets the stream or connection (a dropped watch as a client sees a network failure). */
  destroy(): void;
}

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

/** One open watch stream. */
export class Watcher {
  readonly spec: WatchSpec;
  readonly #sink: WatchSink;
  #hub: WatchHub;
  #timer: unknown;
  #closed = false;
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

  /** Writes a pre-serialised event line. */
  sendLine(text: string): void {
    if (!this.#closed) this.#sink.write(text);
  }

  sendBookmark(rv: number, initialEventsEnd = false): void {
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (initialEventsEnd) metadata['annotations'] = { 'k8s.io/initial-events-end': 'true' };
    this.sendLine(line('BOOKMARK', { kind: this.spec.info.kind, apiVersion: 'v1', metadata }));
  }

  /** Sends an ERROR event with the Status, then ends the stream. */
  fail(status: V1Status): void {
    this.sendLine(line('ERROR', status));
    this.close();
  }

  armTimeout(clock: Clock): void {
    this.#timer = clock.setTimeout(() => {
      if (this.spec.bookmarks) this.sendBookmark(this.#hub.storage.resourceVersion);
      this.close();
    }, this.spec.timeoutMs);
  }

  /** Ends the stream cleanly (or resets it when `abort`); idempotent. */
  close(abort = false): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.clock.clearTimeout(this.#timer);
    this.#hub.remove(this);
    if (abort) this.#sink.destroy();
    else this.#sink.end();
  }

  /** The client went away: forget the watch without writing. */
  detach(): void {
    if (this.#closed) return;
    this.#closed = true;
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
    const fromNow = rv === undefined || rv === '' || rv === '0';
    if (spec.sendInitialEvents ?? fromNow) {
      // A single-object watch looks its object up instead of scanning the resource.
      const current = w.indexKey === undefined ? storage.list(spec.info.name, spec.namespace) : [storage.get(spec.info.name, w.indexKey)];
      for (const obj of current) if (obj !== undefined && w.matches(obj)) w.sendLine(line('ADDED', this.#render(w, obj)));
      if (spec.sendInitialEvents === true && spec.bookmarks) w.sendBookmark(storage.resourceVersion, true);
    } else if (!fromNow) {
      let events: StoredEvent[];
      try {
        events = storage.eventsSince(spec.info.name, Number(rv));
      } catch (err) {
        w.fail((err as { status: V1Status }).status);
        return w;
      }
      for (const ev of events) {
        const text = this.#lineFor(w, ev, new Map());
        if (text !== undefined) w.sendLine(text);
      }
    }
    this.#add(w);
    w.armTimeout(this.clock);
    return w;
  }

  #add(w: Watcher): void {
    this.#all.add(w);
    let rw = this.#byResource.get(w.spec.info.name);
    if (rw === undefined) {
      rw = { byKey: new Map(), others: new Set() };
      this.#byResource.set(w.spec.info.name, rw);
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
    const rw = this.#byResource.get(w.spec.info.name);
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
    const cacheKey = w.spec.table ? `${variant}/table` : variant;
    let text = cache.get(cacheKey);
    if (text === undefined) {
      let object = ev.object;
      if (variant === 'DELETED-prev' && ev.prev !== undefined) {
        object = { ...ev.prev, metadata: { ...ev.prev.metadata, resourceVersion: String(ev.rv) } };
      }
      text = line(type, this.#render(w, object));
      cache.set(cacheKey, text);
    }
    return text;
  }

  #render(w: Watcher, obj: KObject): unknown {
    return w.spec.table ? toTable(w.spec.info, [obj], { resourceVersion: obj.metadata.resourceVersion }, this.clock.now()) : obj;
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
