import type { V1Status } from '@kubernetes/client-node';

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
 * (`NotFound`, `Expired`, ...). The message is the server's; it never
 * includes request bodies.
 */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  readonly statusCode: number;
  readonly reason: string;
  readonly status: V1Status;

  constructor(status: V1Status, options?: { cause?: unknown }) {
    super(status.message ?? `${status.reason ?? 'Unknown'} (${status.code ?? 0})`, options);
    this.status = status;
    this.statusCode = status.code ?? 0;
    this.reason = status.reason ?? '';
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
