// The query options of a list or watch, checked in kube-apiserver's order:
// the integers are decoded first (400 with Go's strconv message), then the
// options are validated together (one 422 on ListOptions listing every
// error), and the resourceVersion is parsed last, by the storage (400 for a
// list). Answers taken from kube-apiserver v1.37.2.
import { badRequest, invalid, type FieldError } from './status.ts';
import type { StatusError } from '../api/status-error.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

export function listOptionsInvalid(errors: FieldError[]): StatusError {
  return invalid('ListOptions', '', errors, 'meta.k8s.io');
}

/** Go's strconv.ParseInt(text, 10, 64), with its error as kube's 400. */
export function parseInt64(text: string): bigint {
  if (!/^[+-]?\d+$/.test(text)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`);
  return value;
}

/**
 * `limit` as kube decodes it (an int64; timeoutSeconds, decoded before it,
 * is checked here too). A limit <= 0 means no limit; one beyond what a page
 * can hold is the same as no limit, so it is capped at 2^53-1.
 */
export function decodeLimit(q: URLSearchParams): number {
  const timeout = q.get('timeoutSeconds');
  if (timeout !== null && timeout !== '') parseInt64(timeout);
  const text = q.get('limit');
  if (text === null || text === '') return 0;
  const limit = parseInt64(text);
  if (limit <= 0n) return 0;
  return limit > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(limit);
}

/** kube's ValidateListOptions for a list: every error of the combination, in its order. */
export function listOptionErrors(q: URLSearchParams): FieldError[] {
  const errors: FieldError[] = [];
  const match = q.get('resourceVersionMatch') ?? '';
  const rv = q.get('resourceVersion') ?? '';
  if (match !== '') {
    if (rv === '') errors.push({ field: 'resourceVersionMatch', type: 'Forbidden', detail: 'resourceVersionMatch is forbidden unless resourceVersion is provided' });
    if ((q.get('continue') ?? '') !== '') errors.push({ field: 'resourceVersionMatch', type: 'Forbidden', detail: 'resourceVersionMatch is forbidden when continue is provided' });
    if (match !== 'Exact' && match !== 'NotOlderThan') errors.push({ field: 'resourceVersionMatch', type: 'NotSupported', value: match, detail: 'supported values: "Exact", "NotOlderThan", ""' });
    if (match === 'Exact' && rv === '0') errors.push({ field: 'resourceVersionMatch', type: 'Forbidden', detail: 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"' });
  }
  if (q.has('sendInitialEvents')) errors.push({ field: 'sendInitialEvents', type: 'Forbidden', detail: 'sendInitialEvents is forbidden for list' });
  return errors;
}

/** kube's ValidateListOptions for a watch. */
export function watchOptionErrors(q: URLSearchParams, watchListEnabled: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const match = q.get('resourceVersionMatch') ?? '';
  const sendInitialEvents = q.has('sendInitialEvents');
  if (sendInitialEvents) {
    if (match !== 'NotOlderThan') errors.push({ field: 'resourceVersionMatch', type: 'Forbidden', detail: 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan' });
    if (!watchListEnabled) errors.push({ field: 'sendInitialEvents', type: 'Forbidden', detail: 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled' });
  }
  if (match !== '') {
    if (!sendInitialEvents) errors.push({ field: 'resourceVersionMatch', type: 'Forbidden', detail: 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' });
    if (match !== 'NotOlderThan') errors.push({ field: 'resourceVersionMatch', type: 'NotSupported', value: match, detail: 'supported values: "NotOlderThan"' });
    if ((q.get('continue') ?? '') !== '') errors.push({ field: 'resourceVersionMatch', type: 'Forbidden', detail: 'resourceVersionMatch is forbidden when continue is provided' });
  }
  return errors;
}

/**
 * A resourceVersion query parameter as a number (undefined when unset):
 * Go's strconv.ParseUint, else 400 with kube's message (a list's says
 * "invalid resource version: "; kube answers a get or watch with the same
 * text as a 500, which is not copied). A value above 2^53 is kept as the
 * nearest number: it is beyond any resourceVersion the server reaches.
 */
export function parseResourceVersion(text: string | null, forList: boolean): number | undefined {
  if (text === null || text === '') return undefined;
  const prefix = forList ? 'invalid resource version: ' : '';
  const quoted = JSON.stringify(text);
  if (!/^\d+$/.test(text)) throw badRequest(`${prefix}resourceVersion: Invalid value: ${quoted}: strconv.ParseUint: parsing ${quoted}: invalid syntax`);
  if (BigInt(text) > UINT64_MAX) throw badRequest(`${prefix}resourceVersion: Invalid value: ${quoted}: strconv.ParseUint: parsing ${quoted}: value out of range`);
  return Number(text);
}
