import { posix } from 'node:path';
import { badRequest } from './status.ts';
import type { StatusError } from '../api/status-error.ts';

/** Where a paginated list goes on: at `rv` (negative: at the current state, an inconsistent continuation), after the key `start`. */
export interface ContinueToken {
  /** A positive resourceVersion, or -1 for "whatever is current" (what kube hands out after a 410). */
  rv: number;
  /** The storage key of the last object returned; the next page starts after it. */
  start: string;
  /** The rv as written in the token, for messages (an int64 beyond 2^53 is kept exact here). */
  rvText: string;
}

const VERSION = 'meta.k8s.io/v1';

/** Encodes a token the way kube does: unpadded base64url of `{"v","rv","start"}`. */
export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: VERSION, rv, start })).toString('base64url');
}

function invalidToken(detail: string): StatusError {
  return badRequest(`invalid continue token: continue key is not valid: ${detail}`);
}

/** A byte as Go's JSON errors quote it: 'g', '\\'', '\\x01', '\\u0081'. */
function goQuoteByte(b: number): string {
  if (b === 0x27) return "'\\''";
  if (b >= 0x20 && b < 0x7f) return `'${String.fromCharCode(b)}'`;
  if (b < 0x20 || b === 0x7f) return `'\\x${b.toString(16).padStart(2, '0')}'`;
  return b < 0xa0 ? `'\\u00${b.toString(16)}'` : `'${String.fromCharCode(b)}'`;
}

/** How Go's encoding/json names a JSON value it cannot put in a field. */
function goKind(value: unknown, source: string): string {
  if (typeof value === 'number') return `number ${source}`;
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  return Array.isArray(value) ? 'array' : 'object';
}

function fieldError(field: string, value: unknown, source: string, want: string): StatusError {
  return invalidToken(`json: cannot unmarshal ${goKind(value, source)} into Go struct field continueToken.${field} of type ${want}`);
}

/** Go's path.Clean(key) === key for a key made absolute: no `.`/`..` segments, no `//`, no trailing `/`. */
function isCleanKey(start: string): boolean {
  const key = start.startsWith('/') ? start : `/${start}`;
  let cleaned = posix.normalize(key);
  if (cleaned.length > 1 && cleaned.endsWith('/')) cleaned = cleaned.slice(0, -1);
  return cleaned === key;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Reads a continue token as kube-apiserver's storage does and answers its
 * 400 for anything it would refuse: bad base64url, bad JSON, fields of the
 * wrong type (an rv that is not an int64 literal: `1.5`, `1e+300`, `"5"`), an
 * unknown version, an rv of 0, an empty start key or one that is not a clean path.
 */
export function decodeContinue(text: string): ContinueToken {
  const bad = /[^A-Za-z0-9_-]/.exec(text);
  if (bad !== null) throw invalidToken(`illegal base64 data at input byte ${bad.index}`);
  if (text.length % 4 === 1) throw invalidToken(`illegal base64 data at input byte ${text.length - 1}`);
  const bytes = Buffer.from(text, 'base64url');
  const json = bytes.toString('utf8');
  // The reviver sees each value's source text (V8's JSON.parse source access), so `1.0` and `1e2` are told from `1` and `100`.
  const sources = new WeakMap<object, Map<string, string>>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json, function (this: object, key: string, value: unknown, context?: { source?: string }) {
      let own = sources.get(this);
      if (own === undefined) {
        own = new Map();
        sources.set(this, own);
      }
      own.set(key, context?.source ?? String(value));
      return value;
    });
  } catch {
    const first = bytes.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
    throw invalidToken(first === undefined ? 'unexpected end of JSON input' : `invalid character ${goQuoteByte(first)} looking for beginning of value`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidToken(`json: cannot unmarshal ${goKind(parsed, json.trim())} into Go value of type storage.continueToken`);
  }
  const fields = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  const source = (key: string): string => sources.get(parsed)?.get(key) ?? '';
  const v = fields.v ?? '';
  if (typeof v !== 'string') throw fieldError('v', v, source('v'), 'string');
  const start = fields.start ?? '';
  if (typeof start !== 'string') throw fieldError('start', start, source('start'), 'string');
  const rvValue = fields.rv ?? 0;
  const rvText = fields.rv === undefined || fields.rv === null ? '0' : source('rv');
  if (typeof rvValue !== 'number') throw fieldError('rv', rvValue, rvText, 'int64');
  if (!/^-?\d+$/.test(rvText) || BigInt(rvText) > INT64_MAX || BigInt(rvText) < INT64_MIN) throw fieldError('rv', rvValue, rvText, 'int64');
  if (v !== VERSION) throw invalidToken(`server does not recognize this encoded version ${v}`);
  if (rvValue === 0) throw invalidToken(`incorrect encoded start resourceVersion (version ${VERSION})`);
  if (start === '') throw invalidToken(`encoded start key empty (version ${VERSION})`);
  if (!isCleanKey(start)) throw invalidToken(start);
  return { rv: rvValue < 0 ? -1 : rvValue, start, rvText };
}
