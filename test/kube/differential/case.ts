// The shape of the differential corpus: groups of requests sent in the same
// order to kube-apiserver and to the embedded server, each group in a fresh
// namespace. Strings in a path, header or body may hold placeholders filled
// per server: `{ns}` (the group's namespace) and `{name}` for every value a
// step saved earlier in the same group (`save`).

/** One HTTP request of the corpus. */
export interface Step {
  /** Unique within its group; the case id is `<group>/<name>`. */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent verbatim (no URL normalisation), after placeholders are filled. */
  path: string;
  headers?: Record<string, string>;
  /** A string is sent as is; any other value as JSON. */
  body?: unknown;
  /** Values to keep for later steps of the group: placeholder name to a dotted path in the parsed answer. */
  save?: Record<string, string>;
  /** A watch: events are read until `events` have come, or 3 s pass, then the stream is closed. */
  watch?: { events: number; during?: Step[] };
  /** Not compared: a set-up request (its answer must still be 2xx on both servers). */
  setup?: boolean;
}

/** A fault applied to both servers between steps (only what both can do). */
export interface Action {
  name: string;
  action: 'compact';
}

export type Entry = Step | Action;

export interface Group {
  /** A topic of the summary table (discovery, get, list, selectors, ...). */
  topic: string;
  /** Unique in the corpus. */
  name: string;
  /** The group's steps run in a namespace made for it (`{ns}`) unless false. */
  namespace?: boolean;
  steps: Entry[];
}

export function isAction(entry: Entry): entry is Action {
  return 'action' in entry;
}
