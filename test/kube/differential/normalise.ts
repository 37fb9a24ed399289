// Turns one server's answer into a form comparable with the other's: what
// must differ between two servers (uids, timestamps, resourceVersion values,
// generated names, continue tokens, the server's address, the real cluster's
// own objects) is replaced by tokens; everything else is kept as sent.
import type { Answer } from './http.ts';

/** Per server and per group: what was seen so far, so that equal inputs get equal tokens. */
export class Tokens {
  readonly #rvs = new Map<string, string>();
  readonly #uids = new Map<string, string>();
  #maxRv = -1n;
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  /**
   * `rv#k`: k-th distinct resourceVersion of the group in order of first
   * appearance; `<` marks one that is older than an RV seen before it, so
   * that relative order is compared too.
   */
  rv(value: string): string {
    const known = this.#rvs.get(value);
    if (known !== undefined) return known;
    let token = `rv#${this.#rvs.size + 1}`;
    if (/^\d{1,30}$/.test(value)) {
      const n = BigInt(value);
      if (n < this.#maxRv) token += '<';
      else this.#maxRv = n;
    } else token += '?';
    this.#rvs.set(value, token);
    return token;
  }

  /** Whether `value` is at least every object RV seen so far (a list's RV must be). */
  notOlderThanSeen(value: string): boolean {
    return /^\d{1,30}$/.test(value) && BigInt(value) >= this.#maxRv;
  }

  uid(value: string): string {
    let token = this.#uids.get(value);
    if (token === undefined) {
      token = `uid#${this.#uids.size + 1}`;
      this.#uids.set(value, token);
    }
    return token;
  }

  /** Known resourceVersions and uids inside free text (Status messages). */
  text(value: string): string {
    let out = value;
    for (const [uid, token] of this.#uids) out = out.split(uid).join(token);
    out = out.split(this.url).join('<server>').split(new URL(this.url).host).join('<server>');
    // The store's current RV moves with the real cluster's own writes (leases): never compared.
    out = out.replace(/current: \d+/g, 'current: <current-rv>');
    out = out.replace(/(resource ?version[^0-9"]{0,40}|continue[^0-9"]{0,40})(\d+)/gi, (_m, lead: string, rv: string) => `${lead}${this.#rvs.get(rv) ?? '<rv>'}`);
    return out;
  }
}

/** Objects of the group's own namespaces only: the real cluster has its own (kube-system, default, leases...). */
export function ours(item: unknown, prefix: string): boolean {
  if (!isRecord(item)) return true;
  const meta = isRecord(item['metadata']) ? item['metadata'] : isRecord(item['object']) && isRecord(item['object']['metadata']) ? item['object']['metadata'] : undefined;
  if (meta === undefined) return true;
  const ns = meta['namespace'];
  if (typeof ns === 'string') return ns.startsWith(prefix);
  const name = meta['name'];
  return typeof name === 'string' ? name.startsWith(prefix) : true;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const readHeaders = ['content-type', 'content-encoding', 'warning', 'retry-after', 'location'];

export interface Normalised {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  events?: unknown[];
}

export function normaliseAnswer(answer: Answer, tokens: Tokens, prefix: string): Normalised {
  const headers: Record<string, string> = {};
  for (const name of readHeaders) {
    const value = answer.headers[name];
    if (value !== undefined) headers[name] = tokens.text(Array.isArray(value) ? value.join(', ') : value);
  }
  const out: Normalised = { status: answer.status, headers, body: undefined };
  if (answer.events !== undefined) {
    out.events = answer.events.filter((e) => ours(e, prefix)).map((e) => normaliseEvent(e, tokens, prefix));
    return out;
  }
  if (/protobuf/.test(headers['content-type'] ?? '')) {
    out.body = '<protobuf>';
    return out;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    out.body = { text: tokens.text(answer.text.length > 300 ? `${answer.text.slice(0, 300)}...` : answer.text) };
    return out;
  }
  out.body = normaliseValue(parsed, tokens, prefix, []);
  return out;
}

function normaliseEvent(event: unknown, tokens: Tokens, prefix: string): unknown {
  if (!isRecord(event)) return event;
  if (event['type'] === 'BOOKMARK' && isRecord(event['object']) && isRecord(event['object']['metadata'])) {
    const meta = event['object']['metadata'];
    const rv = meta['resourceVersion'];
    const copy = { ...event, object: { ...event['object'], metadata: { ...meta, resourceVersion: typeof rv === 'string' && tokens.notOlderThanSeen(rv) ? '<bookmark-rv>' : '<bookmark-rv older than an event>' } } };
    return normaliseValue(copy, tokens, prefix, []);
  }
  return normaliseValue(event, tokens, prefix, []);
}

const timeKeys = new Set(['creationTimestamp', 'deletionTimestamp', 'time', 'lastTimestamp', 'firstTimestamp', 'eventTime']);

function normaliseValue(value: unknown, tokens: Tokens, prefix: string, path: string[]): unknown {
  if (typeof value === 'string') {
    const key = path[path.length - 1];
    if (key === 'uid') return tokens.uid(value);
    if (key !== undefined && timeKeys.has(key)) return '<time>';
    if (path.includes('cells') && /^\d+(ms|s|m|h|d)/.test(value)) return '<age>';
    return tokens.text(value);
  }
  if (Array.isArray(value)) {
    const key = path[path.length - 1];
    const kept = key === 'items' || key === 'rows' ? value.filter((v) => ours(v, prefix)) : value;
    return kept.map((v, i) => normaliseValue(v, tokens, prefix, [...path, String(i)]));
  }
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  const isList = path.length === 0 && (Array.isArray(value['items']) || Array.isArray(value['rows']));
  // Item RVs first, so that a list's own RV is judged against them.
  const keys = Object.keys(value).sort((a, b) => (a === 'metadata' && isList ? 1 : b === 'metadata' && isList ? -1 : 0));
  for (const key of keys) {
    const v = value[key];
    if (key === 'metadata' && isRecord(v)) {
      out[key] = normaliseMetadata(v, tokens, prefix, [...path, key], isList);
    } else if (key === 'resourceVersion' && typeof v === 'string' && v !== '') {
      out[key] = tokens.rv(v);
    } else {
      out[key] = normaliseValue(v, tokens, prefix, [...path, key]);
    }
  }
  // Keys keep the server's order out of the comparison.
  return Object.fromEntries(Object.keys(value).map((k) => [k, out[k]]));
}

function normaliseMetadata(meta: Record<string, unknown>, tokens: Tokens, prefix: string, path: string[], isList: boolean): unknown {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(meta)) {
    if (key === 'resourceVersion' && typeof v === 'string' && v !== '') {
      // A list's RV is the store's current one: the real cluster's own writes (leases) move it, so only its order is compared.
      out[key] = isList ? (tokens.notOlderThanSeen(v) ? '<list-rv>' : '<list-rv older than an item>') : tokens.rv(v);
    } else if (key === 'continue' && typeof v === 'string' && v !== '') {
      out[key] = '<continue>';
    } else if (key === 'name' && typeof v === 'string' && typeof meta['generateName'] === 'string' && v.startsWith(meta['generateName'])) {
      out[key] = `${meta['generateName']}<generated>`;
    } else if (key === 'managedFields' && Array.isArray(v)) {
      out[key] = v.map((entry, i) => normaliseValue(entry, tokens, prefix, [...path, key, String(i)]));
    } else {
      out[key] = normaliseValue(v, tokens, prefix, [...path, key]);
    }
  }
  return out;
}
