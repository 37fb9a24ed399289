import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { GetObjectFunc, ListObjectFunc, ListOptions, WatchEvent, WatchObjectFunc } from '../api/types.ts';
import { nameFieldSelector } from '../manager/object-names.ts';
import { StatusError, newNotFound, type GroupResource } from '../api/status-error.ts';
import { WatchStream } from './watch-stream.ts';

type Verb = 'get' | 'list' | 'watch';

export interface RecordedCall {
  verb: Verb;
  namespace: string;
  name?: string;
  /** Get options are a subset of list options. */
  options: ListOptions;
}

interface HistoryEntry {
  resourceVersion: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubernetesObject;
}

interface OpenWatch {
  namespace: string;
  selector: Selector;
  stream: WatchStream;
}

type Selector = (object: KubernetesObject) => boolean;

/**
 * An in-memory source of one namespaced resource for tests: get, list and
 * watch functions in the shapes the managers take, backed by objects with a
 * global resourceVersion and a bounded event history, like an API server.
 * Every call is recorded; faults can be injected per verb; open watches can be
 * dropped, broken or made to resume into a 410.
 */
export class FakeObjectSource {
  readonly groupResource: GroupResource;
  readonly calls: RecordedCall[] = [];
  readonly #objects = new Map<string, KubernetesObject>();
  readonly #history: HistoryEntry[] = [];
  readonly #historyLimit: number;
  readonly #watches = new Set<OpenWatch>();
  readonly #faults: Record<Verb, Error[]> = { get: [], list: [], watch: [] };
  #resourceVersion = 1;
  #oldestResumable = 1;

  constructor(options: { groupResource?: GroupResource; historyLimit?: number } = {}) {
    this.groupResource = options.groupResource ?? { group: '', resource: 'secrets' };
    this.#historyLimit = options.historyLimit ?? 1_000;
  }

  /** The current resourceVersion (of the last write). */
  get resourceVersion(): string {
    return String(this.#resourceVersion);
  }

  /** Watches open now. */
  get activeWatches(): number {
    return this.#watches.size;
  }

  /** Calls recorded for one verb (optionally one object name). */
  callsOf(verb: Verb, name?: string): RecordedCall[] {
    return this.calls.filter((c) => c.verb === verb && (name === undefined || c.name === name || selectsName(c.options, name)));
  }

  /** Creates or replaces an object; returns the stored copy with its new resourceVersion. */
  set(object: KubernetesObject): KubernetesObject {
    const namespace = object.metadata?.namespace;
    const name = object.metadata?.name;
    if (namespace === undefined || name === undefined) throw new TypeError('FakeObjectSource.set: object needs metadata.namespace and metadata.name');
    const key = `${namespace}/${name}`;
    const existed = this.#objects.has(key);
    const stored = structuredClone(object);
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.#resourceVersion) };
    this.#objects.set(key, stored);
    this.#record(existed ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  /** Deletes an object; the DELETED event carries its last state at the delete's resourceVersion. */
  delete(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const object = this.#objects.get(key);
    if (object === undefined) throw newNotFound(this.groupResource, name);
    this.#objects.delete(key);
    const last = structuredClone(object);
    last.metadata = { ...last.metadata, resourceVersion: String(++this.#resourceVersion) };
    this.#record('DELETED', last);
  }

  /** The next `times` calls of `verb` reject with `error` (a watch: its request fails). */
  failNext(verb: Verb, error: Error, times = 1): void {
    for (let i = 0; i < times; i++) this.#faults[verb].push(error);
  }

  /** Forgets every fault not yet injected. */
  clearFaults(): void {
    for (const list of Object.values(this.#faults)) list.length = 0;
  }

  /** Ends every open watch cleanly, as a server timeout or restart does. */
  dropWatches(): void {
    for (const watch of this.#watches) watch.stream.end();
  }

  /** Breaks every open watch: its iterator throws `error`. */
  breakWatches(error: unknown = new Error('connection reset')): void {
    for (const watch of this.#watches) watch.stream.fail(error);
  }

  /** Forgets the event history: watches resuming from an older version get a 410 Expired ERROR event. */
  compact(): void {
    this.#history.length = 0;
    this.#oldestResumable = this.#resourceVersion;
  }

  /** Sends an ERROR event with a 410 Expired status on every open watch, then ends them. */
  expireWatches(): void {
    for (const watch of this.#watches) {
      watch.stream.push({ type: 'ERROR', object: expiredStatus() });
      watch.stream.end();
    }
  }

  readonly getObject: GetObjectFunc = (namespace, name, options) => {
    this.calls.push({ verb: 'get', namespace, name, options: { ...options } });
    const fault = this.#faults.get.shift();
    if (fault !== undefined) return Promise.reject(fault);
    const object = this.#objects.get(`${namespace}/${name}`);
    if (object === undefined) return Promise.reject(newNotFound(this.groupResource, name));
    return Promise.resolve(structuredClone(object));
  };

  readonly listObject: ListObjectFunc = (namespace, options) => {
    this.calls.push({ verb: 'list', namespace, options: { ...options } });
    const fault = this.#faults.list.shift();
    if (fault !== undefined) return Promise.reject(fault);
    let selector: Selector;
    try {
      selector = parseFieldSelector(options.fieldSelector);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const items = [...this.#objects.values()].filter((o) => o.metadata?.namespace === namespace && selector(o)).map((o) => structuredClone(o));
    const list: KubernetesListObject<KubernetesObject> = {
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: this.resourceVersion },
      items,
    };
    return Promise.resolve(list);
  };

  readonly watchObject: WatchObjectFunc = (namespace, options, signal) => {
    this.calls.push({ verb: 'watch', namespace, options: { ...options } });
    const fault = this.#faults.watch.shift();
    if (fault !== undefined) return Promise.reject(fault);
    try {
      return Promise.resolve(this.#openWatch(namespace, options, signal));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };

  #openWatch(namespace: string, options: ListOptions, signal: AbortSignal): WatchStream {
    const selector = parseFieldSelector(options.fieldSelector);
    const watch: OpenWatch = { namespace, selector, stream: new WatchStream(signal, () => this.#watches.delete(watch)) };
    const matches = (o: KubernetesObject): boolean => o.metadata?.namespace === namespace && selector(o);
    const rv = options.resourceVersion ?? '';
    if (rv === '' || rv === '0') {
      for (const object of this.#objects.values()) if (matches(object)) watch.stream.push({ type: 'ADDED', object: structuredClone(object) });
    } else {
      const from = Number(rv);
      if (!Number.isInteger(from) || from < this.#oldestResumable) {
        watch.stream.push({ type: 'ERROR', object: expiredStatus() });
        watch.stream.end();
        return watch.stream;
      }
      for (const entry of this.#history) {
        if (entry.resourceVersion > from && matches(entry.object)) watch.stream.push({ type: entry.type, object: structuredClone(entry.object) });
      }
    }
    if (!signal.aborted) this.#watches.add(watch);
    return watch.stream;
  }

  #record(type: HistoryEntry['type'], object: KubernetesObject): void {
    this.#history.push({ resourceVersion: this.#resourceVersion, type, object });
    if (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.shift();
      if (dropped !== undefined) this.#oldestResumable = dropped.resourceVersion;
    }
    for (const watch of this.#watches) {
      if (object.metadata?.namespace === watch.namespace && watch.selector(object)) {
        const event: WatchEvent = { type, object: structuredClone(object) };
        watch.stream.push(event);
      }
    }
  }
}

function expiredStatus(): KubernetesObject {
  return StatusError.of(410, 'Expired', 'too old resource version').status;
}

function selectsName(options: ListOptions, name: string): boolean {
  return options.fieldSelector === nameFieldSelector(name);
}

/**
 * Supports `metadata.name=x` and `metadata.namespace=y`, comma-joined, with
 * `\`, `,` and `=` in values escaped by a backslash as the API server's
 * grammar has it; anything else is a 400 as from the API server.
 */
function parseFieldSelector(selector: string | undefined): Selector {
  if (selector === undefined || selector === '') return () => true;
  const terms = splitEscaped(selector, ',').map((term) => {
    const [field, ...rest] = splitEscaped(term, '=');
    if ((field !== 'metadata.name' && field !== 'metadata.namespace') || rest.length !== 1) {
      throw StatusError.of(400, 'BadRequest', `"${term}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    return { field, value: (rest[0] ?? '').replace(/\\(.)/g, '$1') };
  });
  return (o) => terms.every((t) => (t.field === 'metadata.name' ? o.metadata?.name : o.metadata?.namespace) === t.value);
}

/** Splits on `separator` where it is not escaped by a backslash; escapes are kept. */
function splitEscaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\\') {
      current += c + (text[i + 1] ?? '');
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}
