import { checkDryRun, optionsInvalid } from './dry-run.ts';
import type { FieldError } from './status.ts';

/** What a write request asks of the server beyond its body. */
export interface WriteOptions {
  dryRun: boolean;
  /** `fieldManager`, or the manager kube derives from the User-Agent, or `unknown`. */
  fieldManager: string;
  /** Whether `fieldManager` was sent (server-side apply requires it). */
  fieldManagerSent: boolean;
  /** `force` of server-side apply. */
  force: boolean;
}

const MAX_MANAGER_BYTES = 128;
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** kube's fieldManager rules: at most 128 bytes, printable characters only. */
function fieldManagerErrors(manager: string): FieldError[] {
  if (Buffer.byteLength(manager) > MAX_MANAGER_BYTES) {
    return [{ field: 'fieldManager', type: 'TooLong', detail: `may not be more than ${MAX_MANAGER_BYTES} bytes` }];
  }
  let position = 0;
  for (const ch of manager) {
    if (!printable.test(ch)) {
      const code = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
      return [{ field: 'fieldManager', type: 'Invalid', value: manager, detail: `invalid character ${code} (at position ${position})` }];
    }
    position += Buffer.byteLength(ch);
  }
  return [];
}

/**
 * kube's default manager: the User-Agent up to its first `/`, without
 * non-printable characters, cut to 128 bytes. Node reads header bytes as
 * latin1; kube reads them as UTF-8, so the text is decoded again first.
 */
function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = Buffer.from(userAgent ?? '', 'latin1').toString('utf8').split('/')[0] ?? '';
  let out = '';
  for (const ch of prefix) {
    if (!printable.test(ch)) continue;
    if (Buffer.byteLength(out) + Buffer.byteLength(ch) > MAX_MANAGER_BYTES) break;
    out += ch;
  }
  return out;
}

/** The manager kube records when neither fieldManager nor the User-Agent names one. */
const UNKNOWN_MANAGER = 'unknown';

/** Go's strconv.ParseBool, for `force`. */
function parseBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/**
 * The options of a create, update, patch or delete, checked as
 * kube-apiserver checks them (one 422 naming the options kind, fieldManager
 * errors before dryRun ones). `apply` is true for a server-side apply patch;
 * `deleteDryRun` holds the DeleteOptions body's `dryRun`.
 */
export function writeOptions(verb: string, q: URLSearchParams, userAgent: string | undefined, apply: boolean, deleteDryRun: readonly string[] = []): WriteOptions {
  const errors: FieldError[] = [];
  const sent = q.get('fieldManager');
  const writes = verb === 'create' || verb === 'update' || verb === 'patch';
  if (writes && sent !== null) errors.push(...fieldManagerErrors(sent));
  if (apply && (sent === null || sent === '')) errors.push({ field: 'fieldManager', type: 'Required', detail: 'is required for apply patch' });
  const forceText = q.get('force');
  let force = false;
  if (forceText !== null && verb === 'patch') {
    if (!apply) errors.push({ field: 'force', type: 'Forbidden', detail: 'may not be specified for non-apply patch' });
    else force = parseBool(forceText) ?? false;
  }
  if (errors.length > 0) {
    // dryRun errors come after the others in the same answer.
    try {
      checkDryRun(verb, q.getAll('dryRun'));
    } catch {
      errors.push({ field: 'dryRun', type: 'NotSupported', value: q.getAll('dryRun'), detail: 'supported values: "All"' });
    }
    throw optionsInvalid(verb, errors);
  }
  const dryRun = checkDryRun(verb, [...q.getAll('dryRun'), ...deleteDryRun]);
  const fieldManager = sent !== null && sent !== '' ? sent : managerFromUserAgent(userAgent) || UNKNOWN_MANAGER;
  return { dryRun, fieldManager, fieldManagerSent: sent !== null && sent !== '', force };
}
