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
  /** Offset in the text of the first occurrence of each object key, by path (read again when asked: it costs an entry per key). */
  keyOffsets: () => Map<string, number> | undefined;
  /** The literal of every number that is not a plain safe integer (`1.5`, `1.0e3`), by path. */
  numberTexts: Map<string, string>;
}

/** `parent.key`, or `key` at the top. */
export function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

const plainSafeInteger = /^-?\d{1,15}$/;

class Reader {
  readonly text: string;
  pos = 0;
  readonly duplicates: { path: string; offset: number }[] = [];
  readonly keyOffsets: Map<string, number> | undefined;
  readonly numberTexts = new Map<string, string>();

  constructor(text: string, withOffsets: boolean) {
    this.text = text;
    this.keyOffsets = withOffsets ? new Map() : undefined;
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

  value(path: string): unknown {
    this.skipSpace();
    const t = this.text;
    const c = t[this.pos];
    if (c === '{') return this.object(path);
    if (c === '[') return this.array(path);
    if (c === '"') return this.string();
    if (t.startsWith('true', this.pos)) {
      this.pos += 4;
      return true;
    }
    if (t.startsWith('false', this.pos)) {
      this.pos += 5;
      return false;
    }
    if (t.startsWith('null', this.pos)) {
      this.pos += 4;
      return null;
    }
    const start = this.pos;
    while (this.pos < t.length && /[-+.eE0-9]/.test(t[this.pos] ?? '')) this.pos++;
    const literal = t.slice(start, this.pos);
    if (!plainSafeInteger.test(literal)) this.numberTexts.set(path, literal);
    return Number(literal);
  }

  object(path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++; // {
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      const offset = this.pos;
      const key = this.string();
      const keyPath = childPath(path, key);
      this.skipSpace();
      this.pos++; // :
      const v = this.value(keyPath);
      if (Object.hasOwn(out, key)) {
        this.duplicates.push({ path: keyPath, offset });
        out[key] = mergeDuplicate(out[key], v);
      } else {
        if (this.keyOffsets !== undefined) this.keyOffsets.set(keyPath, offset);
        // defineProperty: a key named __proto__ is data, as JSON.parse makes it.
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      }
      this.skipSpace();
      if (this.text[this.pos++] === '}') return out;
    }
  }

  array(path: string): unknown[] {
    const out: unknown[] = [];
    this.pos++; // [
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(`${path}[${String(out.length)}]`));
      this.skipSpace();
      if (this.text[this.pos++] === ']') return out;
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go decodes a repeated key's value into the earlier one: objects merge, anything else replaces. */
function mergeDuplicate(earlier: unknown, later: unknown): unknown {
  if (!isPlainObject(earlier) || !isPlainObject(later)) return later;
  for (const [k, v] of Object.entries(later)) {
    const merged = Object.hasOwn(earlier, k) ? mergeDuplicate(earlier[k], v) : v;
    Object.defineProperty(earlier, k, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return earlier;
}

/**
 * Decodes `text`, which must be JSON that JSON.parse accepted and whose depth
 * was checked (see json-depth.ts): this reader does not look for errors.
 */
export function decodeJson(text: string): DecodedJson {
  const reader = new Reader(text, false);
  const value = reader.value('');
  const keyOffsets = (): Map<string, number> | undefined => {
    const again = new Reader(text, true);
    again.value('');
    return again.keyOffsets;
  };
  return { value, duplicates: reader.duplicates, keyOffsets, numberTexts: reader.numberTexts };
}

/** A value that came from elsewhere (protobuf): nothing repeated, no number literals. */
export function decodedValue(value: unknown): DecodedJson {
  return { value, duplicates: [], keyOffsets: () => undefined, numberTexts: new Map() };
}
