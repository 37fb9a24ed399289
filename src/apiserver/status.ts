import type { V1Status, V1StatusCause } from '@kubernetes/client-node';
import { StatusError } from '../api/status-error.ts';

/** A Status error as kube-apiserver writes it; thrown by handlers, written by the server. */
export function statusError(code: number, reason: string, message: string, details?: V1Status['details']): StatusError {
  return StatusError.of(code, reason, message, details);
}

export function badRequest(message: string): StatusError {
  return statusError(400, 'BadRequest', message);
}

export function notFound(resource: string, name: string): StatusError {
  return statusError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
}

/** The 404 for a path the server does not serve. */
export function unknownPath(): StatusError {
  return statusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/**
 * The 404 for something kube-apiserver serves and the embedded server does
 * not (`the pods/log subresource`): kube's NotFound, saying why.
 */
export function notServed(what: string): StatusError {
  return statusError(404, 'NotFound', `the server could not find the requested resource: the embedded API server does not serve ${what}`, {});
}

/** kube's 405; its message does not name the method (`_method` is kept for callers). */
export function methodNotAllowed(_method: string): StatusError {
  return statusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

export function alreadyExists(resource: string, name: string): StatusError {
  return statusError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource });
}

export function conflict(resource: string, name: string, why: string): StatusError {
  return statusError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, kind: resource });
}

export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again';

/** 410 Expired with kube's message for a resourceVersion older than the retained history. */
export function expired(message: string): StatusError {
  return statusError(410, 'Expired', message);
}

export function tooOldResourceVersion(requested: number, oldest: number): StatusError {
  return expired(`too old resource version: ${requested} (${oldest})`);
}

/** A field-level validation failure, e.g. `{ field: 'data', type: 'Forbidden', detail: '...' }`. */
export interface FieldError {
  field: string;
  type: 'Invalid' | 'Required' | 'Forbidden' | 'NotSupported' | 'Duplicate' | 'TooLong';
  detail: string;
  value?: unknown;
}

const causeReason: Record<FieldError['type'], string> = {
  Invalid: 'FieldValueInvalid',
  Required: 'FieldValueRequired',
  Forbidden: 'FieldValueForbidden',
  NotSupported: 'FieldValueNotSupported',
  Duplicate: 'FieldValueDuplicate',
  TooLong: 'FieldValueTooLong',
};

function fieldMessage(e: FieldError): string {
  switch (e.type) {
    case 'Invalid':
      return `Invalid value: ${JSON.stringify(e.value)}: ${e.detail}`;
    case 'Required':
      return e.detail === '' ? 'Required value' : `Required value: ${e.detail}`;
    case 'Forbidden':
      return `Forbidden: ${e.detail}`;
    case 'NotSupported':
      return `Unsupported value: ${JSON.stringify(e.value)}: ${e.detail}`;
    case 'Duplicate':
      return `Duplicate value: ${JSON.stringify(e.value)}`;
    case 'TooLong':
      return `Too long: ${e.detail}`;
  }
}

/** 422 Invalid: `Kind "name" is invalid: field: Type: detail`, with one cause per error. */
export function invalid(kind: string, name: string, errors: FieldError[], group = ''): StatusError {
  const causes: V1StatusCause[] = errors.map((e) => ({ reason: causeReason[e.type], message: fieldMessage(e), field: e.field }));
  const summary = errors.map((e) => `${e.field}: ${fieldMessage(e)}`);
  const text = summary.length === 1 ? (summary[0] ?? '') : `[${summary.join(', ')}]`;
  const what = group === '' ? kind : `${kind}.${group}`;
  // kube omits an empty name and group (a ListOptions error has neither).
  return statusError(422, 'Invalid', `${what} "${name}" is invalid: ${text}`, { ...(name === '' ? {} : { name }), ...(group === '' ? {} : { group }), kind, causes });
}

/** The Status for a successful delete of a kind that does not return the object. */
export function successStatus(details: V1Status['details']): V1Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

/** The V1Status of any thrown value; unexpected errors become a 500 without their stack. */
export function toStatus(err: unknown): V1Status {
  if (err instanceof StatusError) return err.status;
  const message = err instanceof Error ? err.message : String(err);
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}
