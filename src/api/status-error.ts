import type { V1Status } from '@kubernetes/client-node';
import { KomError } from './errors.ts';

/** A Kubernetes API group and resource, as in `{ group: '', resource: 'secrets' }`. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** `secrets` for the core group, `deployments.apps` otherwise, as kube-apiserver prints it. */
export function formatGroupResource(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}

/**
 * An error the Kubernetes API answered with, carrying its V1Status.
 * `statusCode` is the HTTP status, `reason` the machine-readable reason
 * (`NotFound`, `Expired`, ...), `code` the library's KOM_API_STATUS. The
 * message is the server's; it never includes request bodies. `status` keeps
 * only the fields of a Status, so that an answer of another kind (a hostile
 * ERROR event carrying a Secret) leaves none of its data in the error.
 */
export class StatusError extends KomError {
  override readonly name = 'StatusError';
  readonly code = 'KOM_API_STATUS';
  readonly statusCode: number;
  readonly reason: string;
  readonly status: V1Status;

  constructor(status: V1Status, options?: { cause?: unknown }) {
    const kept = statusFields(status);
    super(typeof kept.message === 'string' ? kept.message : `${typeof kept.reason === 'string' ? kept.reason : 'Unknown'} (${statusCodeOf(kept)})`, options);
    this.status = kept;
    this.statusCode = statusCodeOf(kept);
    this.reason = typeof kept.reason === 'string' ? kept.reason : '';
  }

  /** Seconds the server asked the client to wait (429, 503, 504), if it said. */
  get retryAfterSeconds(): number | undefined {
    return this.status.details?.retryAfterSeconds;
  }

  /** Builds a StatusError as kube-apiserver would for the given parts. */
  static of(code: number, reason: string, message: string, details?: V1Status['details']): StatusError {
    const status: V1Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details !== undefined) status.details = details;
    return new StatusError(status);
  }
}

/** The fields of a V1Status, and of its metadata (a ListMeta). */
const statusKeys: ReadonlySet<string> = new Set(['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code']);
const listMetaKeys: ReadonlySet<string> = new Set(['resourceVersion', 'continue', 'selfLink', 'remainingItemCount']);

/**
 * `status` itself when it holds only the fields of a Status (what servers
 * send), else a copy of those, in their order: an object's own metadata can
 * hold its data (kubectl's last-applied-configuration annotation).
 */
function statusFields(status: V1Status): V1Status {
  const meta: unknown = status.metadata;
  const metaOk = meta === undefined || (typeof meta === 'object' && meta !== null && onlyKeys(meta, listMetaKeys));
  if (metaOk && onlyKeys(status, statusKeys)) return status;
  return pick(status, statusKeys, (key, value) => {
    if (key !== 'metadata') return value;
    return typeof value === 'object' && value !== null ? pick(value, listMetaKeys) : undefined;
  });
}

/** The `allowed` fields of `value`, in their order, each through `map` (undefined drops it). */
function pick(value: object, allowed: ReadonlySet<string>, map = (_key: string, field: unknown): unknown => field): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!allowed.has(key)) continue;
    const mapped = map(key, field);
    if (mapped !== undefined) kept[key] = mapped;
  }
  return kept;
}

function onlyKeys(value: object, allowed: ReadonlySet<string>): boolean {
  return Object.keys(value).every((key) => allowed.has(key));
}

function statusCodeOf(status: V1Status): number {
  return typeof status.code === 'number' ? status.code : 0;
}

/** The 404 a get of a missing object answers: `secrets "name" not found`. */
export function newNotFound(gr: GroupResource, name: string): StatusError {
  return StatusError.of(404, 'NotFound', `${formatGroupResource(gr)} "${name}" not found`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });
}

/** The StatusError in `err` or its chain of causes (wrapping keeps predicates working). */
export function findStatusError(err: unknown): StatusError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof StatusError) return e;
  }
  return undefined;
}

function hasReasonOrCode(err: unknown, reason: string, statusCode: number): boolean {
  const s = findStatusError(err);
  if (s === undefined) return false;
  if (s.reason === reason) return true;
  // A bare code counts only when the server gave no (known) reason, like
  // apimachinery's reasonForError falling back to the code.
  return s.statusCode === statusCode && (s.reason === '' || s.reason === 'Unknown');
}

export function isNotFound(err: unknown): boolean {
  return hasReasonOrCode(err, 'NotFound', 404);
}
export function isAlreadyExists(err: unknown): boolean {
  return hasReasonOrCode(err, 'AlreadyExists', 409);
}
export function isConflict(err: unknown): boolean {
  return hasReasonOrCode(err, 'Conflict', 409);
}
export function isGone(err: unknown): boolean {
  return hasReasonOrCode(err, 'Gone', 410);
}
/** A resourceVersion too old to serve: reason Expired or Gone, or a bare 410. */
export function isResourceExpired(err: unknown): boolean {
  return hasReasonOrCode(err, 'Expired', 410) || isGone(err);
}
export function isInvalid(err: unknown): boolean {
  return hasReasonOrCode(err, 'Invalid', 422);
}
export function isBadRequest(err: unknown): boolean {
  return hasReasonOrCode(err, 'BadRequest', 400);
}
export function isUnauthorized(err: unknown): boolean {
  return hasReasonOrCode(err, 'Unauthorized', 401);
}
export function isForbidden(err: unknown): boolean {
  return hasReasonOrCode(err, 'Forbidden', 403);
}
export function isTooManyRequests(err: unknown): boolean {
  return hasReasonOrCode(err, 'TooManyRequests', 429);
}
export function isInternalError(err: unknown): boolean {
  return hasReasonOrCode(err, 'InternalError', 500);
}
export function isServiceUnavailable(err: unknown): boolean {
  return hasReasonOrCode(err, 'ServiceUnavailable', 503);
}
export function isTimeout(err: unknown): boolean {
  return hasReasonOrCode(err, 'Timeout', 504);
}
export function isServerTimeout(err: unknown): boolean {
  const s = findStatusError(err);
  return s !== undefined && s.reason === 'ServerTimeout';
}
/** The server cannot serve a resourceVersion that far ahead (ResourceVersionTooLarge cause). */
export function isResourceVersionTooLarge(err: unknown): boolean {
  const status = findStatusError(err);
  if (status === undefined) return false;
  if (status.status.details?.causes?.some((c) => c.reason === 'ResourceVersionTooLarge') === true) return true;
  return isTimeout(status) && status.message.includes('Too large resource version');
}

/** Whether `err` or one of its causes carries the error `code` (the `code` of the library's own errors). */
export function hasErrorCode(err: unknown, code: string): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === code) return true;
  }
  return false;
}

/**
 * Whether `err` says the request's source is closed for good: the client was
 * closed (code KOM_CLIENT_CLOSED). Nothing is retried after it and nothing
 * held is served as if it were still kept fresh.
 */
export function isSourceClosed(err: unknown): boolean {
  return hasErrorCode(err, 'KOM_CLIENT_CLOSED');
}
