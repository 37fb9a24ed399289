/**
 * What JSON.parse cannot tell: repeated keys within one object, where keys
 * are in the text, and the literal text of numbers a double may not hold.
 * kube-apiserver's decoder (Go's encoding/json with strict checks) reports a
 * repeated key as `duplicate field "path"` and decodes the later value into
 * the earlier one, so two objects under one key are merged.
 */
export interface DecodedJson {
  value: unknown;
  /** The path of every repeated key (`data.a`, `spec.containers[0].name`), in document order. */
  duplicates: { path: string; offset: number }[];
  /** Offset in the text of the first occurrence of the keys at `paths` (the text is read again). */
  keyOffsets: (paths: Iterable<string>) => Map<string, number>;
  /** The literal of every number that is not a plain safe integer (`1.5`, `1.0e3`), by path. */
  numberTexts: Map<string, string>;
}

/** `parent.key`, or `key` at the top. */
export function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

const plainSafeInteger = /^-?\d{1,15}$/;

/** Thrown to stop reading once every wanted key offset is known. */
const allFound = new Error('all key offsets found');

/** Whether a character code can be part of a JSON number. */
function numberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

class Reader {
  readonly text: string;
  pos = 0;
  readonly duplicates: { path: string; offset: number }[] = [];
  /** Paths whose key offsets are wanted; undefined: none. */
  readonly wanted: ReadonlySet<string> | undefined;
  readonly keyOffsets = new Map<string, number>();
  readonly numberTexts = new Map<string, string>();
  /** The path to the value being read, one segment (`.key`, `[i]`) per level; joined only when needed. */
  readonly segments: string[] = [];

  constructor(text: string, wanted?: ReadonlySet<string>) {
    this.text = text;
    this.wanted = wanted;
  }

  path(): string {
    const joined = this.segments.join('');
    return joined.startsWith('.') ? joined.slice(1) : joined;
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  string(): string {
    const t = this.text;
    const start = this.pos;
    let i = start + 1;
    let escaped = false;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x5c) {
        escaped = true;
        i++;
      } else if (c === 0x22) break;
    }
    this.pos = i + 1;
    return escaped ? (JSON.parse(t.slice(start, i + 1)) as string) : t.slice(start + 1, i);
  }

  value(): unknown {
    this.skipSpace();
    const t = this.text;
    const c = t.charCodeAt(this.pos);
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x22) return this.string();
    if (c === 0x74) {
      this.pos += 4;
      return true;
    }
    if (c === 0x66) {
      this.pos += 5;
      return false;
    }
    if (c === 0x6e) {
      this.pos += 4;
      return null;
    }
    const start = this.pos;
    while (this.pos < t.length && numberChar(t.charCodeAt(this.pos))) this.pos++;
    const literal = t.slice(start, this.pos);
    if (!plainSafeInteger.test(literal)) this.numberTexts.set(this.path(), literal);
    return Number(literal);
  }

  object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++; // {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      const offset = this.pos;
      const key = this.string();
      this.skipSpace();
      this.pos++; // :
      this.segments.push(`.${key}`);
      const v = this.value();
      if (Object.hasOwn(out, key)) {
        this.duplicates.push({ path: this.path(), offset });
        setOwn(out, key, mergeDuplicate(out[key], v));
      } else {
        if (this.wanted !== undefined) {
          const path = this.path();
          if (this.wanted.has(path)) {
            this.keyOffsets.set(path, offset);
            if (this.keyOffsets.size === this.wanted.size) throw allFound;
          }
        }
        setOwn(out, key, v);
      }
      this.segments.pop();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos++) === 0x7d) return out;
    }
  }

  array(): unknown[] {
    const out: unknown[] = [];
    this.pos++; // [
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.segments.push(`[${String(out.length)}]`);
      out.push(this.value());
      this.segments.pop();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos++) === 0x5d) return out;
    }
  }
}

/** `o[key] = v`, where a key named __proto__ is data, as JSON.parse makes it. */
function setOwn(o: Record<string, unknown>, key: string, v: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
  else o[key] = v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go decodes a repeated key's value into the earlier one: objects merge, anything else replaces. */
function mergeDuplicate(earlier: unknown, later: unknown): unknown {
  if (!isPlainObject(earlier) || !isPlainObject(later)) return later;
  for (const [k, v] of Object.entries(later)) {
    setOwn(earlier, k, Object.hasOwn(earlier, k) ? mergeDuplicate(earlier[k], v) : v);
  }
  return earlier;
}

/**
 * Decodes `text`, which must be JSON that JSON.parse accepted and whose depth
 * was checked (see json-depth.ts): this reader does not look for errors.
 */
export function decodeJson(text: string): DecodedJson {
  const reader = new Reader(text);
  const value = reader.value();
  const keyOffsets = (paths: Iterable<string>): Map<string, number> => {
    const wanted = new Set(paths);
    if (wanted.size === 0) return new Map();
    const again = new Reader(text, wanted);
    try {
      again.value();
    } catch (err) {
      if (err !== allFound) throw err;
    }
    return again.keyOffsets;
  };
  return { value, duplicates: reader.duplicates, keyOffsets, numberTexts: reader.numberTexts };
}

/** A value that came from elsewhere (protobuf): nothing repeated, no number literals. */
export function decodedValue(value: unknown): DecodedJson {
  return { value, duplicates: [], keyOffsets: () => new Map(), numberTexts: new Map() };
}
