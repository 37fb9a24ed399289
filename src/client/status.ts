import type { V1Status } from '@kubernetes/client-node';
import { StatusError } from '../api/status-error.ts';

/** The reason kube-apiserver's clients assume for a bare HTTP code (apimachinery's NewGenericServerResponse). */
const REASON_BY_CODE: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/**
 * Seconds from a Retry-After header: a non-negative integer (the only form
 * kube-apiserver sends). Anything else, dates included, gives undefined.
 */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\s*\d{1,9}\s*$/.test(text)) return undefined;
  return Number(text.trim());
}

function isStatus(value: unknown): value is V1Status {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}

/**
 * The StatusError for a non-2xx answer. A JSON V1Status body is used as the
 * server sent it (its code filled from the HTTP status when missing); any
 * other body gives a StatusError with the HTTP code, the usual reason for it
 * and a message saying the body was not a Status. The body itself is never
 * put in the message: it may hold secret data. A Retry-After header fills
 * `details.retryAfterSeconds` when the Status does not carry it.
 */
export function statusErrorFromResponse(
  httpCode: number,
  retryAfterHeader: string | string[] | undefined,
  body: Buffer,
  what: string,
): StatusError {
  const retryAfterSeconds = parseRetryAfter(retryAfterHeader);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) {
    const status: V1Status = { ...parsed, code: typeof parsed.code === 'number' ? parsed.code : httpCode };
    if (retryAfterSeconds !== undefined && status.details?.retryAfterSeconds === undefined) {
      status.details = { ...status.details, retryAfterSeconds };
    }
    return new StatusError(status);
  }
  const reason = REASON_BY_CODE[httpCode] ?? 'Unknown';
  const message = `${what}: the server answered HTTP ${httpCode} (${reason}) with a ${body.length}-byte body that is not a Kubernetes Status`;
  return StatusError.of(httpCode, reason, message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });
}
